// Calls `handler` with every core event while the component is mounted. The subscription is made
// once; the latest handler is used, so callers need not memoise it.
import { useEffect, useRef } from "react";
import type { CoreEvent } from "../ipc/bindings";
import { onCoreEvent, type Unsubscribe } from "../ipc/events";

export function useCoreEventListener(handler: (event: CoreEvent) => void) {
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => {
    let unsubscribe: Unsubscribe | null = null;
    let active = true;
    onCoreEvent((event) => latest.current(event)).then(
      (stop) => {
        // Unmounted before the subscription was made: undo it at once.
        if (active) unsubscribe = stop;
        else stop();
      },
      (reason: unknown) => console.error("cannot subscribe to core events", reason),
    );
    return () => {
      active = false;
      unsubscribe?.();
    };
  }, []);
}
