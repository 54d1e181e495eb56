import { SmtpError } from "@smtp/core/base";
import { type KeyRule, type KeyTable, KNOWN } from "./known-keys.ts";

/**
 * Refuses any key of `value` (and of the objects nested in it, as `table` says) that the
 * table does not list as known, with `SmtpError` kind `invalid-input` naming the key by its
 * path (`pool.maxConnection`, `attachments[0].path`) and what to write instead. A key whose
 * value is `undefined` is let through: it sets nothing.
 *
 * @param value - what the caller passed; anything but a plain object is left to the
 *   field's own validation.
 * @param table - the keys of this object.
 * @param what - names the object in the message: "option", "message field", "send option".
 * @param path - the path of `value` itself ("" at the top).
 * @since 0.1.0
 */
export function checkKeys(value: unknown, table: KeyTable, what: string, path = ""): void {
  if (!isPlainObject(value)) return;
  for (const key of Object.keys(value)) {
    const field = value[key];
    if (field === undefined) continue;
    const at = path === "" ? key : `${path}.${key}`;
    const rule: KeyRule | undefined = Object.hasOwn(table, key) ? table[key] : undefined;
    if (rule === KNOWN) continue;
    if (rule === undefined) throw unknownKey(what, at, key, table, path);
    if ("table" in rule) {
      if (!rule.each) checkKeys(field, rule.table, what, at);
      else if (Array.isArray(field)) {
        field.forEach((item, i) => {
          checkKeys(item, rule.table, what, `${at}[${i}]`);
        });
      }
      continue;
    }
    if ("use" in rule) throw refused(`unknown ${what} "${at}": use ${rule.use} instead`);
    throw refused(
      `${what} "${at}" is ${rule.yet ? "not supported yet" : "not supported"}: ${rule.unsupported}`,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function refused(message: string): SmtpError {
  return new SmtpError({
    kind: "invalid-input",
    message,
    retryable: false,
    detail: "unknown-key",
  });
}

function unknownKey(what: string, at: string, key: string, table: KeyTable, path: string) {
  const known = Object.keys(table).filter((k) => table[k] === KNOWN || "table" in table[k]!);
  const near = closest(key, known);
  const prefix = path === "" ? "" : `${path}.`;
  const hint = near
    ? `: did you mean "${prefix}${near}"?`
    : ` (known: ${known.map((k) => prefix + k).join(", ")})`;
  return refused(`unknown ${what} "${at}"${hint}`);
}

/** The known key nearest to a misspelt one (case, a letter or two), if any is near enough. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.min(2, Math.floor(key.length / 3)));
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d <= bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, with an early exit for lengths too far apart. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = row;
  }
  return previous[b.length]!;
}
