// Tests of onCoreEvent inside and outside the desktop app (Tauri's listen mocked).
import { listen } from "@tauri-apps/api/event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { CoreEvent } from "./bindings";
import { CORE_EVENT, onCoreEvent } from "./events";

vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn() }));

const listenMock = vi.mocked(listen);

afterEach(() => {
  vi.unstubAllGlobals();
  listenMock.mockReset();
});

describe("onCoreEvent", () => {
  it("is a no-op subscription outside the desktop app", async () => {
    const handler = vi.fn();
    const unsubscribe = await onCoreEvent(handler);
    expect(listenMock).not.toHaveBeenCalled();
    expect(() => unsubscribe()).not.toThrow();
    expect(handler).not.toHaveBeenCalled();
  });

  it("listens to core-event and hands over the payload", async () => {
    vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
    const unlisten = vi.fn();
    let deliver: ((event: { payload: CoreEvent }) => void) | undefined;
    listenMock.mockImplementation(async (_name, callback) => {
      deliver = callback as typeof deliver;
      return unlisten;
    });
    const handler = vi.fn();
    const unsubscribe = await onCoreEvent(handler);
    expect(listenMock).toHaveBeenCalledWith(CORE_EVENT, expect.any(Function));
    deliver?.({ payload: { type: "keysChanged", profile: "dev", count: 3 } });
    expect(handler).toHaveBeenCalledWith({ type: "keysChanged", profile: "dev", count: 3 });
    unsubscribe();
    expect(unlisten).toHaveBeenCalledOnce();
  });
});
