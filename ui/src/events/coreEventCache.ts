// What a core event means for the TanStack Query cache: changed keys or profiles are re-read
// (long key listings excepted: see refreshProfileKeys), and so are the profile's reports.
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
    case "progressReported":
      // Progress belongs to whoever started the operation (useOperationProgress).
      break;
  }
}
