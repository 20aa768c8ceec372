// The ECharts instance behind <EChart>: created on mount (in the colour scheme's theme), given
// each new `option` with setOption, resized with its box (ResizeObserver), and disposed on
// unmount. Loaded lazily by EChart.tsx, so ECharts is parsed only when a chart is first shown.
import { Box, type BoxProps, useComputedColorScheme } from "@mantine/core";
import { useEffect, useRef } from "react";
import { type ChartOption, echarts } from "./echarts";

export type EChartProps = {
  option: ChartOption;
  height?: number | string;
  testId?: string;
  /** What the chart shows, for screen readers (the canvas itself says nothing). */
  ariaLabel: string;
} & Omit<BoxProps, "h">;

export default function EChartCanvas({
  option,
  height = 240,
  testId,
  ariaLabel,
  ...boxProps
}: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof echarts.init> | null>(null);
  const scheme = useComputedColorScheme("light");
  const latest = useRef(option);
  latest.current = option;

  // One instance per colour scheme: ECharts themes are fixed at init.
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const instance = echarts.init(element, scheme === "dark" ? "dark" : undefined, {
      renderer: "canvas",
    });
    instance.setOption({ backgroundColor: "transparent", ...latest.current });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, [scheme]);

  useEffect(() => {
    // notMerge: series removed from the option disappear from the chart.
    chart.current?.setOption({ backgroundColor: "transparent", ...option }, { notMerge: true });
  }, [option]);

  return (
    <Box
      ref={ref}
      h={height}
      w="100%"
      role="img"
      aria-label={ariaLabel}
      data-testid={testId}
      {...boxProps}
    />
  );
}
