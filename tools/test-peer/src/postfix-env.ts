import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The Postfix peer's settings, as `.ci/postfix-setup.sh` writes them to `$SMTP_STATE/env`
 * and `.ci/run` exports them.
 *
 * @since 0.1.0
 */
export interface PostfixEnv {
  /** IPv4 loopback address (`SMTP_HOST`). */
  host: string;
  /** IPv6 loopback address (`SMTP_HOST6`), when Postfix listens there too. */
  host6: string | undefined;
  /** MX-style port: STARTTLS offered, AUTH only after TLS, local domains without AUTH (`SMTP_PORT`). */
  port: number;
  /** Submission: STARTTLS and AUTH required (`SMTP_SUBMISSION_PORT`). */
  submissionPort: number;
  /** Implicit TLS, AUTH required (`SMTPS_PORT`). */
  smtpsPort: number;
  /** No TLS at all, AUTH offered in cleartext (`SMTP_PLAIN_PORT`). */
  plainPort: number;
  /** The CA certificate (PEM) that issued the server's certificate, read from `SMTP_CA`. */
  caPem: string;
  /** Path of that CA file. */
  caPath: string;
  user: string;
  pass: string;
  /** The local domain (`example.test`). */
  domain: string;
  /** A domain whose every local part is delivered to one mailbox (`catchall.test`). */
  catchallDomain: string;
  /** SIZE limit in bytes. */
  sizeLimit: number;
  /** Root of the Maildir tree: `<domain>/<user>/new/`, `catchall.test/all/new/`. */
  maildir: string;
  /** Postfix's log file, for debugging. */
  log: string | undefined;
}

function text(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

function number(name: string, fallback: number): number {
  const value = Number(text(name));
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/**
 * Reads the Postfix peer's settings from the environment, or `undefined` when Postfix is
 * not set up (no `SMTP_PORT`), so tests can `describe.skipIf(!postfix)`.
 *
 * @since 0.1.0
 */
export async function postfixEnv(): Promise<PostfixEnv | undefined> {
  const port = text("SMTP_PORT");
  const caPath = text("SMTP_CA");
  if (port === undefined || caPath === undefined) return undefined;
  return {
    host: text("SMTP_HOST") ?? "127.0.0.1",
    host6: text("SMTP_HOST6"),
    port: number("SMTP_PORT", 12525),
    submissionPort: number("SMTP_SUBMISSION_PORT", 12587),
    smtpsPort: number("SMTPS_PORT", 14465),
    plainPort: number("SMTP_PLAIN_PORT", 12526),
    caPem: await readFile(caPath, "utf8"),
    caPath,
    user: text("SMTP_USER") ?? "user@example.test",
    pass: text("SMTP_PASS") ?? "password",
    domain: text("SMTP_DOMAIN") ?? "example.test",
    catchallDomain: text("SMTP_CATCHALL_DOMAIN") ?? "catchall.test",
    sizeLimit: number("SMTP_SIZE_LIMIT", 10_485_760),
    maildir: text("SMTP_MAILDIR") ?? "/var/lib/smtp-test-peer/maildir",
    log: text("SMTP_LOG"),
  };
}

/**
 * Whether the Postfix peer is configured in this environment (synchronous, for
 * `describe.runIf`).
 *
 * @since 0.1.0
 */
export function hasPostfix(): boolean {
  return text("SMTP_PORT") !== undefined && text("SMTP_CA") !== undefined;
}

/** A delivered message found in a Maildir. @since 0.1.0 */
export interface MaildirMessage {
  path: string;
  raw: Uint8Array;
}

/**
 * Waits until a file in the Maildir folder `dir` (its `new/` and `cur/` are searched, or
 * `dir` itself) satisfies `predicate`, e.g. contains a unique Message-ID. Polls every 50 ms;
 * rejects after `timeoutMs`.
 *
 * @since 0.1.0
 */
export async function waitForMaildirMessage(
  dir: string,
  predicate: (raw: Uint8Array, text: string) => boolean,
  timeoutMs = 10_000,
): Promise<MaildirMessage> {
  const started = Date.now();
  const seen = new Set<string>();
  const folders = [join(dir, "new"), join(dir, "cur"), dir];
  for (;;) {
    for (const folder of folders) {
      let names: string[];
      try {
        names = await readdir(folder);
      } catch {
        continue;
      }
      for (const name of names) {
        const path = join(folder, name);
        if (seen.has(path) || name === "new" || name === "cur" || name === "tmp") continue;
        let raw: Uint8Array;
        try {
          raw = new Uint8Array(await readFile(path));
        } catch {
          continue;
        }
        if (predicate(raw, new TextDecoder().decode(raw))) return { path, raw };
        seen.add(path);
      }
    }
    if (Date.now() - started > timeoutMs) {
      throw new Error(`no matching message in ${dir} after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The Maildir folder of a mailbox of the Postfix peer: `<maildir>/<domain>/<local>`, and
 * `<maildir>/catchall.test/all` for the catch-all domain.
 *
 * @since 0.1.0
 */
export function maildirOf(env: PostfixEnv, address: string): string {
  const at = address.lastIndexOf("@");
  const local = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (domain === env.catchallDomain) return join(env.maildir, domain, "all");
  return join(env.maildir, domain, local);
}
