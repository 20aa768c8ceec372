// A fan-out report's parameters: rendering and matching its key template (`report:team:{dept}`),
// the values offered in the key picker, and what the user typed (a value, `name=value` pairs, or
// a whole key).
import type { ReportSummary } from "../ipc/bindings";

/** Values for a report's key template placeholders, e.g. `{ dept: "default" }`. */
export type ReportParams = Record<string, string>;

type Part = { literal: string } | { param: string };

/** Splits `report:team:{dept}` into literals and placeholders. */
export function templateParts(template: string): Part[] {
  const parts: Part[] = [];
  const pattern = /\{([^{}]+)\}/g;
  let last = 0;
  for (let match = pattern.exec(template); match !== null; match = pattern.exec(template)) {
    if (match.index > last) parts.push({ literal: template.slice(last, match.index) });
    parts.push({ param: match[1] ?? "" });
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  return parts;
}

/** The key for `params`, or null while a placeholder has no (non-empty) value. */
export function renderKeyTemplate(template: string, params: ReportParams): string | null {
  let key = "";
  for (const part of templateParts(template)) {
    if ("literal" in part) key += part.literal;
    else {
      const value = params[part.param];
      if (value === undefined || value === "") return null;
      key += value;
    }
  }
  return key;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The params a key gives the template (`report:team:sales` → `{dept: "sales"}`), or null.
 * A placeholder matches one or more characters; the last literal decides where it ends. */
export function matchKeyTemplate(template: string, key: string): ReportParams | null {
  const names: string[] = [];
  let source = "^";
  for (const part of templateParts(template)) {
    if ("literal" in part) source += escapeRegExp(part.literal);
    else {
      names.push(part.param);
      source += "(.+?)";
    }
  }
  const match = new RegExp(`${source}$`).exec(key);
  if (!match) return null;
  const params: ReportParams = {};
  names.forEach((name, i) => {
    params[name] = match[i + 1] ?? "";
  });
  return params;
}

export type ParamInput = { params: ReportParams } | { error: string };

/** Reads what was typed in a report's key box: a whole key matching the template, `name=value`
 * pairs separated by spaces or commas, or (one placeholder) the bare value. */
export function parseParamInput(template: string, names: string[], input: string): ParamInput {
  const text = input.trim();
  if (text === "") return { error: "Type a value" };
  const fromKey = matchKeyTemplate(template, text);
  if (fromKey && names.every((n) => fromKey[n])) return { params: fromKey };
  if (text.includes("=")) {
    const params: ReportParams = {};
    for (const pair of text.split(/[\s,]+/).filter(Boolean)) {
      const at = pair.indexOf("=");
      const name = at < 0 ? "" : pair.slice(0, at).trim();
      const value = at < 0 ? "" : pair.slice(at + 1).trim();
      if (!name || !value) return { error: `“${pair}” is not name=value` };
      if (!names.includes(name)) {
        return { error: `This report has no {${name}}; its key is ${template}` };
      }
      params[name] = value;
    }
    const missing = names.filter((n) => !params[n]);
    if (missing.length > 0) return { error: `Missing ${missing.map((m) => `{${m}}`).join(", ")}` };
    return { params };
  }
  if (names.length === 1 && names[0] !== undefined) return { params: { [names[0]]: text } };
  return { error: `Type ${names.map((n) => `${n}=…`).join(" ")} or a whole key` };
}

/** The distinct values of one placeholder among the listed keys, in order. */
export function paramValues(summary: Pick<ReportSummary, "keys">, name: string): string[] {
  const seen = new Set<string>();
  for (const key of summary.keys) {
    const value = key.params[name];
    if (value !== undefined) seen.add(value);
  }
  return [...seen].sort((a, b) => a.localeCompare(b));
}

/** Params as ts-rs types a map (values possibly undefined), without the undefined ones. */
export function definedParams(params: { [name: string]: string | undefined }): ReportParams {
  const out: ReportParams = {};
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** The params to open a report with: none for a single-key report, else the first listed key's
 * (null when no key is listed: the user has to type one). */
export function defaultParams(
  summary: Pick<ReportSummary, "params" | "keys">,
): ReportParams | null {
  if (summary.params.length === 0) return {};
  const first = summary.keys[0];
  return first ? definedParams(first.params) : null;
}

/** Whether two param sets are the same. */
export function sameParams(a: ReportParams, b: ReportParams): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
