// Typed wrappers around the shell's commands. Every failure surfaces as an IpcError, including
// running in a plain browser (`npm run dev` without the desktop shell), where nothing is faked.
import { type InvokeArgs, invoke } from "@tauri-apps/api/core";
import type { KeyPage, ProfileView, ValueView } from "./bindings";
import { IpcError } from "./errors";

export type ListKeysArgs = {
  profile: string;
  prefix: string | null;
  cursor: string | null;
  limit: number | null;
};

export type GetValueArgs = {
  profile: string;
  key: string;
  /** Null asks for the whole value. */
  maxBytes: number | null;
};

function insideDesktopApp(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  if (!insideDesktopApp()) {
    throw new IpcError("unavailable", "Not running inside the Cachescope desktop app");
  }
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw IpcError.from(reason);
  }
}

export const listProfiles = (): Promise<ProfileView[]> => call("list_profiles");

export const listKeys = (args: ListKeysArgs): Promise<KeyPage> => call("list_keys", args);

export const getValue = (args: GetValueArgs): Promise<ValueView> => call("get_value", args);
