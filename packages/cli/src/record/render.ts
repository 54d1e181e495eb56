import type { SendResult } from "@smtp/core";
import { concatBytes } from "@smtp/core/internal";
import type { TapEvent } from "../session-tap.ts";

const strict = new TextDecoder("utf-8", { fatal: true });

/** Why a conversation cannot be written as a transcript. */
export class UnrecordableError extends Error {
  override readonly name = "UnrecordableError";
}

function decode(bytes: Uint8Array, what: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    throw new UnrecordableError(`${what} is not UTF-8: the .smtp format holds UTF-8 text only`);
  }
}

/** Lines ended by CRLF with no other CR, LF or control character: `S:`/`C:` lines show them as they are. */
function cleanLines(textValue: string): string[] | undefined {
  if (!textValue.endsWith("\r\n")) return undefined;
  const lines = textValue.slice(0, -2).split("\r\n");
  // Tabs are kept; any other control character (or a bare CR/LF) needs the exact form.
  return lines.some((line) => /[\0-\x08\x0a-\x1f\x7f]/.test(line)) ? undefined : lines;
}

/** A tag for a `<<TAG` block that is none of its lines. */
function blockTag(lines: readonly string[]): string {
  const taken = new Set(lines);
  let tag = "EOD";
  for (let n = 2; taken.has(tag); n++) tag = `EOD${n}`;
  return tag;
}

/** A server batch: `S:` lines, or one exact `S=` line. */
function serverLines(bytes: Uint8Array): string[] {
  const value = decode(bytes, "a server reply");
  const lines = cleanLines(value);
  if (lines === undefined) return [`S= ${JSON.stringify(value)}`];
  return lines.map((line) => (line === "" ? "S:" : `S: ${line}`));
}

/** Client bytes: `C:` lines, a `C<<TAG` block for a body, or one exact `C=` line. */
function clientLines(bytes: Uint8Array, body: boolean): string[] {
  const value = decode(bytes, "a message body");
  const lines = cleanLines(value);
  if (lines === undefined) return [`C= ${JSON.stringify(value)}`];
  if (body && lines.length > 1) {
    const tag = blockTag(lines);
    return [`C<<${tag}`, ...lines, tag];
  }
  return lines.map((line) => (line === "" ? "C:" : `C: ${line}`));
}

/** `-- error kind[/detail] --`: the detail only when the marker's syntax can carry it. */
function errorMarker(kind: string, detail: string | undefined): string {
  return detail !== undefined && /^[a-z0-9-]+$/.test(detail)
    ? `-- error ${kind}/${detail} --`
    : `-- error ${kind} --`;
}

/** The conversation as `.smtp` steps, in the order the engine saw it. */
export function renderSteps(events: readonly TapEvent[]): string[] {
  const out: string[] = [];
  let pending: { type: "server" | "client"; parts: Uint8Array[] } | undefined;
  let afterBody = false;
  let seenIo = false;
  const flush = (): void => {
    if (!pending) return;
    const bytes = concatBytes(pending.parts);
    out.push(...(pending.type === "server" ? serverLines(bytes) : clientLines(bytes, afterBody)));
    if (pending.type === "client") afterBody = false;
    pending = undefined;
  };
  for (const event of events) {
    if (event.type === "server" || event.type === "client") {
      seenIo = true;
      if (pending?.type !== event.type) {
        flush();
        pending = { type: event.type, parts: [] };
      }
      pending.parts.push(event.bytes);
      continue;
    }
    switch (event.type) {
      case "send":
        // The replay hands every message over right after connecting, as the client did.
        if (seenIo) {
          flush();
          out.push("# The client handed this message over later than the replay will.");
        }
        break;
      case "result":
        break;
      case "body":
        flush();
        out.push("-- body --");
        afterBody = true;
        break;
      case "transport-failed":
        flush();
        out.push(
          `# The connection failed here (${event.error.kind}: ${event.error.message.replace(/[\r\n]+/g, " ")}).`,
        );
        out.push("-- eof --");
        break;
      case "close":
        flush();
        if (event.action.error)
          out.push(errorMarker(event.action.error.kind, event.action.error.detail));
        break;
      default:
        flush();
        out.push(`-- ${event.type} --`);
    }
  }
  flush();
  return out;
}

/** `@expect` for one result: the fields a replay must reproduce. */
export function expectationOf(result: SendResult | undefined): unknown {
  if (result === undefined) return {};
  if (result.ok) {
    return {
      ok: true,
      accepted: result.accepted,
      rejected: result.rejected.map((r) => ({ address: r.address, code: r.code })),
    };
  }
  return {
    ok: false,
    error: {
      kind: result.error.kind,
      ...(result.error.code === undefined ? {} : { code: result.error.code }),
    },
    dataSent: result.dataSent,
  };
}

/** A message body as an `@body<<TAG` block when it is CRLF lines, else `undefined`. */
export function bodyBlock(body: string): string[] | undefined {
  const lines = cleanLines(body);
  if (lines === undefined) return undefined;
  const tag = blockTag(lines);
  return [`@body<<${tag}`, ...lines, tag];
}

export { decode as decodeUtf8 };
