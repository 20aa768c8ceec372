// Generated from the Rust types by ts-rs (src-tauri/src/ipc_bindings.rs); do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test -p cachescope-app ipc_bindings

export type ErrorCode = "notFound" | "invalid" | "readOnlyProfile" | "rateLimited" | "unavailable" | "auth" | "permission" | "quotaExceeded" | "database" | "config" | "cancelled" | "internal";

export type IpcError = { code: ErrorCode, message: string, };

export type ProfileKind = "local" | "cloudflare";

export type ProfileView = { name: string, kind: ProfileKind, accountId: string | null, namespaceId: string | null, baseUrl: string | null, 
/**
 * Local namespace file (local profiles; `None` = the default file).
 */
path: string | null, postgresUrl: string | null, 
/**
 * Whether writes are refused (read-only, or production and not unlocked).
 */
readOnly: boolean, 
/**
 * The profile's own read-only setting, apart from the production lock.
 */
readOnlySetting: boolean, production: boolean, unlocked: boolean, tokenSet: boolean, dbPasswordSet: boolean, isDefault: boolean, };

export type ProfileInput = { name: string, kind: ProfileKind, accountId: string | null, namespaceId: string | null, baseUrl: string | null, path: string | null, postgresUrl: string | null, readOnly: boolean, production: boolean, unlocked: boolean, };

export type ConnectionCheck = { store: string, 
/**
 * Keys seen in a first page of at most 10 (0 for an empty namespace).
 */
sampleKeys: number, roundTripMs: number, };

export type Namespace = { id: string, title: string, };

export type KeyView = { name: string, 
/**
 * Absolute expiry, Unix seconds.
 */
expiration: number | null, 
/**
 * The key's metadata as JSON text (parse it losslessly), or `None`.
 */
metadata: string | null, };

export type KeyPageView = { keys: Array<KeyView>, cursor: string | null, };

export type ValueEncoding = "utf8" | "base64";

export type ValueView = { key: string, sizeBytes: number, expiration: number | null, 
/**
 * The key's metadata as JSON text (parse it losslessly), or `None`.
 */
metadata: string | null, encoding: ValueEncoding, data: string, 
/**
 * The value is longer than `max_bytes`; `data` holds only its start.
 */
truncated: boolean, };

export type PrefixDeletion = { profile: string, prefix: string, dryRun: boolean, 
/**
 * Keys under the prefix when listed.
 */
matched: number, 
/**
 * The first keys, in order.
 */
sample: Array<string>, 
/**
 * Keys the server said it deleted.
 */
deleted: number, 
/**
 * Keys the server reported as not processed (Cloudflare's `unsuccessful_keys`): they are
 * still there, and deleting the prefix again retries them.
 */
failed: number, 
/**
 * The first keys that could not be deleted, at most [`SAMPLE_SIZE`].
 */
failedSample: Array<string>, cancelled: boolean, };

export type ProgressUpdate = { phase: string, done: number, total: number | null, };

export type CoreEvent = { "type": "progressReported", operation: string, phase: string, done: number, total: number | null, } | { "type": "keysChanged", profile: string, count: number, } | { "type": "profilesChanged" };
