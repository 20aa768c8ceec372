// The one way the UI calls the shell: every failure surfaces as an IpcError, including running
// in a plain browser (`npm run dev` without the desktop shell), where nothing is faked. The typed
// wrappers around it are generated into commands.ts.
import { type InvokeArgs, invoke } from "@tauri-apps/api/core";
import { IpcError } from "./errors";
import { insideDesktopApp } from "./runtime";

export async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  if (!insideDesktopApp()) {
    throw new IpcError("unavailable", "Not running inside the Cachescope desktop app");
  }
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw IpcError.from(reason);
  }
}
