// Subscription to the shell's "core-event" stream (progress, changed keys, changed profiles).
// Outside the desktop app there are no events: subscribing succeeds and never calls back.
import { listen } from "@tauri-apps/api/event";
import type { CoreEvent } from "./bindings";
import { insideDesktopApp } from "./runtime";

/** The Tauri event name the shell emits every core event under. */
export const CORE_EVENT = "core-event";

export type Unsubscribe = () => void;

export async function onCoreEvent(handler: (event: CoreEvent) => void): Promise<Unsubscribe> {
  if (!insideDesktopApp()) return () => {};
  return listen<CoreEvent>(CORE_EVENT, (event) => handler(event.payload));
}
