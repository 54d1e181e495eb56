import { SmtpError } from "./errors.ts";
import type { Capabilities, Reply } from "./reply-types.ts";
import type { SetupMachine } from "./setup-machine.ts";
import type { SessionState } from "./state.ts";
import { positive } from "./transaction.ts";

// The connection set-up as data: greeting, EHLO/HELO/LHLO, STARTTLS, AUTH. Each row says in
// which state an event applies, when (a guard over the event and what the session knows),
// which state comes next and what is done on the way. The first matching row wins. The
// state diagram in docs/states.md is drawn from these rows.

/** What happens to the set-up machine. */
export type SetupEvent =
  | { type: "connected"; now: number }
  /** A reply to the greeting or the set-up command in flight; `caps` parsed from a 2xx to EHLO/LHLO/HELO. */
  | { type: "reply"; reply: Reply; caps?: Capabilities | undefined }
  | { type: "tls-established"; now: number }
  /** The driver's answer to `need-token`. */
  | { type: "token"; token: string | SmtpError };

/** One transition of the set-up machine. */
export interface SetupRow {
  from: SessionState;
  on: SetupEvent["type"];
  /** The row applies only when this holds (after the earlier rows did not). */
  when?: (m: SetupMachine, event: SetupEvent) => boolean;
  to: SessionState;
  /** How the diagram names the transition. */
  label: string;
  run: (m: SetupMachine, event: SetupEvent) => void;
}

type Guard = NonNullable<SetupRow["when"]>;

const replyOf = (event: SetupEvent): Reply => (event as { reply: Reply }).reply;
const code =
  (...codes: number[]): Guard =>
  (_m, e) =>
    codes.includes(replyOf(e).code);
const ok: Guard = (_m, e) => positive(replyOf(e));
const both =
  (a: Guard, b: Guard): Guard =>
  (m, e) =>
    a(m, e) && b(m, e);

/** Quits because the server refused a set-up command: the reply decides `kind`'s error. */
const refused =
  (
    kind: SmtpError["kind"],
    message: (m: SetupMachine) => string,
    command?: (m: SetupMachine) => string,
  ) =>
  (m: SetupMachine, e: SetupEvent): void =>
    m.link.abandon(m.link.replyError(kind, message(m), replyOf(e), command?.(m)));

const quit =
  (error: (m: SetupMachine, e: SetupEvent) => SmtpError) => (m: SetupMachine, e: SetupEvent) =>
    m.link.abandon(error(m, e));

/** The EHLO/LHLO/HELO exchange is done (or STARTTLS was refused, opportunistic): AUTH, or ready. */
function afterHello(
  from: SessionState,
  on: SetupEvent["type"],
  label: string,
  base: Guard,
  credentialsCertain = false,
): SetupRow[] {
  const rows: SetupRow[] = [];
  if (!credentialsCertain) {
    rows.push({
      from,
      on,
      when: both(base, (m) => !m.hasCredentials()),
      to: "ready",
      label,
      run: (m) => m.announceReady(),
    });
  }
  rows.push(
    {
      from,
      on,
      when: both(base, (m) => m.cleartextRefused()),
      to: "quitting",
      label: `${label}, credentials without TLS`,
      run: quit(
        () =>
          new SmtpError({
            kind: "insecure-auth",
            message: "refusing to send credentials over a connection without TLS",
            retryable: false,
          }),
      ),
    },
    {
      from,
      on,
      when: both(base, (m) => m.chosenMechanism() === undefined),
      to: "quitting",
      label: `${label}, no common AUTH mechanism`,
      run: quit(
        (m) =>
          new SmtpError({
            kind: "auth-unavailable",
            message:
              m.link.capabilities!.auth.length === 0
                ? "the server does not offer AUTH"
                : "no authentication mechanism both sides support",
            retryable: false,
          }),
      ),
    },
    {
      from,
      on,
      when: base,
      to: "auth",
      label: `${label}, credentials`,
      run: (m, e) => {
        if (e.type === "token") m.useToken(e.token as string);
        m.startAuth();
      },
    },
  );
  return rows;
}

const any: Guard = () => true;
const helloName = (m: SetupMachine): string => m.helloName();

