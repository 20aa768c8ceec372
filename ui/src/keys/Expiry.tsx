// A key's expiry as a countdown ticking every second on the shared clock, with the absolute
// local time on hover.
import { Text, type TextProps, Tooltip } from "@mantine/core";
import { formatAbsolute, formatCountdown } from "../format/expiry";
import { useNow } from "./useNow";

export function Expiry({ expiration, ...textProps }: { expiration: number | null } & TextProps) {
  const now = useNow();
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
