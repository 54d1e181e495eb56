import type { MessageInput } from "@smtp/client";
import { SmtpError } from "@smtp/client";

/** `{{column}}`, spaces allowed inside the braces. */
const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

function invalid(message: string): SmtpError {
  return new SmtpError({ kind: "invalid-input", message, retryable: false });
}

/** One row of the CSV file: column name → value. */
export type Row = Readonly<Record<string, string>>;

/** A message template: JSON (a message description) or a prepared `.eml`. */
export type Template =
  | { kind: "json"; value: unknown }
  | { kind: "eml"; header: string; body: string };

/** The columns a template uses, in order of appearance. */
export function placeholdersOf(template: Template): string[] {
  const names = new Set<string>();
  const scan = (text: string): void => {
    for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1] as string);
  };
  if (template.kind === "eml") {
    scan(template.header);
    scan(template.body);
  } else {
    const walk = (value: unknown): void => {
      if (typeof value === "string") scan(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === "object" && value !== null) Object.values(value).forEach(walk);
    };
    walk(template.value);
  }
  return [...names];
}

/** Reads a template file's text: `.json` is parsed, anything else is an `.eml`. */
export function parseTemplate(path: string, text: string): Template {
  if (path.toLowerCase().endsWith(".json")) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalid(`--template: ${path} is not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw invalid(`--template: ${path} must hold one message object ({"from": …, "to": …})`);
    }
    return { kind: "json", value };
  }
  const end = /\r?\n\r?\n/.exec(text);
  return end === null
    ? { kind: "eml", header: text, body: "" }
    : { kind: "eml", header: text.slice(0, end.index), body: text.slice(end.index) };
}

function fill(text: string, row: Row, header: boolean): string {
  return text.replace(PLACEHOLDER, (_, name: string) => {
    const value = row[name] ?? "";
    // R1: a value substituted into a raw header section must not start a new field.
    if (header && /[\r\n\0]/.test(value)) {
      throw invalid(
        `the value of column "${name}" has a line break, which cannot go in a header field`,
      );
    }
    return value;
  });
}

/**
 * The message of one row: every `{{column}}` replaced by the row's value. In a JSON
 * template only string values are filled (never keys), so a value cannot change the
 * structure; the message builder then refuses line breaks in header fields (R1). In an
 * `.eml` template a value with a line break is refused in the header section.
 *
 * @throws SmtpError kind `invalid-input`.
 */
export function messageFor(template: Template, row: Row): MessageInput {
  if (template.kind === "eml") {
    return { raw: fill(template.header, row, true) + fill(template.body, row, false) };
  }
  const walk = (value: unknown): unknown => {
    if (typeof value === "string") return fill(value, row, false);
    if (Array.isArray(value)) return value.map(walk);
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return walk(template.value) as MessageInput;
}
