// App-wide: keeps the TanStack Query cache in step with changes the core reports (keys written or
// deleted by jobs and bulk operations, profiles edited).
import { useQueryClient } from "@tanstack/react-query";
import { applyCoreEvent } from "./coreEventCache";
import { useCoreEventListener } from "./useCoreEventListener";

export function useCoreEvents() {
  const queryClient = useQueryClient();
  useCoreEventListener((event) => applyCoreEvent(queryClient, event));
}
