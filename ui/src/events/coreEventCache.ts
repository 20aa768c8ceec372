// What a core event means for the TanStack Query cache: changed keys or profiles are re-read
// (long key listings excepted: see refreshProfileKeys), and so are the profile's reports; a
// finished job run refreshes the Jobs screen and the audit log.
import type { QueryClient } from "@tanstack/react-query";
import type { CoreEvent } from "../ipc/bindings";
import { queryKeys } from "../ipc/queryKeys";
import { refreshProfileKeys } from "../keys/keyCache";

export function applyCoreEvent(queryClient: QueryClient, event: CoreEvent) {
  switch (event.type) {
    case "keysChanged":
      refreshProfileKeys(queryClient, event.profile, "keep");
      // Precompute and deletions change report ages and values.
      void queryClient.invalidateQueries({ queryKey: queryKeys.reports(event.profile) });
      break;
    case "profilesChanged":
      void queryClient.invalidateQueries({ queryKey: queryKeys.profiles() });
      break;
    case "jobRunFinished":
      // The jobs table (last run, running) and the history; destructive runs are audited.
      void queryClient.invalidateQueries({ queryKey: queryKeys.jobs(event.profile) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.auditAll() });
      break;
    case "progressReported":
      // Progress belongs to whoever started the operation (useOperationProgress).
      break;
  }
}
