import { describe, expect, it } from "vitest";
import { barOption, dailyOption, donutOption } from "./chartOptions";

describe("chart options", () => {
  it("bar charts put people on the category axis", () => {
    const option = barOption({
      categories: ["Ann", "Ben"],
      values: [3, 1],
      seriesName: "Overdue",
      horizontal: true,
    });
    expect(option.yAxis).toMatchObject({ type: "category", data: ["Ann", "Ben"], inverse: true });
    expect(option.xAxis).toMatchObject({ type: "value" });
    expect(option.series).toMatchObject([{ type: "bar", name: "Overdue", data: [3, 1] }]);
  });
  it("the daily chart adds a running total", () => {
    const option = dailyOption([
      { date: "2026-11-01", uploads: 2 },
      { date: "2026-11-02", uploads: 0 },
      { date: "2026-11-03", uploads: 3 },
    ]);
    expect(option.xAxis).toMatchObject({ data: ["11-01", "11-02", "11-03"] });
    expect(option.series).toMatchObject([
      { type: "bar", data: [2, 0, 3] },
      { type: "line", data: [2, 2, 5] },
    ]);
  });
  it("the donut colours MEDDIC statuses and totals them", () => {
    const option = donutOption([
      { status: "Strong", count: 2 },
      { status: "At Risk", count: 1 },
    ]);
    expect(option.title).toMatchObject({ text: "3" });
    expect(option.series).toMatchObject([
      {
        type: "pie",
        data: [
          { name: "Strong", value: 2, itemStyle: { color: "#2f9e44" } },
          { name: "At Risk", value: 1, itemStyle: { color: "#e03131" } },
        ],
      },
    ]);
  });
});
