import { describe, expect, it } from "vitest";
import {
  checkScheduleDraft,
  optionsText,
  parseOptions,
  scheduleArgs,
  scheduleErrorField,
} from "./jobForms";

describe("schedule form", () => {
  it("sends an empty cron as by hand only and tidies spaces", () => {
    expect(scheduleArgs({ cron: "  ", timeZone: " UTC " })).toEqual({
      schedule: null,
      timeZone: "UTC",
    });
    expect(scheduleArgs({ cron: " */15  * * * * ", timeZone: "UTC" }).schedule).toBe(
      "*/15 * * * *",
    );
  });

  it("catches a wrong number of cron fields and an empty time zone", () => {
    expect(checkScheduleDraft({ cron: "*/15 * *", timeZone: "" })).toEqual({
      cron: expect.stringMatching(/has 3$/),
      timeZone: expect.stringMatching(/IANA/),
    });
    expect(checkScheduleDraft({ cron: "0 0 2 * * *", timeZone: "Europe/Berlin" })).toEqual({});
    expect(checkScheduleDraft({ cron: "", timeZone: "UTC" })).toEqual({});
  });

  it("puts the core's refusal next to the field it names", () => {
    expect(
      scheduleErrorField('time zone of job archive: "Mars/Base" is not an IANA time zone'),
    ).toBe("timeZone");
    expect(scheduleErrorField("schedule of job archive: invalid minute 61")).toBe("cron");
    expect(scheduleErrorField("the Postgres database reported an error")).toBeNull();
  });
});

describe("options editor", () => {
  it("starts from the job's own options as indented JSON, without the job tag", () => {
    expect(optionsText({ job: "invalidate-user", historyDays: 90 })).toBe(
      '{\n  "historyDays": 90\n}',
    );
    expect(
      optionsText({
        job: "sweep",
        historyDays: 30,
        sweepRules: [],
        maxDeletePercent: 10,
      }),
    ).not.toContain('"job"');
  });

  it("accepts a JSON object", () => {
    expect(parseOptions('{"retentionDays": 7}')).toEqual({ ok: true, value: { retentionDays: 7 } });
  });

  it("refuses empty text, bad JSON and non-objects", () => {
    expect(parseOptions("  ")).toEqual({ ok: false, error: expect.stringMatching(/JSON object/) });
    expect(parseOptions("{retentionDays: 7}")).toEqual({
      ok: false,
      error: expect.stringMatching(/^Not valid JSON/),
    });
    expect(parseOptions("[1]")).toEqual({ ok: false, error: expect.stringMatching(/object/) });
    expect(parseOptions("null")).toEqual({ ok: false, error: expect.stringMatching(/object/) });
  });
});
