// The figures and tables each built-in report view shows, taken from its payload (see
// docs/domain.md, "Report payloads"). Every field is optional here: a payload written by another
// producer, or an older one, still shows what it has.
import {
  asNumber,
  asRows,
  asText,
  entriesAsRows,
  field,
  isRecord,
  type Row,
  sortRows,
} from "../payload";

export interface SystemHealth {
  last24h: {
    completed: number | null;
    failed: number | null;
    inProgress: number | null;
    avgProcessingTime: number | null;
  };
  /** One row per error code: code, count, stage, cases (case numbers, newest first). */
  errors: Row[];
  stuck: Row[];
  weekly: {
    thisWeek: { uploads: number | null; avgMeddic: number | null };
    lastWeek: { uploads: number | null; avgMeddic: number | null };
    uploadsPercent: number | null;
    meddicDiff: number | null;
  };
}

export function systemHealth(payload: unknown): SystemHealth {
  const last = field(payload, "processing", "last24h");
  const week = (name: string) => ({
    uploads: asNumber(field(payload, "weeklyComparison", name, "uploads")),
    avgMeddic: asNumber(field(payload, "weeklyComparison", name, "avgMeddic")),
  });
  const errors = entriesAsRows(field(payload, "processing", "errorsByCode"), "code").map((row) => ({
    code: row.code,
    count: row.count,
    stage: row.stage,
    cases: asRows(row.cases)
      .map((c) => asText(c.caseNumber))
      .filter((c): c is string => c !== null),
  }));
  return {
    last24h: {
      completed: asNumber(field(last, "completed")),
      failed: asNumber(field(last, "failed")),
      inProgress: asNumber(field(last, "inProgress")),
      avgProcessingTime: asNumber(field(last, "avgProcessingTime")),
    },
    errors: sortRows(errors, "count", "desc"),
    stuck: asRows(field(payload, "processing", "stuckCases")),
    weekly: {
      thisWeek: week("thisWeek"),
      lastWeek: week("lastWeek"),
      uploadsPercent: asNumber(field(payload, "weeklyComparison", "change", "uploadsPercent")),
      meddicDiff: asNumber(field(payload, "weeklyComparison", "change", "meddicDiff")),
    },
  };
}

export interface WinLoss {
  wonCount: number | null;
  lostCount: number | null;
  /** 0-100; computed from the counts when the payload has none. */
  winRate: number | null;
}

function winLoss(value: unknown): WinLoss {
  const wonCount = asNumber(field(value, "wonCount"));
  const lostCount = asNumber(field(value, "lostCount"));
  let winRate = asNumber(field(value, "winRate"));
  if (winRate === null && wonCount !== null && lostCount !== null && wonCount + lostCount > 0) {
    winRate = Math.round((wonCount * 1000) / (wonCount + lostCount)) / 10;
  }
  return { wonCount, lostCount, winRate };
}

export interface CloseCases {
  week: WinLoss;
  mtd: WinLoss;
  won: Row[];
  lost: Row[];
}

export function closeCases(payload: unknown): CloseCases {
  return {
    week: winLoss(field(payload, "thisWeek")),
    mtd: winLoss(field(payload, "mtd")),
    won: asRows(field(payload, "thisWeek", "won")),
    lost: asRows(field(payload, "thisWeek", "lost")),
  };
}

export interface AttentionNeeded {
  staleHighScore: Row[];
  noTodos: Row[];
  inactiveReps: Row[];
}

export function attentionNeeded(payload: unknown): AttentionNeeded {
  return {
    staleHighScore: asRows(field(payload, "staleHighScore")),
    noTodos: asRows(field(payload, "noTodos")),
    inactiveReps: asRows(field(payload, "inactiveReps")),
  };
}

export interface UserTodos {
  userId: string;
  userName: string;
  todos: Row[];
}

export interface TodoStats {
  overdueTotal: number | null;
  /** Most overdue first. */
  overdueByUser: { userId: string; userName: string; count: number }[];
  dueTodayTotal: number | null;
  dueToday: UserTodos[];
  followUps: Row[];
}

