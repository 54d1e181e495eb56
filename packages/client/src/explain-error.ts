import type { Reply } from "@smtp/core";
import { SmtpError } from "@smtp/core/base";
import { authHints } from "./auth-hints.ts";
import { TOKEN_PROVIDER } from "./credentials.ts";
import type { ResolvedOptions } from "./resolve-options.ts";

const UNTRUSTED =
  /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_UNTRUSTED|INVALID_CA|UnknownIssuer|CaUsedAsEndEntity|self[- ]signed|unknown ca|invalid ca/i;
const WRONG_NAME = /ALTNAME|HOSTNAME_MISMATCH|NotValidForName|does not match certificate/i;
const EXPIRED = /CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|Expired|NotValidYet/i;

/** Errors already explained, so that one failure shared by several sends stays one object. */
const explained = new WeakMap<SmtpError, SmtpError>();

/**
 * The error as the caller sees it: the same `kind`, `code`, `enhancedCode`, `response`,
 * `command`, `phase`, `detail`, `retryable` and `cause`, with a message that says which option
 * to change when the failure has a usual cure: TLS required but not offered, credentials
 * refused over cleartext, an untrusted/expired/misnamed certificate, a silent greeting (an
 * implicit-TLS port spoken to in plaintext), a refused AUTH (the server's text and the
 * provider's usual cause). Any other error is returned as it is.
 *
 * @since 0.1.0
 */
export function explainError(error: SmtpError, options: ResolvedOptions): SmtpError {
  const known = explained.get(error);
  if (known) return known;
  const hint = hintFor(error, options);
  if (hint === undefined) return error;
  const reply: Reply | undefined =
    error.code === undefined
      ? undefined
      : {
          code: error.code,
          ...(error.enhancedCode === undefined ? {} : { enhancedCode: error.enhancedCode }),
          lines: (error.response ?? "").split("\n"),
        };
  const result = new SmtpError({
    kind: error.kind,
    message: `${error.message}${hint}`,
    retryable: error.retryable,
    ...(reply === undefined ? {} : { reply }),
    ...(error.command === undefined ? {} : { command: error.command }),
    ...(error.phase === undefined ? {} : { phase: error.phase }),
    ...(error.rejected === undefined ? {} : { rejected: error.rejected }),
    ...(error.detail === undefined ? {} : { detail: error.detail }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
  });
  explained.set(error, result);
  explained.set(result, result);
  return result;
}

/** The text to append, starting with its separator, or `undefined` when there is none. */
function hintFor(error: SmtpError, o: ResolvedOptions): string | undefined {
  switch (error.kind) {
    case "tls-required":
      return (
        `${serverSaid(error)}. If this is a development server without TLS (Mailpit, MailHog, ` +
        'smtp4dev), set starttls: "opportunistic" (TLS when offered) or starttls: "never"; ' +
        "never do so for a server reached over the internet."
      );
    case "insecure-auth":
      return (
        ". The connection has no TLS: to send the password anyway (a development server such as " +
        "Mailpit or MailHog on another host), set allowInsecureAuth: true; otherwise use TLS " +
        '(secure: true on port 465, or a server offering STARTTLS with starttls: "required").'
      );
    case "tls":
      return certificateHint(error, o);
    case "timeout":
      return timeoutHint(error, o);
    case "auth": {
      if (error.code === undefined) return undefined;
      const hints = authHints({
        host: o.host,
        response: error.response,
        enhancedCode: error.enhancedCode,
        token: o.auth !== undefined && !("pass" in o.auth),
      });
      return `${serverSaid(error)}. ${hints.join(" ")}`;
    }
    case "auth-unavailable":
      return error.code === undefined && error.message.includes("does not offer AUTH")
        ? ". Some servers offer AUTH only after STARTTLS (check starttls); a relay that trusts " +
            "your address needs no credentials (remove auth)."
        : undefined;
    default:
      return undefined;
  }
}

/** `: server said "535 5.7.8 …"` when the error carries a reply, else "". */
function serverSaid(error: SmtpError): string {
  if (error.code === undefined) return "";
  const enhanced = error.enhancedCode === undefined ? "" : ` ${error.enhancedCode}`;
  const text = (error.response ?? "").replace(/\s*\n\s*/g, " ").trim();
  return `: the server said "${error.code}${enhanced}${text === "" ? "" : ` ${text}`}"`;
}

function certificateHint(error: SmtpError, o: ResolvedOptions): string | undefined {
  const facts = `${error.detail ?? ""} ${error.message}`;
  const fixes: string[] = [];
  if (WRONG_NAME.test(facts)) {
    fixes.push(
      `The certificate is for another name than ${o.servername}: connect to the name it was ` +
        "issued for as host, or give that name in tls.servername.",
    );
  } else if (EXPIRED.test(facts)) {
    fixes.push(
      "The server's certificate has expired or is not valid yet: it must be renewed on the " +
        "server (or this machine's clock is wrong).",
    );
  } else if (UNTRUSTED.test(facts)) {
    fixes.push(
      "The certificate is not signed by a CA this runtime trusts (self-signed, or a private " +
        "CA): give that CA's certificate (PEM) in tls.ca.",
    );
  } else {
    return undefined;
  }
  if (!("Deno" in globalThis)) {
    fixes.push("tls.rejectUnauthorized: false turns verification off: for a throwaway test only.");
  }
  return `. ${fixes.join(" ")}`;
}

function timeoutHint(error: SmtpError, o: ResolvedOptions): string | undefined {
  if (error.phase === "greeting" && !o.secure) {
    return (
      `. The server said nothing for ${o.timeouts.greeting} ms after the connection opened: if ` +
      `port ${o.port} is an implicit-TLS port (usually 465), set secure: true; if the server is ` +
      "only slow, raise timeouts.greeting."
    );
  }
  if (error.phase === "connect" && error.message.startsWith(TOKEN_PROVIDER)) {
    // No socket was opened yet: host, port and the network are not in question.
    return (
      `. No connection was opened: raise timeouts.connect (${o.timeouts.connect} ms) if ` +
      "the provider is only slow."
    );
  }
  if (error.phase === "connect") {
    return (
      `. Check host and port (${o.host}:${o.port}); many networks block outgoing port 25, ` +
      "so use 587 (STARTTLS) or 465 (secure: true) for submission."
    );
  }
  return undefined;
}
