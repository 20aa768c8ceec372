// Types of the IPC contract with the Rust shell. Hand-written for now; to be replaced by the
// ts-rs output generated from the Rust types, which must keep these names.

export type ProfileKind = "local" | "cloudflare";

export interface ProfileView {
  name: string;
  kind: ProfileKind;
  accountId: string | null;
  namespaceId: string | null;
  baseUrl: string | null;
  readOnly: boolean;
  production: boolean;
  tokenSet: boolean;
  isDefault: boolean;
}

export interface KeyInfo {
  name: string;
  /** Unix seconds. */
  expiration: number | null;
  metadata: unknown | null;
}

export interface KeyPage {
  keys: KeyInfo[];
  /** Null when the listing is complete. */
  cursor: string | null;
}

export interface ValueView {
  key: string;
  sizeBytes: number;
  expiration: number | null;
  metadata: unknown | null;
  encoding: "utf8" | "base64";
  /** UTF-8 text, or base64 when the value is not valid UTF-8. */
  data: string;
  /** True when the value exceeds the maxBytes asked for; data then holds only the first maxBytes. */
  truncated: boolean;
}

export type ErrorCode =
  | "notFound"
  | "invalid"
  | "readOnlyProfile"
  | "rateLimited"
  | "unavailable"
  | "auth"
  | "permission"
  | "quotaExceeded"
  | "database"
  | "config"
  | "cancelled"
  | "internal";

export interface IpcError {
  code: ErrorCode;
  message: string;
}
