import { describe, expect, it } from "vitest";
import type { DefinitionCheck } from "../ipc/bindings";
import { checkLine } from "./DefinitionCheckModal";

const base: DefinitionCheck = {
  report: "user-dashboard",
  ok: true,
  stage: null,
  error: null,
  line: null,
  column: null,
  parameters: ["JSONB", "TIMESTAMPTZ", "TEXT"],
  resultType: "JSON",
  fanOutRows: 5,
  sampleKey: "user:a:analytics:dashboard",
  sampleBytes: 2048,
  contract: "Dashboard",
};

describe("checkLine", () => {
  it("names the sample key, its size and the contract it matches", () => {
    expect(checkLine(base)).toBe("user:a:analytics:dashboard (2 KiB); matches Dashboard");
  });
  it("says what failed and where in the SQL", () => {
    expect(
      checkLine({
        ...base,
        ok: false,
        stage: "sql",
        error: 'column "rolle" does not exist',
        line: 2,
        column: 24,
        sampleKey: null,
      }),
    ).toBe('column "rolle" does not exist (line 2, column 24)');
  });
});
