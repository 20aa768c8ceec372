// Every TanStack Query key in one place, so invalidation (e.g. from shell events) can target them.

export const queryKeys = {
  profiles: () => ["profiles"] as const,
  /** The namespaces a profile can point at (refreshed with the profiles). */
  namespaces: (profile: string) => ["profiles", profile, "namespaces"] as const,
  /** Prefix for every key listing and value of one profile. */
  profile: (profile: string) => ["profile", profile] as const,
  /** Prefix for every key listing (any prefix filter) of one profile. */
  keyListings: (profile: string) => ["profile", profile, "keys"] as const,
  keys: (profile: string, prefix: string) => ["profile", profile, "keys", prefix] as const,
  /** Prefix for every value of one profile. */
  values: (profile: string) => ["profile", profile, "value"] as const,
  /** Prefix for one key's value, whatever size cap it was read with. */
  keyValue: (profile: string, key: string) => ["profile", profile, "value", key] as const,
  value: (profile: string, key: string, maxBytes: number | null) =>
    ["profile", profile, "value", key, maxBytes] as const,
  /** Prefix for everything the Reports screen reads of one profile. */
  reports: (profile: string) => ["profile", profile, "reports"] as const,
  reportList: (profile: string, offline: boolean) =>
    ["profile", profile, "reports", "list", offline] as const,
  /** One report key's value; params are part of the key (sorted, so equal params share it). */
  reportValue: (
    profile: string,
    report: string,
    params: Record<string, string>,
    offline: boolean,
  ) =>
    [
      "profile",
      profile,
      "reports",
      "value",
      report,
      Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      offline,
    ] as const,
  precomputeRuns: (profile: string) => ["profile", profile, "reports", "runs"] as const,
  /** Prefix for everything the Jobs screen reads of one profile (table and history). */
  jobs: (profile: string) => ["profile", profile, "jobs"] as const,
  jobList: (profile: string) => ["profile", profile, "jobs", "list"] as const,
  /** Run history of one job, or of all (`null`). */
  jobHistory: (profile: string, job: string | null) =>
    ["profile", profile, "jobs", "history", job] as const,
  /** The audit log a profile sees (its database's shared log, or this machine's). */
  audit: (profile: string | null) => ["audit", profile] as const,
  /** Every audit log query, to refresh after a change. */
  auditAll: () => ["audit"] as const,
  scheduler: () => ["scheduler"] as const,
  cacheStats: (profile: string, since: string, family: string | null, granularity: string | null) =>
    ["profile", profile, "stats", since, family, granularity] as const,
};
