import { BODY_COPY_LIMIT } from "./body-copy-limit.ts";
import { type ChunkReplies, flushHeld, writeBody } from "./body-writer.ts";
import { DataEncoder } from "./data-encoder.ts";
import { SmtpError } from "./errors.ts";
import { firstRefusal, usesBdat } from "./extensions.ts";
import {
  allRefused,
  dataRefused,
  finishFailed,
  finishOk,
  maybeDelivered,
  misdirectedError,
  notAllAccepted,
  pipeliningRefusedError,
  refusedWith,
  rsetRefusedError,
} from "./job-results.ts";
import type { BodyStaging } from "./lent-buffers.ts";
import type { Reply } from "./reply-types.ts";
import { closedError, type OpenJobs, type SessionLink } from "./session-link.ts";
import type { JobId, SendJob } from "./session-types.ts";
import {
  type JobState,
  mailParameters,
  newTransaction,
  positive,
  rcptCommand,
  rejectionOf,
  type Transaction,
  validateJob,
} from "./transaction.ts";
import { TX_ROWS, type TxCommand, type TxReply, type TxRow } from "./transaction-table.ts";
import { invalidInput } from "./validate.ts";

/** The rows of `TX_ROWS` by the command they answer, in their order (each reply tries only its own). */
const ROWS_BY_COMMAND = new Map<TxCommand, TxRow[]>();
for (const row of TX_ROWS) {
  const rows = ROWS_BY_COMMAND.get(row.on);
  if (rows === undefined) ROWS_BY_COMMAND.set(row.on, [row]);
  else rows.push(row);
}

/** A message, or the rest of one after "452 too many recipients", waiting to start. */
interface Queued {
  js: JobState;
  recipients: string[];
  /** Begin with RSET (sent again after a refused speculation). */
  reset?: boolean;
}

/**
 * Transactions: MAIL, RCPT, DATA or BDAT, LMTP's per-recipient replies, pipelining and its
 * speculation, and each job's one result. Replies are handled by the rows of `TX_ROWS`; the
 * methods below are what those rows do. Internal.
 */
export class TransactionMachine implements OpenJobs {
  readonly #link: SessionLink;
  #queue: Queued[] = [];
  #active: Transaction[] = [];
  #bodyTx: Transaction | undefined;
  #nextId = 1;
  #quitRequested = false;
  /**
   * Whether a transaction may start before the earlier ones' outcomes are known (behind
   * their end of data, with RSET first). Off for the rest of the connection once the server
   * refused it (e.g. Haraka's 503 to anything pipelined after the end of DATA).
   */
  #speculate = true;

  constructor(link: SessionLink) {
    this.#link = link;
  }

  /** Nothing queued and nothing in flight. */
  get empty(): boolean {
    return this.#queue.length === 0 && this.#active.length === 0;
  }

  /** A body is being handed over (the data-block deadline applies). */
  get bodyInProgress(): boolean {
    return this.#bodyTx !== undefined;
  }

  get lmtp(): boolean {
    return this.#link.options.lmtp === true;
  }

  // ---------------------------------------------------------------- inputs

