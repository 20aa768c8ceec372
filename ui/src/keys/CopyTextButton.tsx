// Copies a text to the clipboard and says so for a moment; a copy that fails says that instead.
// `unavailable` names why there is nothing to copy (the button then stays inert).
import { Button, Tooltip } from "@mantine/core";
import { useEffect, useState } from "react";

type Status = "idle" | "copied" | "failed";

export function CopyTextButton({
  text,
  label,
  testId,
  unavailable,
}: {
  text: string;
  label: string;
  testId: string;
  unavailable?: string;
}) {
  const [status, setStatus] = useState<Status>("idle");
  useEffect(() => {
    if (status === "idle") return;
    const id = setTimeout(() => setStatus("idle"), status === "copied" ? 1500 : 4000);
    return () => clearTimeout(id);
  }, [status]);

  const copy = () => {
    if (unavailable) return;
    if (!navigator.clipboard) {
      setStatus("failed");
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setStatus("copied"),
      () => setStatus("failed"),
    );
  };

  const tooltip =
    unavailable ?? (status === "failed" ? "The clipboard refused the copy" : undefined);
  return (
    <Tooltip
      label={tooltip}
      disabled={tooltip === undefined}
      opened={status === "failed" || undefined}
    >
      <Button
        size="compact-sm"
        variant="default"
        color={status === "failed" ? "red" : undefined}
        data-testid={testId}
        data-status={status}
        data-disabled={unavailable ? true : undefined}
        aria-disabled={unavailable !== undefined}
        onClick={copy}
      >
        {status === "copied" ? "Copied" : label}
      </Button>
    </Tooltip>
  );
}
