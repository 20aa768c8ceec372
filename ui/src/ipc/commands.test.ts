import { invoke } from "@tauri-apps/api/core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { prettyMetadata, summarizeJson } from "../format/json";
import {
  deletePrefix,
  exportReport,
  getValue,
  listKeys,
  listProfiles,
  precomputeReports,
  setKeyTtl,
  showReport,
} from "./commands";
import { IpcError } from "./errors";

vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn() }));

const invokeMock = vi.mocked(invoke);

afterEach(() => {
  vi.unstubAllGlobals();
  invokeMock.mockReset();
});

describe("commands outside the desktop app", () => {
  it("reject with an unavailable IpcError and never call invoke", async () => {
    const error = await listProfiles().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({
      code: "unavailable",
      message: "Not running inside the Cachescope desktop app",
    });
    expect(invokeMock).not.toHaveBeenCalled();
  });
});

describe("commands inside the desktop app", () => {
  it("pass camelCase args to the snake_case command", async () => {
    vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
    invokeMock.mockResolvedValue({ key: "a" });
    await getValue({ profile: "dev", key: "a", maxBytes: 1048576 });
    expect(invokeMock).toHaveBeenCalledWith("get_value", {
      profile: "dev",
      key: "a",
      maxBytes: 1048576,
    });
  });

  it("send null secrets and TTLs as null, not as missing fields", async () => {
    vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
    invokeMock.mockResolvedValue(null);
    await setKeyTtl({ profile: "dev", key: "a", ttlSeconds: null });
    expect(invokeMock).toHaveBeenCalledWith("set_key_ttl", {
      profile: "dev",
      key: "a",
      ttlSeconds: null,
    });
    await deletePrefix({
      profile: "dev",
      prefix: "report:",
      dryRun: true,
      confirmation: null,
      operationId: "op-1",
    });
    expect(invokeMock).toHaveBeenLastCalledWith("delete_prefix", {
      profile: "dev",
      prefix: "report:",
      dryRun: true,
      confirmation: null,
      operationId: "op-1",
    });
  });

  it("deliver key metadata as JSON text, so big integers survive the IPC's JSON.parse", async () => {
    vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
    // What the shell sends for a key whose metadata is {"id":12345678901234567890}, parsed the
    // way Tauri parses every IPC payload.
    const metadata = '{"id":12345678901234567890}';
    const sent = { keys: [{ name: "a", expiration: null, metadata }], cursor: null };
    invokeMock.mockResolvedValueOnce(JSON.parse(JSON.stringify(sent)));
    const page = await listKeys({ profile: "dev", prefix: null, cursor: null, limit: null });
    expect(summarizeJson(page.keys[0]?.metadata ?? null)).toBe('{"id":12345678901234567890}');

    invokeMock.mockResolvedValueOnce(
      JSON.parse(JSON.stringify({ key: "a", metadata, encoding: "utf8", data: "{}" })),
    );
    const view = await getValue({ profile: "dev", key: "a", maxBytes: null });
    expect(prettyMetadata(view.metadata ?? "")).toBe('{\n  "id": 12345678901234567890\n}');
  });

  it("turn a {code, message} rejection into an IpcError", async () => {
    vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
    invokeMock.mockRejectedValue({ code: "notFound", message: "key reports/1 not found" });
    const error = await getValue({ profile: "dev", key: "reports/1", maxBytes: null }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IpcError);
    expect(error).toMatchObject({ code: "notFound", message: "key reports/1 not found" });
  });

  it("map unknown codes and bare strings to internal", () => {
    expect(IpcError.from({ code: "weird", message: "m" })).toMatchObject({
      code: "internal",
      message: "m",
    });
    expect(IpcError.from("command list_foo not found")).toMatchObject({
      code: "internal",
      message: "command list_foo not found",
    });
  });

  it("send report params as a map and the export table as null when none is chosen", async () => {
    vi.stubGlobal("window", { __TAURI_INTERNALS__: {} });
    invokeMock.mockResolvedValue(null);
    await showReport({
      profile: "dev",
      report: "team-performance",
      params: { dept: "sales" },
      offline: false,
    });
    expect(invokeMock).toHaveBeenLastCalledWith("show_report", {
      profile: "dev",
      report: "team-performance",
      params: { dept: "sales" },
      offline: false,
    });
    await exportReport({
      profile: "dev",
      report: "system-health",
      params: {},
      offline: true,
      format: "html",
      table: null,
    });
    expect(invokeMock).toHaveBeenLastCalledWith("export_report", {
      profile: "dev",
      report: "system-health",
      params: {},
      offline: true,
      format: "html",
      table: null,
    });
    await precomputeReports({ profile: "dev", reports: [], dryRun: true, operationId: "op-2" });
    expect(invokeMock).toHaveBeenLastCalledWith("precompute_reports", {
      profile: "dev",
      reports: [],
      dryRun: true,
      operationId: "op-2",
    });
  });
});