  send(job: SendJob, now: number): JobId {
    validateJob(job);
    const js: JobState = {
      id: this.#nextId++,
      job,
      accepted: [],
      rejected: [],
      dataSent: false,
      reply: undefined,
      done: false,
    };
    if (this.#link.is("closed") || this.#link.is("quitting")) {
      finishFailed(this.#link.actions, js, this.#link.closeError ?? closedError());
      return js.id;
    }
    this.#queue.push({ js, recipients: [...job.to] });
    this.pump(now);
    return js.id;
  }

  bodyChunk(id: JobId, chunk: Uint8Array, now: number): void {
    const tx = this.#bodyFor(id);
    if (tx === undefined || chunk.length === 0) return;
    this.#link.since = now;
    // DATA pieces go straight into the wire's queue, so with `lendOutput` they may wait in
    // its staging buffer until the next output is joined; BDAT holds its pieces longer.
    const staging = tx.bdat ? undefined : this.#link.wire.staging;
    const encoded = tx.encoder === undefined ? chunk : tx.encoder.push(chunk, staging);
    if (encoded.length === 0) return;
    // When nothing changes the encoder returns its input, or its input less a CR that ends
    // it (held for the next chunk): the caller's memory, which a small chunk must not stay in.
    const bytes =
      encoded.buffer === chunk.buffer && chunk.length < BODY_COPY_LIMIT
        ? copyOf(encoded, staging)
        : encoded;
    writeBody(this.#link, tx, bytes, this.#chunkReplies(tx));
  }

  bodyEnd(id: JobId, now: number): void {
    const tx = this.#bodyFor(id);
    if (tx === undefined) return;
    const link = this.#link;
    link.since = now;
    const tail = tx.encoder === undefined ? new Uint8Array(0) : tx.encoder.end();
    this.#bodyTx = undefined;
    tx.stage = "ended";
    if (tx.bdat) {
      if (tail.length > 0) {
        tx.held.push(tail);
        tx.heldSize += tail.length;
      }
      flushHeld(link, tx, this.#chunkReplies(tx), true);
    } else {
      link.wire.write(tail);
      link.wire.record("C", ".");
      link.wire.expect({ label: "DATA", phase: "data-end", context: this.#on("end", tx) });
    }
    link.wire.record("*", "end of message body");
    this.#sync();
    this.pump(now);
  }

  /** QUIT once every queued message is done. */
  quit(now: number): void {
    this.#quitRequested = true;
    this.pump(now);
  }

  /** Starts what may start now: the next transaction, or QUIT when all is done. */
  pump(now: number): void {
    const link = this.#link;
    for (;;) {
      if (!(link.is("ready") || link.is("mail") || link.is("data"))) return;
      if (this.#queue.length > 0) {
        if (!this.#mayStart()) return;
        const next = this.#queue.shift()!;
        this.#start(next, now);
        continue;
      }
      if (this.#quitRequested && this.#active.length === 0 && link.wire.awaiting === 0) {
        link.go("quitting");
        link.command({ name: "QUIT" }, "quit", () => link.closeAfterQuit(), now);
      }
      return;
    }
  }

  /** Fails every open job; one whose end of data went out unanswered as `maybe-delivered`. */
  failAll(error: SmtpError, answered?: Transaction): void {
    const actions = this.#link.actions;
    for (const tx of this.#active) {
      // A job partly delivered by an earlier transaction still reports what it delivered.
      const unknown = tx.stage === "ended" && tx !== answered;
      finishFailed(actions, tx.js, unknown ? maybeDelivered(error) : error);
    }
    for (const q of this.#queue) finishFailed(actions, q.js, error);
    this.#active = [];
    this.#queue = [];
    this.#bodyTx = undefined;
  }

  /** The transaction whose end of data a `data-end` reply answers (the oldest one ended). */
  endedTransaction(): Transaction | undefined {
    return this.#active.find((tx) => tx.stage === "ended");
  }

  // ---------------------------------------------------------------- starting

  /** Whether the next queued transaction may be written now. */
  #mayStart(): boolean {
    if (this.#bodyTx !== undefined || this.#active.some((tx) => tx.stage !== "ended")) return false;
    if (!this.#link.capabilities!.pipelining) return this.#link.wire.awaiting === 0;
    // Behind an outcome not yet known only while the server accepts that speculation.
    return this.#active.length === 0 || this.#speculate;
  }

  #start(next: Queued, now: number): void {
    const link = this.#link;
    const caps = link.capabilities!;
    const { js, recipients } = next;
    const job = js.job;
    const bdat = usesBdat(job, caps, link.options);
    const refusal = firstRefusal({ job, caps, secure: link.secure, bdat });
    if (refusal !== undefined) {
      finishFailed(link.actions, js, refusal);
      return;
    }
    // An earlier transaction's outcome is not known yet: servers differ in what state a
    // failed one leaves behind (Exim keeps MAIL after a refused BDAT, Dovecot LMTP wants
    // RSET), so this one starts from a known state. RSET may go anywhere in a pipelined
    // group (RFC 2920) and costs no round trip.
    const speculative = this.#active.length > 0;
    const tx = newTransaction(js, recipients, bdat, speculative);
    this.#active.push(tx);
    link.go("mail");
    if (speculative || next.reset === true)
      link.command({ name: "RSET" }, "command", this.#on("rset", tx), now);
    link.command(
      { name: "MAIL", from: job.from, params: mailParameters(job, caps) },
      "command",
      this.#on("mail", tx),
      now,
    );
    if (!caps.pipelining) return;
    while (tx.rcptSent < recipients.length) this.#sendRcpt(tx);
    if (job.requireAllRecipients === true) return;
    if (bdat) this.needBody(tx);
    else {
      tx.dataPipelined = true;
      link.command({ name: "DATA" }, "data-start", this.#on("data", tx));
    }
  }

  #sendRcpt(tx: Transaction): void {
    const address = tx.recipients[tx.rcptSent++]!;
    this.#link.command(
      rcptCommand(tx.js.job, this.#link.capabilities!, address),
      "command",
      (reply) => this.#reply("rcpt", { tx, reply, address }),
    );
  }

  /** The reply handler for `on` of `tx`. */
  #on(on: TxCommand, tx: Transaction): (reply: Reply) => void {
    return (reply) => this.#reply(on, { tx, reply });
  }

  #reply(on: TxCommand, r: TxReply): void {
    const row = ROWS_BY_COMMAND.get(on)!.find((x) => x.when?.(this, r) ?? true)!;
    row.run(this, r);
  }

  #chunkReplies(tx: Transaction): ChunkReplies {
    return { chunk: this.#on("chunk", tx), end: this.#on("end", tx) };
  }

  // ---------------------------------------------------------------- what the rows do

  /** A 503 to a speculative RSET or MAIL: nothing of `tx` counts; no more speculation. */
  refuseSpeculation(tx: Transaction): void {
    tx.speculationRefused = true;
    if (!this.#speculate) return;
    this.#speculate = false;
    this.#link.wire.record(
      "*",
      "the server refused pipelining behind the end of data: one message at a time from now on",
    );
  }

  /** Takes `tx` off the wire and queues it again, first, to begin with RSET. */
  resend(tx: Transaction): void {
    this.#remove(tx);
    this.#queue.unshift({ js: tx.js, recipients: tx.recipients, reset: true });
  }

  /** A refused RSET with BDAT chunks behind it: what the server made of them is unknown. */
  rsetRefused(reply: Reply): void {
    this.#link.fatal(rsetRefusedError(reply), "error");
  }

  /** DATA taken after the envelope was refused: only closing is safe (nothing of it was sent). */
  pipeliningRefused(reply: Reply): void {
    this.#link.fatal(pipeliningRefusedError(reply), "error");
  }

  /** Accepted although its MAIL was refused: it joined some other transaction's envelope. */
  acceptedUnderAnotherEnvelope(tx: Transaction, reply: Reply): void {
    this.#link.fatal(misdirectedError(tx, reply), "error", tx);
  }

  mailAccepted(tx: Transaction): void {
    tx.mailOk = true;
    if (!this.#link.capabilities!.pipelining) this.#sendRcpt(tx);
  }

  mailRefused(tx: Transaction, reply: Reply): void {
    tx.mailOk = false;
    tx.failure = this.#link.replyError(
      "rejected",
      "the server refused the sender",
      reply,
      "MAIL FROM",
    );
    if (!this.#link.capabilities!.pipelining) this.failTransaction(tx, tx.failure);
    else if (tx.recipients.length === 0) this.#envelopeDone(tx);
  }

  rcptRefused(tx: Transaction, address: string, reply: Reply): void {
    tx.rejected.push(rejectionOf(address, reply));
  }

  /** One more RCPT reply: the next RCPT without PIPELINING, or the envelope is done. */
  rcptCounted(tx: Transaction): void {
    tx.rcptReplies++;
    if (!tx.speculationRefused && !this.#link.capabilities!.pipelining) {
      if (tx.rcptSent < tx.recipients.length) {
        if (tx.deferred.length === 0) {
          this.#sendRcpt(tx);
          return;
        }
        // The server's recipient limit: the rest go in a further transaction.
        tx.deferred.push(...tx.recipients.slice(tx.rcptSent));
        tx.recipients = tx.recipients.slice(0, tx.rcptSent);
      }
    }
    if (tx.rcptReplies === tx.rcptSent) this.#envelopeDone(tx);
  }

  /** Every MAIL and RCPT reply is in: decide whether the data goes out. */
  #envelopeDone(tx: Transaction): void {
    if (tx.speculationRefused) {
      // Nothing of the data went out yet (requireAllRecipients): send it again now.
      if (!tx.dataPipelined && tx.stage === "envelope") this.resend(tx);
      return;
    }
    if (tx.failure === undefined) {
      if (tx.accepted.length === 0) tx.failure = allRefused(tx);
      else if (
        tx.js.job.requireAllRecipients === true &&
        (tx.rejected.length > 0 || tx.deferred.length > 0)
      )
        tx.failure = notAllAccepted(tx);
    }
    if (tx.dataPipelined || (tx.bdat && tx.stage !== "envelope")) return; // the DATA / BDAT reply decides
    if (tx.failure !== undefined) this.failTransaction(tx, tx.failure);
    else if (tx.bdat) this.needBody(tx);
    else this.#link.command({ name: "DATA" }, "data-start", this.#on("data", tx));
  }

  needBody(tx: Transaction): void {
    tx.stage = "body";
    // BINARYMIME bodies go out untouched; other BDAT bodies get CRLF line ends.
    tx.encoder = tx.js.job.binary === true ? undefined : new DataEncoder({ dotStuff: !tx.bdat });
    this.#bodyTx = tx;
    this.#sync();
    this.#link.actions.push({ type: "need-body", id: tx.js.id });
  }

  /** DATA went out pipelined but nothing may be delivered: end the (empty) data at once. */
  endEmpty(tx: Transaction): void {
    const wire = this.#link.wire;
    // The terminator of an empty body, as the DATA encoder writes it.
    wire.write(new DataEncoder().end());
    wire.record("C", ".");
    tx.stage = "ended";
    // Its reply goes through the "end" rows: the failure is set, so the transaction fails.
    wire.expect({ label: "DATA", phase: "data-end", context: this.#on("end", tx) });
  }

  dataCommandRefused(tx: Transaction, reply: Reply): void {
    this.failTransaction(
      tx,
      tx.failure ?? this.#link.replyError("rejected", "the server refused DATA", reply, "DATA"),
    );
  }

  chunkRefused(tx: Transaction, reply: Reply): void {
    tx.failure = this.#link.replyError("rejected", "the server refused BDAT", reply, "BDAT");
  }

  /** LMTP: the reply for the `index`-th accepted recipient; the rest follow this one directly. */
  lmtpReply(tx: Transaction, reply: Reply, index: number): void {
    const js = tx.js;
    if (index === 0) {
      const wire = this.#link.wire;
      wire.expectFirst(
        tx.accepted.slice(1).map((_, i) => ({
          label: "DATA",
          phase: "data-end" as const,
          context: (r: Reply) => this.#reply("end", { tx, reply: r, index: i + 1 }),
        })),
      );
      js.rejected.push(...tx.rejected);
    }
    const address = tx.accepted[index]!;
    if (positive(reply)) {
      js.accepted.push(address);
      js.reply ??= reply;
    } else js.rejected.push(rejectionOf(address, reply));
    if (index === tx.accepted.length - 1) this.#transactionDone(tx, reply);
  }

  delivered(tx: Transaction, reply: Reply): void {
    tx.js.accepted.push(...tx.accepted);
    tx.js.reply ??= reply;
    tx.js.rejected.push(...tx.rejected);
    this.#transactionDone(tx, reply);
  }

  /** The server refused the data: the job fails, or succeeds partly after an earlier part. */
  dataRefused(tx: Transaction, reply: Reply): void {
    const js = tx.js;
    js.rejected.push(...tx.rejected);
    this.#remove(tx);
    if (js.accepted.length > 0) {
      // An earlier transaction delivered to some: the job succeeded partly.
      js.rejected.push(...[...tx.accepted, ...tx.deferred].map((a) => rejectionOf(a, reply)));
      finishOk(this.#link.actions, js);
    } else finishFailed(this.#link.actions, js, dataRefused(tx, reply));
  }

  /** Ends a transaction that delivered nothing: the job's result, then RSET. */
  failTransaction(tx: Transaction, failure: SmtpError): void {
    const js = tx.js;
    // A later transaction already on the wire began with its own RSET; one sent now would
    // land behind it and reset it.
    const later = this.#active.indexOf(tx) < this.#active.length - 1;
    js.rejected.push(...tx.rejected);
    this.#remove(tx);
    if (js.accepted.length > 0) {
      // An earlier part was delivered: every recipient of this part is reported refused.
      const listed = new Set(tx.rejected.map((r) => r.address));
      js.rejected.push(...refusedWith([...tx.recipients, ...tx.deferred], failure, listed));
      finishOk(this.#link.actions, js);
    } else finishFailed(this.#link.actions, js, failure);
    if (tx.mailOk !== undefined && !later)
      this.#link.command({ name: "RSET" }, "command", () => {});
  }

  // ---------------------------------------------------------------- bookkeeping

  /** The last reply of a successful transaction: the rest of the job, or its result. */
  #transactionDone(tx: Transaction, reply: Reply): void {
    const js = tx.js;
    this.#remove(tx);
    if (tx.deferred.length > 0) {
      this.#queue.unshift({ js, recipients: tx.deferred });
      return;
    }
    if (js.accepted.length > 0) finishOk(this.#link.actions, js);
    else
      finishFailed(
        this.#link.actions,
        js,
        new SmtpError({
          kind: "rejected",
          message: "the server refused the message for every recipient",
          command: "DATA",
          rejected: [...js.rejected],
          reply,
        }),
      );
  }

  #bodyFor(id: JobId): Transaction | undefined {
    if (this.#link.is("closed") || this.#link.is("quitting")) return undefined;
    const tx = this.#bodyTx;
    if (tx === undefined || tx.js.id !== id) {
      throw invalidInput(`no need-body action is open for job ${id}`, "out-of-sequence");
    }
    return tx;
  }

  #remove(tx: Transaction): void {
    this.#active = this.#active.filter((t) => t !== tx);
    if (this.#bodyTx === tx) this.#bodyTx = undefined;
    this.#sync();
  }

  /** The session's state from its transactions' stages (see `TRANSACTION_STATES`). */
  #sync(): void {
    const link = this.#link;
    if (!(link.is("ready") || link.is("mail") || link.is("data"))) return;
    if (this.#bodyTx !== undefined) link.go("data");
    else if (this.#active.some((t) => t.stage === "envelope")) link.go("mail");
    else if (this.#active.length > 0) link.go("data");
    else link.go("ready");
  }
}

/** A copy of `bytes`, in `staging` when it has room. */
function copyOf(bytes: Uint8Array, staging: BodyStaging | undefined): Uint8Array {
  const room = staging?.take(bytes.length);
  if (room === undefined) return bytes.slice();
  room.set(bytes);
  return room;
}
