// Tests of the TTL input: seconds of at least 60, or never.
import { describe, expect, it } from "vitest";
import { expirationFromTtl, parseTtlInput, TTL_PRESETS } from "./ttlInput";

describe("parseTtlInput", () => {
  it("accepts whole seconds from 60 up", () => {
    expect(parseTtlInput("60")).toEqual({ ok: true, ttlSeconds: 60 });
    expect(parseTtlInput(" 86400 ")).toEqual({ ok: true, ttlSeconds: 86400 });
  });

  it("accepts never, in any case, as no expiry", () => {
    expect(parseTtlInput("never")).toEqual({ ok: true, ttlSeconds: null });
    expect(parseTtlInput(" Never ")).toEqual({ ok: true, ttlSeconds: null });
  });

  it("refuses less than KV's minimum of 60 seconds", () => {
    expect(parseTtlInput("59")).toEqual({ ok: false, error: "KV's minimum TTL is 60 seconds" });
    expect(parseTtlInput("0")).toMatchObject({ ok: false });
  });

  it("refuses anything that is not whole seconds", () => {
    for (const text of ["", "  ", "-60", "1.5", "1e3", "60s", "abc", "0x40"]) {
      expect(parseTtlInput(text), text).toMatchObject({ ok: false });
    }
    expect(parseTtlInput("")).toEqual({
      ok: false,
      error: "Enter seconds (at least 60), or never",
    });
    expect(parseTtlInput("99999999999999999999")).toEqual({
      ok: false,
      error: "That is too long a TTL",
    });
  });

  it("accepts every preset", () => {
    for (const preset of TTL_PRESETS) expect(parseTtlInput(preset.value).ok).toBe(true);
  });
});

describe("expirationFromTtl", () => {
  it("adds the TTL to the current second", () => {
    expect(expirationFromTtl(60, 1_800_000_000_999)).toBe(1_800_000_060);
    expect(expirationFromTtl(null, 1_800_000_000_000)).toBeNull();
  });
});
