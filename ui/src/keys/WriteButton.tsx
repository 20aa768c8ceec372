// A button for an action that writes to the namespace: on a read-only profile it stays visible
// but inert, with a tooltip saying why (a disabled button would swallow the hover).
import { Button, type ButtonProps, Tooltip } from "@mantine/core";
import type { MouseEventHandler } from "react";

export function WriteButton({
  readOnly,
  onClick,
  testId,
  ...buttonProps
}: ButtonProps & {
  readOnly: boolean;
  onClick: MouseEventHandler<HTMLButtonElement>;
  testId: string;
}) {
  return (
    <Tooltip label="read-only profile" disabled={!readOnly}>
      <Button
        {...buttonProps}
        data-testid={testId}
        data-disabled={readOnly || undefined}
        aria-disabled={readOnly}
        onClick={(event) => {
          if (readOnly) event.preventDefault();
          else onClick(event);
        }}
      />
    </Tooltip>
  );
}
