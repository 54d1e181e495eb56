import type { Capabilities, Reply } from "./reply-types.ts";

/**
 * Reads the server's capabilities from its EHLO or LHLO reply (RFC 5321 §4.1.1.1): the first
 * line is the greeting name, every further line a keyword with parameters. Keywords are
 * upper-cased; AUTH mechanisms come from both `AUTH x y` and the old `AUTH=x y` form.
 *
 * @param reply - the 250 reply.
 * @param helo - whether the session fell back to HELO (then `reply` has no extensions).
 * @since 0.1.0
 */
export function parseCapabilities(reply: Reply, helo = false): Capabilities {
  const keywords = new Map<string, string[]>();
  const auth = new Set<string>();
  if (!helo) {
    for (const line of reply.lines.slice(1)) {
      const trimmed = line.trim();
      if (trimmed === "") continue;
      const match = /^([A-Za-z0-9][A-Za-z0-9-]*)(?:[ =](.*))?$/.exec(trimmed);
      if (match === null) continue;
      const keyword = match[1]!.toUpperCase();
      const params = (match[2] ?? "").split(/\s+/).filter((p) => p !== "");
      keywords.set(keyword, [...(keywords.get(keyword) ?? []), ...params]);
      if (keyword === "AUTH") for (const p of params) auth.add(p.toUpperCase());
    }
  }
  const sizeParam = keywords.get("SIZE")?.[0];
  let size: number | undefined;
  if (keywords.has("SIZE")) {
    size = sizeParam !== undefined && /^\d{1,15}$/.test(sizeParam) ? Number(sizeParam) : 0;
  }
  return {
    keywords,
    pipelining: keywords.has("PIPELINING"),
    size,
    eightBitMime: keywords.has("8BITMIME"),
    smtpUtf8: keywords.has("SMTPUTF8"),
    startTls: keywords.has("STARTTLS"),
    auth: [...auth],
    enhancedStatusCodes: keywords.has("ENHANCEDSTATUSCODES"),
    chunking: keywords.has("CHUNKING"),
    binaryMime: keywords.has("BINARYMIME"),
    dsn: keywords.has("DSN"),
    requireTls: keywords.has("REQUIRETLS"),
    helo,
  };
}
