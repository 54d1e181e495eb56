/**
 * What a cell works with: clients on its server (every one recorded and closed after the
 * cell), messages unique to the run and the cell, and the server's store.
 */
import {
  type Capabilities,
  type ClientOptions,
  createClient,
  type MessageInput,
  type SmtpClient,
} from "../../packages/client/src/index.ts";
import { arrivalProblems, type Settled, settle } from "./checks.ts";
import type { ServerProfile } from "./servers.ts";
import { type StoreMark, waitForArrivals } from "./store/message-store.ts";
import type { StoredMessage } from "./store/stored-message.ts";
import { TranscriptLog } from "./transcript.ts";

/** How a client reaches the server. @since 0.1.0 */
export type Security = "plain" | "starttls" | "implicit";

/** A message built by {@link CellContext.message}, with its Message-ID (no brackets). @since 0.1.0 */
export type CellMessage = MessageInput & { messageId: string };

/** Deadlines of every client: a stuck server fails a cell, never hangs the matrix. */
const TIMEOUTS = { connect: 10_000, greeting: 15_000, command: 15_000, data: 60_000 };

/** A text body with a line that must be dot-stuffed and a lone dot. @since 0.1.0 */
export const TEXT_BODY = "Hello from the @smtp interop matrix.\n..two dots\n.\nthe end\n";

/**
 * One cell's view of one server.
 *
 * @since 0.1.0
 */
export class CellContext {
  readonly transcript = new TranscriptLog();
  readonly server: ServerProfile;
  /** The server's capabilities after EHLO (after STARTTLS where offered). */
  readonly capabilities: Capabilities;
  readonly cellId: string;
  readonly #clients: SmtpClient[] = [];
  readonly #prefix: string;

  constructor(server: ServerProfile, capabilities: Capabilities, runId: string, cellId: string) {
    this.server = server;
    this.capabilities = capabilities;
    this.cellId = cellId;
    this.#prefix = `${runId}.${server.id}.${cellId}.`;
  }

  /** The usual way in: STARTTLS on SMTP servers, plaintext on the LMTP server (no TLS there). */
  get usualSecurity(): Security {
    return this.server.protocol === "lmtp" ? "plain" : "starttls";
  }

  /** A client for this server; closed by {@link CellContext.closeAll} after the cell. */
  client(security: Security, options: Partial<ClientOptions> = {}): SmtpClient {
    const s = this.server;
    const port =
      security === "starttls"
        ? s.starttlsPort
        : security === "implicit"
          ? s.implicitPort
          : s.plainPort;
    if (port === undefined) throw new Error(`${s.label} has no ${security} port`);
    const client = createClient({
      host: s.host,
      port,
      ...(security === "implicit" ? { secure: true } : {}),
      starttls: security === "starttls" ? "required" : "never",
      ...(security === "plain" ? {} : { tls: { ca: s.caPem } }),
      ...(s.protocol === "lmtp" ? { lmtp: true } : {}),
      timeouts: TIMEOUTS,
      transcript: this.transcript.forNewClient(),
      ...options,
    });
    this.#clients.push(client);
    return client;
  }

  /** The Message-ID (without brackets) of message `index` of this cell. */
  idOf(index: number): string {
    return `${this.#prefix}${index}@interop.test`;
  }

  /** Whether a stored message's Message-ID was made by this cell in this run. */
  belongs(messageId: string): boolean {
    return messageId.startsWith(this.#prefix);
  }

  /** Message `index` of this cell: to the server's mailbox unless `fields` say otherwise. */
  message(index: number, fields: Partial<MessageInput> = {}): CellMessage {
    return {
      from: "sender@senders.test",
      to: this.server.mailbox,
      subject: `interop ${this.cellId} #${index}`,
      text: TEXT_BODY,
      ...fields,
      messageId: this.idOf(index),
    };
  }

  /** The server's store now, before sending. */
  mark(): Promise<StoreMark> {
    return this.server.store.mark();
  }

  /**
   * Waits until messages `expected` (indexes) arrived after `mark`, then a little longer,
   * and returns everything of this cell that arrived.
   */
  arrivals(
    mark: StoreMark,
    expected: readonly number[],
    options: { timeoutMs?: number; settleMs?: number } = {},
  ): Promise<StoredMessage[]> {
    return waitForArrivals(this.server.store, mark, {
      expected: expected.map((i) => this.idOf(i)),
      belongs: (id) => this.belongs(id),
      ...options,
    });
  }

  /**
   * Marks the store, sends `message` with a new client (`security`, default
   * {@link CellContext.usualSecurity}; `options` added to the client's), and closes that
   * client: the send's outcome and the mark to look for arrivals after.
   */
  async sendOne(
    message: CellMessage,
    security: Security = this.usualSecurity,
    options: Partial<ClientOptions> = {},
  ): Promise<{ sent: Settled; mark: StoreMark }> {
    const client = this.client(security, options);
    const mark = await this.mark();
    const sent = await settle(client.send(message));
    await client.close();
    return { sent, mark };
  }

  /**
   * Waits for message `index` after `mark`: the problems when it was not stored exactly
   * once, and what was stored.
   */
  async deliveredOnce(
    mark: StoreMark,
    index = 0,
    options: { timeoutMs?: number } = {},
  ): Promise<{ problems: string[]; stored: StoredMessage | undefined }> {
    const arrivals = await this.arrivals(mark, [index], options);
    const id = this.idOf(index);
    return {
      problems: arrivalProblems(arrivals, id, { copies: 1, label: "the message" }),
      stored: arrivals.find((m) => m.messageId === id),
    };
  }

  /** Problems when message `index` arrived at all after `mark` (it should have been refused). */
  async neverDelivered(mark: StoreMark, index = 0): Promise<string[]> {
    const arrivals = await this.arrivals(mark, [], { settleMs: 300 });
    return arrivalProblems(arrivals, this.idOf(index), { copies: 0, label: "the message" });
  }

  /** Closes every client of the cell (QUIT where a connection is open). */
  async closeAll(): Promise<void> {
    await Promise.allSettled(this.#clients.map((c) => c.close()));
  }
}
