// Whether a key's value matches the contract (JSON Schema) of the report that owns the key, and
// where it breaks it: "matches contract X" or "breaks X at /path".
import { Badge, Tooltip } from "@mantine/core";
import type { ContractCheck } from "../ipc/bindings";

/** The one-line text of a contract check. */
export function contractText(check: ContractCheck): string {
  return check.breach === null
    ? `matches contract ${check.contract}`
    : `breaks ${check.contract} at ${check.breach.path}`;
}

export function ContractBadge({ check }: { check: ContractCheck }) {
  const broken = check.breach !== null;
  return (
    <Tooltip
      multiline
      w={360}
      openDelay={300}
      label={
        broken
          ? `${check.breach?.message} (report ${check.report})`
          : `The value has the shape report ${check.report} promises its readers.`
      }
    >
      <Badge
        variant="light"
        color={broken ? "red" : "teal"}
        data-testid="contract-badge"
        data-contract={check.contract}
        data-breach={check.breach?.path ?? ""}
        style={{ textTransform: "none" }}
      >
        {contractText(check)}
      </Badge>
    </Tooltip>
  );
}
