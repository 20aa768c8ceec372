// A key's expiry as a countdown, with the absolute local time on hover.
import { Text, type TextProps, Tooltip } from "@mantine/core";
import { formatAbsolute, formatCountdown } from "../format/expiry";

export function Expiry({
  expiration,
  now,
  ...textProps
}: { expiration: number | null; now: number } & TextProps) {
  const label = formatCountdown(expiration, now);
  if (expiration === null) {
    return (
      <Text c="dimmed" span {...textProps}>
        {label}
      </Text>
    );
  }
  return (
    <Tooltip label={formatAbsolute(expiration)} openDelay={300}>
      <Text c={expiration * 1000 <= now ? "red" : undefined} span {...textProps}>
        {label}
      </Text>
    </Tooltip>
  );
}