export function todoStats(payload: unknown): TodoStats {
  const overdue = field(payload, "overdue", "byUser");
  const followUps = asRows(field(payload, "pendingFollowUps"));
  // Due-today todos carry no user name: borrow it from the other two parts.
  const names = new Map<string, string>();
  for (const row of followUps) {
    const id = asText(row.userId);
    const name = asText(row.userName);
    if (id && name) names.set(id, name);
  }
  const overdueByUser = isRecord(overdue)
    ? Object.entries(overdue).map(([userId, entry]) => {
        const userName = asText(field(entry, "userName")) ?? names.get(userId) ?? userId;
        names.set(userId, userName);
        return { userId, userName, count: asNumber(field(entry, "count")) ?? 0 };
      })
    : [];
  overdueByUser.sort((a, b) => b.count - a.count || a.userName.localeCompare(b.userName));
  const due = field(payload, "dueToday", "byUser");
  const dueToday = isRecord(due)
    ? Object.entries(due).map(([userId, todos]) => ({
        userId,
        userName: names.get(userId) ?? userId,
        todos: asRows(todos),
      }))
    : [];
  dueToday.sort((a, b) => a.userName.localeCompare(b.userName));
  return {
    overdueTotal: asNumber(field(payload, "overdue", "total")),
    overdueByUser,
    dueTodayTotal: asNumber(field(payload, "dueToday", "total")),
    dueToday,
    followUps,
  };
}

export interface TeamPerformance {
  department: string | null;
  rows: Row[];
}

export function teamPerformance(payload: unknown): TeamPerformance {
  return {
    department: asText(field(payload, "department")),
    rows: asRows(field(payload, "weeklyPerformance")),
  };
}

export interface MtdUploads {
  month: string | null;
  total: number | null;
  byDay: { date: string; uploads: number }[];
  byUser: Row[];
}

export function mtdUploads(payload: unknown): MtdUploads {
  return {
    month: asText(field(payload, "month")),
    total: asNumber(field(payload, "totalUploads")),
    byDay: asRows(field(payload, "byDay")).map((row) => ({
      date: asText(row.date) ?? "",
      uploads: asNumber(row.uploads) ?? 0,
    })),
    byUser: asRows(field(payload, "byUser")),
  };
}

export interface PeriodFigures {
  uploads: number | null;
  avgMeddic: number | null;
  won: number | null;
  lost: number | null;
}

export interface RepReport {
  userName: string | null;
  department: string | null;
  managerName: string | null;
  thisWeek: PeriodFigures;
  monthToDate: PeriodFigures;
  openOpportunities: number | null;
  overdueTodos: number | null;
  recent: Row[];
}

function period(value: unknown): PeriodFigures {
  return {
    uploads: asNumber(field(value, "uploads")),
    avgMeddic: asNumber(field(value, "avgMeddic")),
    won: asNumber(field(value, "won")),
    lost: asNumber(field(value, "lost")),
  };
}

export function repReport(payload: unknown): RepReport {
  return {
    userName: asText(field(payload, "userName")),
    department: asText(field(payload, "department")),
    managerName: asText(field(payload, "managerName")),
    thisWeek: period(field(payload, "thisWeek")),
    monthToDate: period(field(payload, "monthToDate")),
    openOpportunities: asNumber(field(payload, "openOpportunities")),
    overdueTodos: asNumber(field(payload, "overdueTodos")),
    recent: asRows(field(payload, "recentConversations")),
  };
}

export interface UploadRanking {
  period: string | null;
  from: string | null;
  rankings: Row[];
}

export function uploadRanking(payload: unknown): UploadRanking {
  return {
    period: asText(field(payload, "period")),
    from: asText(field(payload, "from")),
    rankings: asRows(field(payload, "rankings")),
  };
}

export interface Dashboard {
  summary: {
    totalOpportunities: number | null;
    totalConversations: number | null;
    totalAnalyses: number | null;
    averageScore: number | null;
  };
  statusDistribution: { status: string; count: number }[];
  recent: Row[];
}

export function dashboard(payload: unknown): Dashboard {
  const summary = field(payload, "summary");
  return {
    summary: {
      totalOpportunities: asNumber(field(summary, "totalOpportunities")),
      totalConversations: asNumber(field(summary, "totalConversations")),
      totalAnalyses: asNumber(field(summary, "totalAnalyses")),
      averageScore: asNumber(field(summary, "averageScore")),
    },
    statusDistribution: asRows(field(payload, "statusDistribution")).map((row) => ({
      status: asText(row.status) ?? "?",
      count: asNumber(row.count) ?? 0,
    })),
    recent: asRows(field(payload, "recentAnalyses")),
  };
}

export interface ItemList {
  total: number | null;
  items: Row[];
}

/** The page caches' lists: `{total, items[]}`, or a bare array (as their services write them). */
export function itemList(payload: unknown): ItemList {
  if (Array.isArray(payload)) return { total: payload.length, items: asRows(payload) };
  return { total: asNumber(field(payload, "total")), items: asRows(field(payload, "items")) };
}
