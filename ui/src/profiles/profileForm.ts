// The add/edit profile form's values, their validation (the same rules the core applies, so
// mistakes show next to the field before a round trip) and the save_profile arguments they make.
import type { ProfileKind, ProfileView, SecretPlace } from "../ipc/bindings";
import type { SaveProfileArgs } from "../ipc/commands";

export interface ProfileFormValues {
  name: string;
  kind: ProfileKind;
  accountId: string;
  namespaceId: string;
  baseUrl: string;
  path: string;
  postgresUrl: string;
  readOnly: boolean;
  production: boolean;
  unlocked: boolean;
  /** Empty = keep the stored token (none for a new profile). */
  token: string;
  /** Empty = keep the stored Postgres password. */
  dbPassword: string;
}

export type ProfileFormErrors = Partial<Record<keyof ProfileFormValues, string>>;

export const PROFILE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export const DEFAULT_CLOUDFLARE_BASE_URL = "https://api.cloudflare.com/client/v4";

export function emptyProfileForm(): ProfileFormValues {
  return {
    name: "",
    kind: "cloudflare",
    accountId: "",
    namespaceId: "",
    baseUrl: "",
    path: "",
    postgresUrl: "",
    readOnly: false,
    production: false,
    unlocked: false,
    token: "",
    dbPassword: "",
  };
}

/** The form for editing `view`, from the profile's stored settings (the read-only setting, not
 * the effective flag that a production lock also sets). */
export function profileFormFromView(view: ProfileView): ProfileFormValues {
  return {
    name: view.name,
    kind: view.kind,
    accountId: view.accountId ?? "",
    namespaceId: view.namespaceId ?? "",
    baseUrl: view.baseUrl ?? "",
    path: view.path ?? "",
    postgresUrl: view.postgresUrl ?? "",
    readOnly: view.readOnlySetting,
    production: view.production,
    unlocked: view.production && view.unlocked,
    token: "",
    dbPassword: "",
  };
}

/** Whether a profile saved from these values refuses writes. */
export function refusesWrites(values: ProfileFormValues): boolean {
  return values.readOnly || (values.production && !values.unlocked);
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Whether a URL's host is this machine (127.0.0.0/8, ::1, localhost): the only hosts plain http
 * may reach, as the core allows. `hostname` is as `URL` normalises it (IPv6 in brackets). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/** Where a stored secret is, as the profile form and the profiles table say it. */
export function secretPlaceText(place: SecretPlace, what: string): string {
  switch (place) {
    case "keychain":
      return `The ${what} is kept in the OS keychain.`;
    case "file":
      return `The ${what} is kept in a file only you can read (no OS keychain on this system).`;
    case "environment":
      return `The ${what} comes from an environment variable, which overrides any stored one.`;
    case "none":
      return `No ${what} is stored yet.`;
  }
}

/** The short badge label of a secret's place, e.g. "Token in file", "No DB password". */
export function secretPlaceBadge(place: SecretPlace, what: string): string {
  const label = what.charAt(0).toUpperCase() + what.slice(1);
  switch (place) {
    case "keychain":
      return `${label} in keychain`;
    case "file":
      return `${label} in file`;
    case "environment":
      return `${label} from env`;
    case "none":
      return `No ${what}`;
  }
}

export function validateProfileForm(
  values: ProfileFormValues,
  context: { existingNames: readonly string[]; editing: boolean },
): ProfileFormErrors {
  const errors: ProfileFormErrors = {};
  if (!PROFILE_NAME_PATTERN.test(values.name)) {
    errors.name = "Use 1-64 letters, digits, '.', '_' or '-'";
  } else if (!context.editing && context.existingNames.includes(values.name)) {
    errors.name = `A profile named “${values.name}” already exists`;
  }
  if (values.kind === "cloudflare") {
    if (values.accountId.trim() === "")
      errors.accountId = "A Cloudflare profile needs an account id";
    if (values.namespaceId.trim() === "") {
      errors.namespaceId = "A Cloudflare profile needs a namespace id";
    }
    const baseUrl = values.baseUrl.trim();
    if (baseUrl !== "") {
      const url = parseUrl(baseUrl);
      if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
        errors.baseUrl = `Enter a full http(s) URL, e.g. ${DEFAULT_CLOUDFLARE_BASE_URL}`;
      } else if (url.protocol === "http:" && !isLoopbackHost(url.hostname)) {
        errors.baseUrl =
          "http:// would send the API token in clear text; use https:// (http:// only for 127.0.0.1, ::1 or localhost)";
      }
    }
  }
  const postgresUrl = values.postgresUrl.trim();
  if (postgresUrl !== "") {
    const url = parseUrl(postgresUrl);
    if (!url || (url.protocol !== "postgres:" && url.protocol !== "postgresql:")) {
      errors.postgresUrl = "Enter a URL starting with postgres:// or postgresql://";
    } else if (
      url.password !== "" ||
      [...url.searchParams.keys()].some((key) => key.toLowerCase() === "password")
    ) {
      errors.postgresUrl = "Leave the password out of the URL and put it in the password field";
    }
  } else if (values.dbPassword !== "") {
    errors.dbPassword = "A password needs a Postgres URL";
  }
  return errors;
}

function optional(text: string): string | null {
  const trimmed = text.trim();
  return trimmed === "" ? null : trimmed;
}

/** The save_profile arguments; fields that do not apply to the kind are sent as null. */
export function toSaveProfileArgs(values: ProfileFormValues): SaveProfileArgs {
  const cloudflare = values.kind === "cloudflare";
  return {
    profile: {
      name: values.name,
      kind: values.kind,
      accountId: cloudflare ? optional(values.accountId) : null,
      namespaceId: optional(values.namespaceId),
      baseUrl: cloudflare ? optional(values.baseUrl) : null,
      path: cloudflare ? null : optional(values.path),
      postgresUrl: optional(values.postgresUrl),
      readOnly: values.readOnly,
      production: values.production,
      unlocked: values.production && values.unlocked,
    },
    token: cloudflare ? optional(values.token) : null,
    dbPassword: values.dbPassword === "" ? null : values.dbPassword,
  };
}
