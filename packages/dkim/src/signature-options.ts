import { DkimError } from "./errors.ts";
import { type SigningKey, toSigningKey } from "./key.ts";
import type { DkimCanonicalization, DkimOptions } from "./options.ts";

/**
 * The header fields signed by default, when present (lower case). From and Subject are
 * also over-signed: listed once more than they occur, so that none can be added later.
 *
 * @since 0.1.0
 */
export const DEFAULT_SIGNED_FIELDS: readonly string[] = [
  "from",
  "sender",
  "reply-to",
  "subject",
  "date",
  "message-id",
  "to",
  "cc",
  "in-reply-to",
  "references",
  "mime-version",
  "content-type",
  "content-transfer-encoding",
  "content-disposition",
  "content-id",
  "content-description",
  "list-id",
  "list-help",
  "list-unsubscribe",
  "list-unsubscribe-post",
  "list-subscribe",
  "list-post",
  "list-owner",
  "list-archive",
];

const CANONICALIZATIONS: readonly DkimCanonicalization[] = [
  "relaxed/relaxed",
  "relaxed/simple",
  "simple/relaxed",
  "simple/simple",
];

const KNOWN_KEYS = new Set([
  "domainName",
  "keySelector",
  "privateKey",
  "algorithm",
  "headerFieldNames",
  "skipFields",
  "canonicalization",
  "expiresIn",
]);

/** A label of a domain or selector: letters, digits and inner hyphens (RFC 5321 sub-domain). */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** A header field name: printable ASCII but the colon (RFC 5322 §3.6.8). */
const FIELD_NAME = /^[!-9;-~]{1,256}$/;

/**
 * One signature's options, checked, with its key ready to import.
 *
 * @since 0.1.0
 */
export interface ResolvedSignature {
  domain: string;
  selector: string;
  key: SigningKey;
  canonicalization: DkimCanonicalization;
  headerRelaxed: boolean;
  bodyRelaxed: boolean;
  /** Names (lower case) signed for each field present. */
  signed: ReadonlySet<string>;
  /** Names listed once more than present: no such field can be added after signing. */
  overSigned: readonly string[];
  expiresIn: number | undefined;
}

function domainLike(field: string, value: unknown, what: string): string {
  if (typeof value !== "string") throw new DkimError(field, "must be a string");
  if (value.length === 0 || value.length > 253) {
    throw new DkimError(field, `must be a ${what} of 1 to 253 characters`);
  }
  for (const label of value.split(".")) {
    if (!LABEL.test(label)) {
      throw new DkimError(
        field,
        `${JSON.stringify(value)} is not a valid ${what}: labels of letters, digits and inner hyphens, up to 63 characters, separated by dots` +
          (/[^\x00-\x7f]/.test(value) ? " (write an internationalised name in its xn-- form)" : ""),
      );
    }
  }
  return value;
}

function fieldNames(field: string, value: unknown): string[] {
  const list = typeof value === "string" ? value.split(":") : value;
  if (!Array.isArray(list)) {
    throw new DkimError(field, "must be a list of header field names or a colon-separated string");
  }
  return list.map((name: unknown, i) => {
    const trimmed = typeof name === "string" ? name.trim() : name;
    if (typeof trimmed !== "string" || !FIELD_NAME.test(trimmed)) {
      throw new DkimError(`${field}[${i}]`, `${JSON.stringify(name)} is not a header field name`);
    }
    return trimmed.toLowerCase();
  });
}

/**
 * Checks one signature's options. `field` is how errors name it (`"dkim"`, `"dkim[1]"`).
 *
 * @throws DkimError naming the offending option.
 * @since 0.1.0
 */
export function resolveSignature(field: string, options: DkimOptions): ResolvedSignature {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new DkimError(field, "must be an object with domainName, keySelector and privateKey");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new DkimError(
        `${field}.${key}`,
        `is not a DKIM option (known: ${[...KNOWN_KEYS].join(", ")})`,
      );
    }
  }
  const domain = domainLike(`${field}.domainName`, options.domainName, "domain name");
  const selector = domainLike(`${field}.keySelector`, options.keySelector, "selector");
  const key = toSigningKey(
    `${field}.privateKey`,
    options.privateKey,
    options.algorithm,
    `${field}.algorithm`,
  );
  const canonicalization = options.canonicalization ?? "relaxed/relaxed";
  if (!CANONICALIZATIONS.includes(canonicalization)) {
    throw new DkimError(
      `${field}.canonicalization`,
      `must be one of ${CANONICALIZATIONS.map((c) => `"${c}"`).join(", ")}, not ${JSON.stringify(canonicalization)}`,
    );
  }
  const signed = new Set(
    options.headerFieldNames === undefined
      ? DEFAULT_SIGNED_FIELDS
      : fieldNames(`${field}.headerFieldNames`, options.headerFieldNames),
  );
  signed.add("from");
  if (options.skipFields !== undefined) {
    for (const name of fieldNames(`${field}.skipFields`, options.skipFields)) {
      if (name === "from") {
        throw new DkimError(`${field}.skipFields`, "cannot skip From: DKIM always signs it");
      }
      signed.delete(name);
    }
  }
  const { expiresIn } = options;
  if (expiresIn !== undefined && !(Number.isSafeInteger(expiresIn) && expiresIn > 0)) {
    throw new DkimError(`${field}.expiresIn`, "must be a positive whole number of seconds");
  }
  return {
    domain,
    selector,
    key,
    canonicalization,
    headerRelaxed: canonicalization.startsWith("relaxed/"),
    bodyRelaxed: canonicalization.endsWith("/relaxed"),
    signed,
    overSigned: ["from", "subject"].filter((name) => signed.has(name)),
    expiresIn,
  };
}
