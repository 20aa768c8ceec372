// The figures each typed view shows, from payloads shaped like the built-in reports' (the values
// of the sales_small fixture as of 2026-11-19T12:00Z where the core's tests worked them out).
import { describe, expect, it } from "vitest";
import { parseReportJson } from "./payload";
import {
  attentionNeeded,
  closeCases,
  dashboard,
  itemList,
  mtdUploads,
  repReport,
  systemHealth,
  teamPerformance,
  todoStats,
  uploadRanking,
} from "./views/extract";

const parse = (text: string) => {
  const parsed = parseReportJson(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};

describe("system health", () => {
  const payload = parse(`{
    "processing": {
      "last24h": {"completed": 1, "failed": 2, "inProgress": 2, "avgProcessingTime": 120.0},
      "errorsByCode": {
        "E_DOWNLOAD_TIMEOUT": {"count": 1, "stage": "download", "cases": []},
        "E_TRANSCRIBE_FAILED": {"count": 2, "stage": "transcription",
          "cases": [{"caseNumber": "CASE-9", "companyName": "Beta LLC"}, {"caseNumber": "CASE-4"}]}
      },
      "stuckCases": [{"caseNumber": "CASE-5", "companyName": "Epsilon AG", "status": "processing", "hoursStuck": 5}]
    },
    "weeklyComparison": {
      "thisWeek": {"uploads": 5, "avgMeddic": 50.0},
      "lastWeek": {"uploads": 2, "avgMeddic": 90.0},
      "change": {"uploadsPercent": 150.0, "meddicDiff": -40.0}
    },
    "generatedAt": "2026-11-19T12:00:00.000Z"
  }`);
  it("reads the 24-hour figures, errors (most first), stuck cases and the weekly change", () => {
    const health = systemHealth(payload);
    expect(health.last24h).toEqual({
      completed: 1,
      failed: 2,
      inProgress: 2,
      avgProcessingTime: 120,
    });
    expect(health.errors.map((e) => [e.code, e.count, e.stage, e.cases])).toEqual([
      ["E_TRANSCRIBE_FAILED", 2, "transcription", ["CASE-9", "CASE-4"]],
      ["E_DOWNLOAD_TIMEOUT", 1, "download", []],
    ]);
    expect(health.stuck.map((s) => s.caseNumber)).toEqual(["CASE-5"]);
    expect(health.weekly.uploadsPercent).toBe(150);
    expect(health.weekly.meddicDiff).toBe(-40);
    expect(health.weekly.lastWeek.uploads).toBe(2);
  });
  it("shows what an incomplete payload has", () => {
    const health = systemHealth({ processing: {} });
    expect(health.last24h.completed).toBeNull();
    expect(health.errors).toEqual([]);
    expect(health.stuck).toEqual([]);
    expect(health.weekly.thisWeek.uploads).toBeNull();
  });
});

describe("closed deals", () => {
  it("reads the win rates of the week and the month", () => {
    const payload = parse(`{
      "thisWeek": {"won": [{"customerNumber": "C-002", "amount": 5000.0}],
                   "lost": [{"customerNumber": "C-003", "amount": 2000.0}],
                   "wonCount": 1, "lostCount": 1, "winRate": 50.0},
      "mtd": {"wonCount": 2, "lostCount": 1, "winRate": 66.7}
    }`);
    const data = closeCases(payload);
    expect(data.week).toEqual({ wonCount: 1, lostCount: 1, winRate: 50 });
    expect(data.mtd.winRate).toBe(66.7);
    expect(data.won.map((r) => r.customerNumber)).toEqual(["C-002"]);
    expect(data.lost.map((r) => r.customerNumber)).toEqual(["C-003"]);
  });
  it("computes a missing win rate from the counts", () => {
    expect(closeCases({ mtd: { wonCount: 2, lostCount: 1 } }).mtd.winRate).toBe(66.7);
    expect(closeCases({ mtd: { wonCount: 0, lostCount: 0 } }).mtd.winRate).toBeNull();
  });
});

describe("needs attention", () => {
  it("reads the three tables", () => {
    const data = attentionNeeded({
      staleHighScore: [{ customerNumber: "C-001" }],
      noTodos: [{ customerNumber: "C-007" }],
      inactiveReps: "oops",
    });
    expect(data.staleHighScore).toHaveLength(1);
    expect(data.noTodos).toHaveLength(1);
    expect(data.inactiveReps).toEqual([]);
  });
});

describe("to-dos", () => {
  it("ranks overdue per person and names the people due today", () => {
    const data = todoStats({
      overdue: {
        total: 2,
        byUser: {
          "u-a": { count: 1, userName: "Ann Lee" },
          "u-b": { count: 3, userName: "Ben Wu" },
        },
      },
      dueToday: {
        total: 3,
        byUser: {
          "u-b": [{ title: "Update CRM" }],
          "u-a": [{ title: "Kickoff call" }],
          "u-x": [{ title: "Mystery" }],
        },
      },
      pendingFollowUps: [{ title: "Demo prep", userId: "u-x", userName: "Cal Ito" }],
    });
    expect(data.overdueTotal).toBe(2);
    expect(data.overdueByUser.map((u) => [u.userName, u.count])).toEqual([
      ["Ben Wu", 3],
      ["Ann Lee", 1],
    ]);
    expect(data.dueToday.map((g) => [g.userName, g.todos.length])).toEqual([
      ["Ann Lee", 1],
      ["Ben Wu", 1],
      ["Cal Ito", 1],
    ]);
    expect(data.followUps).toHaveLength(1);
  });
});

describe("the other views", () => {
  it("team performance", () => {
    const data = teamPerformance({
      department: "default",
      weeklyPerformance: [{ userName: "Ann", weekUploads: 2, avgMeddic: null, weekWon: 1 }],
    });
    expect(data.department).toBe("default");
    expect(data.rows).toHaveLength(1);
  });
  it("uploads month to date", () => {
    const data = mtdUploads({
      month: "2026-11",
      totalUploads: 9,
      byDay: [
        { date: "2026-11-01", uploads: 0 },
        { date: "2026-11-02", uploads: 1 },
      ],
      byUser: [{ userName: "Ann", uploads: 4 }],
    });
    expect(data.total).toBe(9);
    expect(data.byDay).toEqual([
      { date: "2026-11-01", uploads: 0 },
      { date: "2026-11-02", uploads: 1 },
    ]);
  });
  it("rep report", () => {
    const data = repReport({
      userName: "Ann Lee",
      thisWeek: { uploads: 2, avgMeddic: 60.0, won: 1, lost: 0 },
      monthToDate: { uploads: 4 },
      openOpportunities: 1,
      overdueTodos: 1,
      recentConversations: [{ caseNumber: "CASE-9" }],
    });
    expect(data.thisWeek).toEqual({ uploads: 2, avgMeddic: 60, won: 1, lost: 0 });
    expect(data.monthToDate.won).toBeNull();
    expect(data.recent).toHaveLength(1);
  });
  it("upload ranking", () => {
    const data = uploadRanking({
      period: "weekly",
      from: "2026-11-16T00:00:00+00:00",
      rankings: [{ rank: 1 }],
    });
    expect(data.period).toBe("weekly");
    expect(data.rankings).toHaveLength(1);
  });
  it("dashboard", () => {
    const data = dashboard({
      summary: {
        totalOpportunities: 2,
        totalConversations: 3,
        totalAnalyses: 2,
        averageScore: 70.0,
      },
      statusDistribution: [
        { status: "Strong", count: 1 },
        { status: "Medium", count: 1 },
      ],
      recentAnalyses: [],
    });
    expect(data.summary.averageScore).toBe(70);
    expect(data.statusDistribution).toEqual([
      { status: "Strong", count: 1 },
      { status: "Medium", count: 1 },
    ]);
  });
  it("lists, with or without the {total, items} wrapper", () => {
    expect(itemList({ total: 250, items: [{ id: 1 }] })).toEqual({
      total: 250,
      items: [{ id: 1 }],
    });
    expect(itemList([{ id: 1 }, { id: 2 }])).toEqual({ total: 2, items: [{ id: 1 }, { id: 2 }] });
  });
});
