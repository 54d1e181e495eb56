import type { AuthMethod, Credentials } from "@smtp/core";
import { createSaslClient, decodeBase64, encodeBase64, type SaslClient } from "@smtp/core/internal";
import type { TapEvent } from "../session-tap.ts";
import { placeholderCredentials } from "./placeholders.ts";
import { scramServerFinal } from "./scram-server.ts";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const AUTH_LINE = /^AUTH ([A-Za-z0-9_-]{1,20})(?: (\S+))?$/;
/** RFC 4954 §4: an initial response only when the AUTH line fits in 512 octets. */
const MAX_AUTH_LINE = 512;

/** One SASL exchange being rewritten. */
interface Exchange {
  mechanism: string;
  sasl: SaslClient;
  /** The server's challenge not answered yet. */
  pending: Uint8Array | null;
  /** SCRAM: the messages its server-final signs. */
  clientFirstBare?: string;
  serverFirst?: string;
  clientFinalWithoutProof?: string;
}

/** The recording with the AUTH exchange rewritten for placeholder credentials. */
export interface Redacted {
  events: TapEvent[];
  credentials: Credentials;
}

/** Whether the engine sends `mechanism`'s initial response on the AUTH line for `credentials`. */
function inlines(
  mechanism: string,
  credentials: Credentials,
  random: (n: number) => Uint8Array,
): boolean {
  try {
    const ir = createSaslClient(mechanism as AuthMethod, credentials, {
      randomBytes: random,
    }).initialResponse();
    return (
      ir !== null && `AUTH ${mechanism} ${encodeBase64(ir) || "="}\r\n`.length <= MAX_AUTH_LINE
    );
  } catch {
    return false;
  }
}

/**
 * R10/R14: no credential reaches a transcript. The engine's AUTH lines are rewritten to
 * what it sends for placeholder credentials (PLACEHOLDER_USER and PLACEHOLDER_PASS), answering
 * the server's recorded challenges, so the transcript replays byte for byte with the
 * placeholders in `@job`. A SCRAM-SHA-256 server-final message is recomputed for the
 * placeholder password (the engine checks it), and the real user name is replaced in the
 * server's lines of the exchange.
 *
 * @param random - the engine's `randomBytes` while recording (a SCRAM nonce comes from it).
 */
export async function redactAuth(
  events: readonly TapEvent[],
  real: Credentials,
  random: (length: number) => Uint8Array,
): Promise<Redacted> {
  // A real exchange in two steps (no initial response) for a mechanism that has one means
  // the real credentials were too long for the AUTH line: pad the placeholders likewise.
  let long = false;
  for (const event of setupOnly(events)) {
    if (event.type !== "client") continue;
    for (const line of text(event.bytes).split("\r\n")) {
      const m = AUTH_LINE.exec(line);
      if (
        m &&
        m[2] === undefined &&
        inlines(m[1] as string, placeholderCredentials(real, false), random)
      ) {
        long = true;
      }
    }
  }
  const credentials = placeholderCredentials(real, long);
  const out: TapEvent[] = [];
  let exchange: Exchange | undefined;
  const setup = setupOnly(events).length;
  for (const [index, event] of events.entries()) {
    // AUTH belongs to the session's set-up: past the first MAIL a line is mail, never AUTH.
    if (index >= setup) {
      out.push(event);
      continue;
    }
    if (event.type === "client") {
      const lines = text(event.bytes).split("\r\n");
      if (!lines.some((line) => AUTH_LINE.test(line)) && exchange?.pending == null) {
        out.push(event);
        continue;
      }
      const rewritten = lines.map((line, i) => {
        if (i === lines.length - 1) return line; // after the last CRLF
        const m = AUTH_LINE.exec(line);
        if (m) {
          const mechanism = (m[1] as string).toUpperCase();
          const sasl = createSaslClient(mechanism as AuthMethod, credentials, {
            randomBytes: random,
          });
          exchange = { mechanism, sasl, pending: null };
          if (m[2] === undefined) return line;
          const ir = sasl.initialResponse() ?? new Uint8Array(0);
          if (mechanism === "SCRAM-SHA-256")
            exchange.clientFirstBare = text(ir).replace(/^n,,/, "");
          return `AUTH ${m[1]} ${encodeBase64(ir) || "="}`;
        }
        if (exchange?.pending != null) {
          const challenge = exchange.pending;
          exchange.pending = null;
          if (line === "*") return line; // the client cancelled the exchange
          const response = exchange.sasl.respond(challenge);
          if (exchange.mechanism === "SCRAM-SHA-256") {
            const message = text(response);
            if (exchange.clientFirstBare === undefined && message.startsWith("n,,")) {
              exchange.clientFirstBare = message.slice(3);
            } else if (message.startsWith("c=")) {
              exchange.clientFinalWithoutProof = message.replace(/,p=[^,]*$/, "");
            }
          }
          return encodeBase64(response);
        }
        return line;
      });
      out.push({ type: "client", bytes: utf8(rewritten.join("\r\n")) });
      continue;
    }
    if (event.type === "server" && exchange) {
      out.push({
        type: "server",
        bytes: utf8(
          await rewriteServer(
            event.bytes,
            exchange,
            real,
            credentials,
            () => (exchange = undefined),
          ),
        ),
      });
      continue;
    }
    out.push(event);
  }
  return { events: out, credentials };
}

/** The events before the first client write that starts a transaction (MAIL, or LHLO's). */
function setupOnly(events: readonly TapEvent[]): readonly TapEvent[] {
  const end = events.findIndex(
    (event) => event.type === "client" && /(^|\r\n)MAIL FROM:/i.test(text(event.bytes)),
  );
  return end < 0 ? events : events.slice(0, end);
}

/** The server's lines during an exchange: challenges noted (SCRAM's final one recomputed), the user name replaced. */
async function rewriteServer(
  bytes: Uint8Array,
  exchange: Exchange,
  real: Credentials,
  placeholder: Credentials,
  end: () => void,
): Promise<string> {
  const lines = text(bytes).split("\r\n");
  const out: string[] = [];
  let ended = false;
  for (const [i, raw] of lines.entries()) {
    let line = raw;
    if (i === lines.length - 1 || ended) {
      out.push(line);
      continue;
    }
    if (real.user.length >= 3) line = line.split(real.user).join(placeholder.user);
    const challenge = /^334(?: (.*))?$/.exec(line);
    if (challenge) {
      let decoded = decodeBase64((challenge[1] ?? "").trim());
      if (exchange.mechanism === "SCRAM-SHA-256") {
        const message = text(decoded);
        if (exchange.serverFirst === undefined && message.includes("r="))
          exchange.serverFirst = message;
        else if (message.startsWith("v=") && "pass" in placeholder) {
          const final = await scramServerFinal(
            placeholder.pass,
            exchange.clientFirstBare ?? "",
            exchange.serverFirst ?? "",
            exchange.clientFinalWithoutProof ?? "",
          );
          decoded = utf8(final);
          line = `334 ${encodeBase64(decoded)}`;
        }
      }
      exchange.pending = decoded;
    } else if (/^\d{3}(?: |$)/.test(line)) {
      ended = true;
      end();
    }
    out.push(line);
  }
  return out.join("\r\n");
}
