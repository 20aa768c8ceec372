// A generic chart: <EChart option={...} ariaLabel="..." />, any ECharts option built by the
// screen (reports today, statistics next). The ECharts code is a separate chunk loaded on first
// use, so the app starts without parsing it; until it is there, a placeholder keeps the space.
import { Skeleton } from "@mantine/core";
import { lazy, Suspense } from "react";
import type { EChartProps } from "./EChartCanvas";

const EChartCanvas = lazy(() => import("./EChartCanvas"));

export type { ChartOption } from "./echarts";

export function EChart(props: EChartProps) {
  return (
    <Suspense fallback={<Skeleton h={props.height ?? 240} w="100%" />}>
      <EChartCanvas {...props} />
    </Suspense>
  );
}
