// Picks the typed view a report names (ReportValue.view); an unknown view, or a payload that is
// not an object, is shown as the JSON tree.
import { Alert, Stack } from "@mantine/core";
import type { ComponentType } from "react";
import { JsonTree } from "../JsonTree";
import { isRecord } from "../payload";
import { AttentionNeededView, SystemHealthView, TodoStatsView } from "./OpsViews";
import { ConversationListView, DashboardView, OpportunityListView } from "./PageCacheViews";
import {
  CloseCasesView,
  MtdUploadsView,
  RepView,
  TeamPerformanceView,
  UploadRankingView,
} from "./SalesViews";

const VIEWS: Record<string, ComponentType<{ payload: unknown }>> = {
  "system-health": SystemHealthView,
  "close-cases": CloseCasesView,
  "attention-needed": AttentionNeededView,
  "todo-stats": TodoStatsView,
  "team-performance": TeamPerformanceView,
  "mtd-uploads": MtdUploadsView,
  rep: RepView,
  "upload-ranking": UploadRankingView,
  dashboard: DashboardView,
  "conversation-list": ConversationListView,
  "opportunity-list": OpportunityListView,
};

/** Whether the app has a typed view of this name. */
export function hasTypedView(view: string | null): boolean {
  return view !== null && view in VIEWS;
}

export function ReportPayloadView({ view, payload }: { view: string | null; payload: unknown }) {
  const Typed = view === null ? undefined : VIEWS[view];
  const fitsView = Array.isArray(payload)
    ? view === "conversation-list" || view === "opportunity-list"
    : isRecord(payload);
  if (Typed && fitsView) return <Typed payload={payload} />;
  return (
    <Stack gap="xs">
      {view !== null && (
        <Alert color="gray" variant="light" data-testid="report-view-fallback">
          {Typed
            ? `This value does not have the shape of the “${view}” view; showing it as a tree.`
            : `The app has no view named “${view}”; showing the value as a tree.`}
        </Alert>
      )}
      <JsonTree value={payload} />
    </Stack>
  );
}
