// Counts for people: digit grouping and a singular/plural noun ("1 key", "12,000 keys").

export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}

/** `countNoun(12000, "key")` → "12,000 keys"; irregular plurals pass `plural`. */
export function countNoun(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(count)} ${count === 1 ? singular : plural}`;
}
