// Every TanStack Query key in one place, so invalidation (e.g. from shell events) can target them.

export const queryKeys = {
  profiles: () => ["profiles"] as const,
  /** Prefix for every key listing and value of one profile. */
  profile: (profile: string) => ["profile", profile] as const,
  keys: (profile: string, prefix: string) => ["profile", profile, "keys", prefix] as const,
  value: (profile: string, key: string, maxBytes: number | null) =>
    ["profile", profile, "value", key, maxBytes] as const,
};
