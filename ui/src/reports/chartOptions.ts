// ECharts options for the report views, built from plain figures (pure, so they are unit-tested
// without a canvas).
import type { ChartOption } from "../charts/echarts";

const GRID = { left: 8, right: 16, top: 24, bottom: 8, containLabel: true } as const;

/** Bars per category: vertical by default, horizontal (names on the left) for people. */
export function barOption({
  categories,
  values,
  seriesName,
  horizontal = false,
  color,
}: {
  categories: string[];
  values: number[];
  seriesName: string;
  horizontal?: boolean;
  color?: string;
}): ChartOption {
  const categoryAxis = {
    type: "category" as const,
    data: categories,
    axisTick: { alignWithLabel: true },
    // Horizontal bars list people top-down in the order given.
    inverse: horizontal,
  };
  const valueAxis = { type: "value" as const, minInterval: 1 };
  return {
    aria: { enabled: true },
    grid: GRID,
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: horizontal ? valueAxis : categoryAxis,
    yAxis: horizontal ? categoryAxis : valueAxis,
    series: [
      {
        type: "bar",
        name: seriesName,
        data: values,
        barMaxWidth: 28,
        label: { show: true, position: horizontal ? "right" : "top" },
        ...(color ? { itemStyle: { color } } : {}),
      },
    ],
  };
}

/** A daily series as columns with a line of the cumulative total. */
export function dailyOption(days: { date: string; uploads: number }[]): ChartOption {
  let running = 0;
  const cumulative = days.map((d) => {
    running += d.uploads;
    return running;
  });
  return {
    aria: { enabled: true },
    grid: { ...GRID, top: 36 },
    legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: days.map((d) => d.date.slice(5)) },
    yAxis: [
      { type: "value", minInterval: 1, name: "per day" },
      { type: "value", minInterval: 1, name: "total", splitLine: { show: false } },
    ],
    series: [
      { type: "bar", name: "Uploads", data: days.map((d) => d.uploads), barMaxWidth: 18 },
      {
        type: "line",
        name: "Month to date",
        data: cumulative,
        yAxisIndex: 1,
        smooth: true,
        symbolSize: 4,
      },
    ],
  };
}

/** MEDDIC status colours, strongest to weakest. */
export const STATUS_COLORS: Record<string, string> = {
  Strong: "#2f9e44",
  Medium: "#1c7ed6",
  Weak: "#f08c00",
  "At Risk": "#e03131",
};

/** A donut of counts per status, with the total in the middle. */
export function donutOption(items: { status: string; count: number }[]): ChartOption {
  const total = items.reduce((sum, i) => sum + i.count, 0);
  return {
    aria: { enabled: true },
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { orient: "vertical", right: 0, top: "middle" },
    title: {
      text: String(total),
      subtext: "analyses",
      left: "34%",
      top: "40%",
      textAlign: "center",
      textStyle: { fontSize: 20 },
    },
    series: [
      {
        type: "pie",
        name: "Status",
        radius: ["48%", "72%"],
        center: ["35%", "50%"],
        avoidLabelOverlap: true,
        label: { show: false },
        data: items.map((i) => ({
          name: i.status,
          value: i.count,
          ...(STATUS_COLORS[i.status] ? { itemStyle: { color: STATUS_COLORS[i.status] } } : {}),
        })),
      },
    ],
  };
}