/** The set-up machine's transitions, in the order they are tried. */
export const SETUP_ROWS: readonly SetupRow[] = [
  {
    from: "connecting",
    on: "connected",
    to: "greeting",
    label: "connected",
    run: (m, e) => m.awaitGreeting((e as { now: number }).now),
  },
  {
    from: "greeting",
    on: "reply",
    when: code(220),
    to: "ehlo",
    label: "220",
    run: (m) => m.sendHello(),
  },
  {
    from: "greeting",
    on: "reply",
    to: "quitting",
    label: "refused (554)",
    run: refused("rejected", () => "the server refused the connection"),
  },
  {
    from: "ehlo",
    on: "reply",
    when: both(ok, (m) => m.startTlsWanted()),
    to: "starttls",
    label: "250, STARTTLS wanted",
    run: (m) => m.sendStartTls(),
  },
  {
    from: "ehlo",
    on: "reply",
    when: both(ok, (m) => m.tlsNeeded()),
    to: "quitting",
    label: "250, TLS required, STARTTLS not offered",
    run: quit(
      () =>
        new SmtpError({
          kind: "tls-required",
          message: "TLS is required but the server does not offer STARTTLS",
          retryable: false,
        }),
    ),
  },
  ...afterHello("ehlo", "reply", "250", ok),
  {
    from: "ehlo",
    on: "reply",
    when: both(code(500, 502), (m) => m.heloFallbackPossible() && m.tlsNeeded()),
    to: "quitting",
    label: "500/502, TLS required",
    run: refused(
      "tls-required",
      () => "EHLO refused: STARTTLS is not possible",
      () => "EHLO",
    ),
  },
  {
    from: "ehlo",
    on: "reply",
    when: both(code(500, 502), (m) => m.heloFallbackPossible() && m.hasCredentials()),
    to: "quitting",
    label: "500/502, credentials",
    run: refused(
      "auth-unavailable",
      () => "EHLO refused: AUTH is not possible",
      () => "EHLO",
    ),
  },
  {
    from: "ehlo",
    on: "reply",
    when: both(code(500, 502), (m) => m.heloFallbackPossible()),
    to: "helo",
    label: "500/502, HELO fallback",
    run: (m) => m.sendHelo(),
  },
  {
    from: "ehlo",
    on: "reply",
    to: "quitting",
    label: "refused",
    run: refused("rejected", (m) => `${helloName(m)} refused`, helloName),
  },
  // HELO is tried only without credentials and without required TLS (the rows above).
  { from: "helo", on: "reply", when: ok, to: "ready", label: "250", run: (m) => m.announceReady() },
  {
    from: "helo",
    on: "reply",
    to: "quitting",
    label: "refused",
    run: refused(
      "rejected",
      () => "HELO refused",
      () => "HELO",
    ),
  },
  {
    from: "starttls",
    on: "reply",
    when: code(220),
    to: "tls-pending",
    label: "220",
    run: () => {},
  },
  {
    from: "starttls",
    on: "reply",
    when: (m) => m.tlsNeeded(),
    to: "quitting",
    label: "refused, TLS required",
    run: refused(
      "tls-required",
      () => "the server refused STARTTLS",
      () => "STARTTLS",
    ),
  },
  ...afterHello("starttls", "reply", "refused, opportunistic", any),
  {
    from: "tls-pending",
    on: "tls-established",
    to: "ehlo",
    label: "tlsEstablished",
    run: (m, e) => m.restartAfterTls((e as { now: number }).now),
  },
  // AUTH: the cancel ("*") answered, completion, challenges, a refused token, a refusal.
  {
    from: "auth",
    on: "reply",
    when: (m) => m.cancelled !== undefined,
    to: "quitting",
    label: "answer to the cancel (*)",
    run: (m) => m.link.abandon(m.cancelled!),
  },
  {
    from: "auth",
    on: "reply",
    when: both(code(235), (m) => m.saslComplete()),
    to: "ready",
    label: "235",
    run: (m) => m.authenticated(),
  },
  {
    from: "auth",
    on: "reply",
    when: code(235),
    to: "quitting",
    label: "235 before the exchange ended",
    run: refused(
      "auth",
      () => "the server ended AUTH before the exchange was complete",
      (m) => m.authLabel(),
    ),
  },
  {
    from: "auth",
    on: "reply",
    when: code(334),
    to: "auth",
    label: "334",
    run: (m, e) => m.respond(replyOf(e)),
  },
  {
    from: "auth",
    on: "reply",
    when: (m, e) => m.mayRefreshToken(replyOf(e)),
    to: "auth",
    label: "535, token refreshable",
    run: (m) => m.askForToken(),
  },
  {
    from: "auth",
    on: "reply",
    when: code(504),
    to: "quitting",
    label: "504",
    run: refused(
      "auth-unavailable",
      () => "the server refused authentication",
      (m) => m.authLabel(),
    ),
  },
  {
    from: "auth",
    on: "reply",
    to: "quitting",
    label: "refused",
    run: refused(
      "auth",
      () => "the server refused authentication",
      (m) => m.authLabel(),
    ),
  },
  {
    from: "auth",
    on: "token",
    when: (_m, e) => (e as { token: unknown }).token instanceof SmtpError,
    to: "quitting",
    label: "token refresh failed",
    run: quit((_m, e) => (e as { token: SmtpError }).token),
  },
  {
    from: "auth",
    on: "token",
    when: (_m, e) => !usableToken((e as { token: unknown }).token),
    to: "quitting",
    label: "unusable token",
    run: quit(
      () =>
        new SmtpError({
          kind: "auth",
          message: "the refreshed access token is not usable",
          retryable: false,
        }),
    ),
  },
  ...afterHello("auth", "token", "fresh token", any, true),
];

/** A refreshed token that can go on a command line. */
function usableToken(token: unknown): token is string {
  return typeof token === "string" && token.length > 0 && !/[\r\n\0]/.test(token);
}
