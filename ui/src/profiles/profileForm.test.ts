// Tests of the profile form: validation, and the save_profile arguments it makes.
import { describe, expect, it } from "vitest";
import type { ProfileView } from "../ipc/bindings";
import {
  emptyProfileForm,
  type ProfileFormValues,
  profileFormFromView,
  refusesWrites,
  secretPlaceBadge,
  secretPlaceText,
  toSaveProfileArgs,
  validateProfileForm,
} from "./profileForm";

const form = (fields: Partial<ProfileFormValues>): ProfileFormValues => ({
  ...emptyProfileForm(),
  name: "prod-eu",
  accountId: "acc",
  namespaceId: "ns",
  ...fields,
});
const create = { existingNames: ["local", "staging"], editing: false };
const validate = (fields: Partial<ProfileFormValues>, context = create) =>
  validateProfileForm(form(fields), context);

describe("validateProfileForm", () => {
  it("accepts a complete Cloudflare profile", () => {
    expect(validate({})).toEqual({});
    expect(validate({ baseUrl: "http://127.0.0.1:8787/client/v4" })).toEqual({});
  });

  it("checks the name pattern", () => {
    for (const name of ["a", "A.b_c-9", "x".repeat(64)]) expect(validate({ name })).toEqual({});
    for (const name of ["", "has space", "ü", "a/b", "x".repeat(65)]) {
      expect(validate({ name }).name, name).toBe("Use 1-64 letters, digits, '.', '_' or '-'");
    }
  });

  it("refuses a new profile with an existing name, but not the edited one", () => {
    expect(validate({ name: "staging" }).name).toBe("A profile named “staging” already exists");
    expect(validate({ name: "staging" }, { ...create, editing: true })).toEqual({});
  });

  it("needs an account id and namespace id for Cloudflare only", () => {
    expect(validate({ accountId: " ", namespaceId: "" })).toEqual({
      accountId: "A Cloudflare profile needs an account id",
      namespaceId: "A Cloudflare profile needs a namespace id",
    });
    expect(validate({ kind: "local", accountId: "", namespaceId: "" })).toEqual({});
  });

  it("wants a full http(s) base URL when one is given", () => {
    expect(validate({ baseUrl: "api.cloudflare.com" }).baseUrl).toMatch(/^Enter a full http/);
    expect(validate({ baseUrl: "ftp://x" }).baseUrl).toMatch(/^Enter a full http/);
  });

  it("allows plain http only to this machine, since the token would travel in clear", () => {
    for (const baseUrl of [
      "http://127.0.0.1:8787/client/v4",
      "http://127.4.5.6/client/v4",
      "http://[::1]:8787/client/v4",
      "http://localhost:8787/client/v4",
      "https://kv.example.com/client/v4",
    ]) {
      expect(validate({ baseUrl }), baseUrl).toEqual({});
    }
    for (const baseUrl of [
      "http://kv.example.com/client/v4",
      "http://10.0.0.5/client/v4",
      "http://localhost.example.com/client/v4",
    ]) {
      expect(validate({ baseUrl }).baseUrl, baseUrl).toMatch(/in clear text/);
    }
  });

  it("wants a Postgres URL without a password", () => {
    expect(validate({ postgresUrl: "postgres://app@db:5432/reports" })).toEqual({});
    expect(validate({ postgresUrl: "postgresql://db/reports" })).toEqual({});
    expect(validate({ postgresUrl: "mysql://db/x" }).postgresUrl).toMatch(/postgres:\/\//);
    expect(validate({ postgresUrl: "postgres://app:secret@db/reports" }).postgresUrl).toBe(
      "Leave the password out of the URL and put it in the password field",
    );
    expect(validate({ postgresUrl: "postgres://app@db/reports?password=secret" }).postgresUrl).toBe(
      "Leave the password out of the URL and put it in the password field",
    );
    expect(validate({ dbPassword: "secret" }).dbPassword).toBe("A password needs a Postgres URL");
  });
});

describe("secret places", () => {
  it("say where each secret is actually kept, never the keychain for a file", () => {
    expect(secretPlaceText("keychain", "token")).toBe("The token is kept in the OS keychain.");
    expect(secretPlaceText("file", "token")).toMatch(/file only you can read/);
    expect(secretPlaceText("file", "token")).not.toMatch(/keychain\.$/);
    expect(secretPlaceText("environment", "password")).toMatch(/environment variable/);
    expect(secretPlaceText("none", "password")).toBe("No password is stored yet.");
    expect(secretPlaceBadge("file", "token")).toBe("Token in file");
    expect(secretPlaceBadge("keychain", "DB password")).toBe("DB password in keychain");
    expect(secretPlaceBadge("none", "token")).toBe("No token");
    expect(secretPlaceBadge("none", "DB password")).toBe("No DB password");
  });
});

describe("toSaveProfileArgs", () => {
  it("trims, turns empty fields into null, and keeps secrets when left empty", () => {
    expect(toSaveProfileArgs(form({ accountId: " acc ", baseUrl: " " }))).toEqual({
      profile: {
        name: "prod-eu",
        kind: "cloudflare",
        accountId: "acc",
        namespaceId: "ns",
        baseUrl: null,
        path: null,
        postgresUrl: null,
        readOnly: false,
        production: false,
        unlocked: false,
      },
      token: null,
      dbPassword: null,
    });
  });

  it("sends new secrets and drops fields of the other kind", () => {
    const args = toSaveProfileArgs(
      form({ kind: "local", path: "/tmp/ns.sqlite", token: "tok", dbPassword: " pw" }),
    );
    expect(args.profile).toMatchObject({ accountId: null, baseUrl: null, path: "/tmp/ns.sqlite" });
    expect(args.token).toBeNull();
    expect(args.dbPassword).toBe(" pw");
    expect(toSaveProfileArgs(form({ token: " tok\n" })).token).toBe("tok");
  });

  it("only sends unlocked for a production profile", () => {
    expect(toSaveProfileArgs(form({ unlocked: true })).profile.unlocked).toBe(false);
    expect(toSaveProfileArgs(form({ production: true, unlocked: true })).profile.unlocked).toBe(
      true,
    );
  });
});

describe("profileFormFromView", () => {
  const view: ProfileView = {
    name: "prod",
    kind: "cloudflare",
    accountId: "acc",
    namespaceId: "ns",
    baseUrl: null,
    path: null,
    postgresUrl: "postgres://app@db/reports",
    readOnly: true,
    readOnlySetting: false,
    production: true,
    unlocked: false,
    tokenSet: true,
    dbPasswordSet: true,
    tokenLocation: "keychain",
    dbPasswordLocation: "file",
    isDefault: false,
  };

  it("fills the fields from the stored settings and leaves the secrets empty", () => {
    // Locked production: effectively read-only, but the read-only setting itself is off.
    expect(profileFormFromView(view)).toEqual({
      ...emptyProfileForm(),
      name: "prod",
      accountId: "acc",
      namespaceId: "ns",
      postgresUrl: "postgres://app@db/reports",
      readOnly: false,
      production: true,
    });
    expect(profileFormFromView({ ...view, readOnlySetting: true }).readOnly).toBe(true);
  });
});

describe("refusesWrites", () => {
  it("is true for read-only, and for production until unlocked", () => {
    expect(refusesWrites(form({}))).toBe(false);
    expect(refusesWrites(form({ readOnly: true }))).toBe(true);
    expect(refusesWrites(form({ production: true }))).toBe(true);
    expect(refusesWrites(form({ production: true, unlocked: true }))).toBe(false);
  });
});
