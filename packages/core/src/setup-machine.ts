import { decodeBase64, encodeBase64 } from "./base64.ts";
import { parseCapabilities } from "./capabilities.ts";
import { SmtpError } from "./errors.ts";
import type { Reply } from "./reply-types.ts";
import { chooseMechanism, createSaslClient, type SaslClient } from "./sasl/index.ts";
import type { SessionLink } from "./session-link.ts";
import type { AuthMethod, Credentials } from "./session-types.ts";
import { SETUP_ROWS, type SetupEvent } from "./setup-table.ts";
import { positive } from "./transaction.ts";

/**
 * The connection set-up: greeting → EHLO (HELO fallback, LHLO for LMTP) → STARTTLS → EHLO →
 * AUTH → ready. Events go in through {@link SetupMachine.dispatch}; the rows of
 * `SETUP_ROWS` decide the next state. The methods below are what the rows' guards read and
 * what their actions do. Internal.
 */
export class SetupMachine {
  readonly link: SessionLink;
  /** The credentials AUTH uses: the options', or with a refreshed access token. */
  credentials: Credentials | undefined;
  /** The failure to report once the server answers the cancel ("*") of an AUTH exchange. */
  cancelled: SmtpError | undefined;
  #heloTried = false;
  #upgradeAsked = false;
  #sasl: SaslClient | undefined;
  #mechanism = "";
  #heldInitialResponse: Uint8Array | undefined;
  /** `need-token` was issued (at most once) / its answer is awaited. */
  #tokenAsked = false;
  #awaitingToken = false;
  #readyAnnounced = false;

  constructor(link: SessionLink) {
    this.link = link;
    this.credentials = link.options.auth;
  }

  /** Feeds one event; the first matching row moves the state and acts. */
  dispatch(event: SetupEvent): void {
    if (event.type === "reply" && event.caps !== undefined) this.link.capabilities = event.caps;
    const from = this.link.state;
    const row = SETUP_ROWS.find(
      (r) => r.from === from && r.on === event.type && (r.when?.(this, event) ?? true),
    );
    if (row === undefined)
      throw new Error(`@smtp/core: no set-up transition from ${from} on ${event.type}`);
    this.link.go(row.to);
    row.run(this, event);
  }

  /** Whether the upgrade was asked for (the deadline is then the handshake's). */
  get upgradeAsked(): boolean {
    return this.#upgradeAsked;
  }

  /** Whether the session waits for the driver's fresh access token. */
  get awaitingToken(): boolean {
    return this.#awaitingToken;
  }

