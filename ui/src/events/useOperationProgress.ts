// The latest progress report of one long operation (by the operationId the UI gave it), or null
// before the first report. Switching to another operationId starts again from null.
import { useState } from "react";
import type { ProgressUpdate } from "../ipc/bindings";
import { useCoreEventListener } from "./useCoreEventListener";

export function useOperationProgress(operationId: string | null): ProgressUpdate | null {
  const [state, setState] = useState<{ operationId: string | null; update: ProgressUpdate | null }>(
    { operationId, update: null },
  );
  useCoreEventListener((event) => {
    if (event.type !== "progressReported" || event.operation !== operationId) return;
    const { phase, done, total } = event;
    setState({ operationId, update: { phase, done, total } });
  });
  return state.operationId === operationId ? state.update : null;
}
