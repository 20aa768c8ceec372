// The key picker of a fan-out report: one searchable box per placeholder offering the values of
// the listed keys (up to 500), where a value that is not listed can be typed too, as can a whole
// key or `name=value` pairs. Enter, Show or picking an option applies it.
import { Autocomplete, Button, Group, Stack, Text } from "@mantine/core";
import { type FormEvent, useState } from "react";
import { formatCount } from "../format/count";
import type { ReportSummary } from "../ipc/bindings";
import { paramValues, parseParamInput, type ReportParams } from "./reportParams";

export function ParamPicker({
  summary,
  params,
  onChange,
}: {
  summary: ReportSummary;
  params: ReportParams | null;
  onChange: (params: ReportParams) => void;
}) {
  const names = summary.params;
  const [drafts, setDrafts] = useState<ReportParams>(() => ({ ...(params ?? {}) }));
  const [error, setError] = useState<string | null>(null);

  const apply = (next: ReportParams) => {
    let parsed: ReturnType<typeof parseParamInput>;
    if (names.length === 1 && names[0] !== undefined) {
      parsed = parseParamInput(summary.keyTemplate, names, next[names[0]] ?? "");
    } else {
      // Several placeholders: a whole key pasted in any box fills them all.
      const pasted = Object.values(next)
        .map((v) => parseParamInput(summary.keyTemplate, names, v))
        .find((p) => "params" in p && Object.keys(p.params).length === names.length);
      const missing = names.filter((n) => !next[n]?.trim());
      parsed =
        pasted ??
        (missing.length > 0
          ? { error: `Missing ${missing.map((m) => `{${m}}`).join(", ")}` }
          : { params: Object.fromEntries(names.map((n) => [n, (next[n] ?? "").trim()])) });
    }
    if ("error" in parsed) {
      setError(parsed.error);
      return;
    }
    setError(null);
    setDrafts(parsed.params);
    onChange(parsed.params);
  };

  const listed =
    summary.keyCount > summary.keys.length
      ? `${formatCount(summary.keys.length)} of ${formatCount(summary.keyCount)} keys listed; type any other value`
      : `${formatCount(summary.keyCount)} ${summary.keyCount === 1 ? "key" : "keys"} in KV; type another value to compute it live`;

  return (
    // Enter submits the typed value; Enter on a highlighted option picks the option instead (the
    // combobox prevents the submit then), so a half-typed value is never read.
    <Stack
      component="form"
      gap={4}
      data-testid="report-param-picker"
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        apply(drafts);
      }}
    >
      <Group gap="xs" align="flex-end" wrap="nowrap">
        {names.map((name) => (
          <Autocomplete
            key={name}
            label={`{${name}}`}
            size="xs"
            flex={1}
            miw={160}
            placeholder={`Pick or type ${name}`}
            data={paramValues(summary, name)}
            limit={100}
            maxDropdownHeight={280}
            value={drafts[name] ?? ""}
            onChange={(value) => setDrafts((d) => ({ ...d, [name]: value }))}
            onOptionSubmit={(value) => apply({ ...drafts, [name]: value })}
            error={error !== null}
            spellCheck={false}
            data-testid="report-param"
            data-param={name}
          />
        ))}
        <Button
          size="xs"
          variant="light"
          onClick={() => apply(drafts)}
          data-testid="report-param-apply"
        >
          Show
        </Button>
      </Group>
      {error ? (
        <Text size="xs" c="red" data-testid="report-param-error">
          {error}
        </Text>
      ) : (
        <Text size="xs" c="dimmed">
          {listed}
        </Text>
      )}
    </Stack>
  );
}