  /** After a batch of replies: ask for the TLS upgrade only when nothing follows the 220 (R7). */
  requestUpgrade(): void {
    if (!this.link.is("tls-pending") || this.#upgradeAsked) return;
    this.#upgradeAsked = true;
    this.link.actions.push({ type: "upgrade-tls", servername: this.link.options.servername });
  }

  /** The driver answered `need-token`. */
  tokenArrived(token: string | SmtpError, now: number): void {
    this.#awaitingToken = false;
    this.link.since = now;
    this.dispatch({ type: "token", token });
  }

  // ---------------------------------------------------------------- guards

  helloName(): "EHLO" | "LHLO" {
    return this.link.options.lmtp === true ? "LHLO" : "EHLO";
  }

  heloFallbackPossible(): boolean {
    return this.helloName() === "EHLO" && !this.#heloTried;
  }

  tlsNeeded(): boolean {
    return !this.link.secure && (this.link.options.starttls ?? "required") === "required";
  }

  startTlsWanted(): boolean {
    const policy = this.link.options.starttls ?? "required";
    return !this.link.secure && policy !== "never" && this.link.capabilities!.startTls;
  }

  hasCredentials(): boolean {
    return this.credentials !== undefined;
  }

  /** Credentials would go in cleartext to a peer not declared loopback, without the caller's opt-in. */
  cleartextRefused(): boolean {
    const o = this.link.options;
    return !this.link.secure && o.peerIsLoopback !== true && o.allowInsecureAuth !== true;
  }

  /**
   * The mechanism AUTH will use. A mechanism the caller named is tried even when the server
   * advertises no AUTH at all (some list AUTH only after STARTTLS and answer 530).
   */
  chosenMechanism(): AuthMethod | undefined {
    const credentials = this.credentials!;
    const offered = this.link.capabilities!.auth;
    if (offered.length === 0 && credentials.method !== undefined) return credentials.method;
    return chooseMechanism(offered, credentials, {
      randomBytes: this.link.options.randomBytes,
      secure: this.link.secure,
    });
  }

  saslComplete(): boolean {
    return this.#sasl?.complete === true;
  }

  /** Once per session, a 535 to a token mechanism when the caller can renew the token. */
  mayRefreshToken(reply: Reply): boolean {
    return (
      this.link.options.refreshableToken === true &&
      !this.#tokenAsked &&
      reply.code === 535 &&
      (this.#mechanism === "XOAUTH2" || this.#mechanism === "OAUTHBEARER")
    );
  }

  /** `AUTH <mechanism>`: how errors name the command (never with its payload). */
  authLabel(): string {
    return `AUTH ${this.#mechanism}`;
  }

  // ---------------------------------------------------------------- actions

  awaitGreeting(now: number): void {
    this.link.since = now;
    this.link.wire.expect({
      label: undefined,
      phase: "greeting",
      context: (reply) => this.dispatch({ type: "reply", reply }),
    });
  }

  sendHello(now?: number): void {
    this.link.command(
      { name: this.helloName(), domain: this.link.options.ehloName },
      "command",
      (reply) => this.#onHelloReply(reply, false),
      now,
    );
  }

  sendHelo(): void {
    this.#heloTried = true;
    this.link.command({ name: "HELO", domain: this.link.options.ehloName }, "command", (reply) =>
      this.#onHelloReply(reply, true),
    );
  }

  sendStartTls(): void {
    this.link.command({ name: "STARTTLS" }, "command", (reply) =>
      this.dispatch({ type: "reply", reply }),
    );
  }

  /** The handshake succeeded: capabilities are forgotten and EHLO is said again. */
  restartAfterTls(now: number): void {
    this.link.wire.record("*", "TLS established");
    this.link.secure = true;
    this.link.capabilities = undefined;
    this.sendHello(now);
  }

  useToken(token: string): void {
    this.credentials = { ...this.credentials!, accessToken: token } as Credentials;
  }

  /** Starts AUTH with the chosen mechanism, its initial response inline when the line fits. */
  startAuth(): void {
    const mechanism = this.chosenMechanism()!;
    const randomBytes = this.link.options.randomBytes;
    let sasl: SaslClient;
    let initial: Uint8Array | null;
    try {
      sasl = createSaslClient(mechanism, this.credentials!, { randomBytes });
      initial = sasl.initialResponse();
    } catch (error) {
      this.link.abandon(asAuthError(error));
      return;
    }
    this.#sasl = sasl;
    this.#mechanism = mechanism;
    const onReply = (reply: Reply): void => this.dispatch({ type: "reply", reply });
    if (initial !== null) {
      const ir = encodeBase64(initial);
      // RFC 4954 §4: the initial response only when the command line fits 512 octets.
      if (`AUTH ${mechanism} ${ir}\r\n`.length <= 512) {
        this.link.command({ name: "AUTH", mechanism, initialResponse: ir }, "command", onReply);
        return;
      }
      this.#heldInitialResponse = initial;
    }
    this.link.command({ name: "AUTH", mechanism }, "command", onReply);
  }

  /** Answers a 334 challenge, or cancels the exchange ("*") when the SASL client cannot. */
  respond(reply: Reply): void {
    const onReply = (r: Reply): void => this.dispatch({ type: "reply", reply: r });
    let response: Uint8Array;
    try {
      if (this.#heldInitialResponse !== undefined) {
        response = this.#heldInitialResponse;
        this.#heldInitialResponse = undefined;
      } else {
        response = this.#sasl!.respond(decodeBase64(reply.lines.join("").trim()));
      }
    } catch (error) {
      // Cancel (RFC 4954 §4), then QUIT whatever the answer.
      this.cancelled = asAuthError(error);
      this.link.command({ name: "AUTH-RESPONSE", response: "*" }, "command", onReply);
      return;
    }
    this.link.command(
      { name: "AUTH-RESPONSE", response: encodeBase64(response) },
      "command",
      onReply,
    );
  }

  /** The token may just have expired: ask the driver for a fresh one, then AUTH again. */
  askForToken(): void {
    this.#forgetExchange();
    this.#tokenAsked = true;
    this.#awaitingToken = true;
    this.link.wire.record("*", "access token refused: asking for a fresh one");
    this.link.actions.push({ type: "need-token" });
  }

  authenticated(): void {
    this.#forgetExchange();
    this.announceReady();
  }

  announceReady(): void {
    if (this.#readyAnnounced) return;
    this.#readyAnnounced = true;
    this.link.actions.push({ type: "ready", capabilities: this.link.capabilities! });
  }

  #forgetExchange(): void {
    this.#sasl = undefined;
    this.#heldInitialResponse = undefined;
  }

  #onHelloReply(reply: Reply, helo: boolean): void {
    const caps = positive(reply) ? parseCapabilities(reply, helo) : undefined;
    this.dispatch({ type: "reply", reply, caps });
  }
}

function asAuthError(error: unknown): SmtpError {
  if (error instanceof SmtpError) return error;
  return new SmtpError({ kind: "auth", message: "the SASL exchange failed", retryable: false });
}
