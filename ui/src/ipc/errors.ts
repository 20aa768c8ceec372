// The error every IPC wrapper throws: the shell's {code, message} rejection as an Error subclass,
// so the UI can branch on `code` and show `message` without ever seeing raw payloads.
import type { ErrorCode, IpcError as IpcErrorPayload } from "./bindings";

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "notFound",
  "invalid",
  "readOnlyProfile",
  "rateLimited",
  "unavailable",
  "auth",
  "permission",
  "quotaExceeded",
  "database",
  "config",
  "cancelled",
  "internal",
]);

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && ERROR_CODES.has(value);
}

export class IpcError extends Error implements IpcErrorPayload {
  override readonly name = "IpcError";

  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** Normalises whatever invoke() rejected with; Tauri itself rejects with a bare string for
   * failures outside the command (unknown command, bad arguments). */
  static from(reason: unknown): IpcError {
    if (reason instanceof IpcError) return reason;
    if (typeof reason === "string") return new IpcError("internal", reason);
    if (typeof reason === "object" && reason !== null) {
      const { code, message } = reason as Record<string, unknown>;
      const text = typeof message === "string" ? message : "Unexpected error from the app";
      return new IpcError(isErrorCode(code) ? code : "internal", text);
    }
    return new IpcError("internal", "Unexpected error from the app");
  }
}
