import type { Reply } from "./reply-types.ts";
import { isTooManyRecipients, positive, type Transaction } from "./transaction.ts";
import type { TransactionMachine } from "./transaction-machine.ts";

// How each reply of a transaction is handled, as data: for each command, rows tried in
// order; the first whose guard holds acts. docs/states.md lists them.

/** Which command a transaction reply answers: `chunk` is a BDAT without LAST, `end` the end of data. */
export type TxCommand = "rset" | "mail" | "rcpt" | "data" | "chunk" | "end";

/** A reply to one of a transaction's commands. */
export interface TxReply {
  tx: Transaction;
  reply: Reply;
  /** For `rcpt`: the recipient. */
  address?: string;
  /** For `end` with LMTP: which accepted recipient's reply this is. */
  index?: number;
}

/** One way of handling a transaction reply. */
export interface TxRow {
  on: TxCommand;
  when?: (t: TransactionMachine, r: TxReply) => boolean;
  /** What the row says, for the docs. */
  label: string;
  run: (t: TransactionMachine, r: TxReply) => void;
}

const ok = (_t: TransactionMachine, r: TxReply): boolean => positive(r.reply);
const refusedSpeculation = (_t: TransactionMachine, r: TxReply): boolean => r.tx.speculationRefused;
const is354 = (_t: TransactionMachine, r: TxReply): boolean => r.reply.code === 354;

/** The rows, by command, in the order they are tried. */
export const TX_ROWS: readonly TxRow[] = [
  { on: "rset", when: ok, label: "2xx: the transaction starts from a known state", run: () => {} },
  {
    on: "rset",
    when: (_t, r) => r.tx.speculative && !r.tx.bdat,
    label: "refused behind an unknown outcome: the speculation is refused",
    run: (t, r) => t.refuseSpeculation(r.tx),
  },
  {
    on: "rset",
    label: "refused with BDAT data behind it: the session ends (rset-refused)",
    run: (t, r) => t.rsetRefused(r.reply),
  },
  {
    on: "mail",
    when: refusedSpeculation,
    label: "after a refused speculation: ignored",
    run: () => {},
  },
  {
    on: "mail",
    when: (_t, r) => r.tx.speculative && r.reply.code === 503,
    label: "503 behind an unknown outcome: the speculation is refused",
    run: (t, r) => t.refuseSpeculation(r.tx),
  },
  {
    on: "mail",
    when: ok,
    label: "2xx: the sender is accepted",
    run: (t, r) => t.mailAccepted(r.tx),
  },
  {
    on: "mail",
    label: "refused: the sender is refused",
    run: (t, r) => t.mailRefused(r.tx, r.reply),
  },
  {
    on: "rcpt",
    when: refusedSpeculation,
    label: "after a refused speculation: counted",
    run: (t, r) => t.rcptCounted(r.tx),
  },
  {
    on: "rcpt",
    when: (_t, r) => r.tx.mailOk !== true,
    label: "after a refused MAIL: counted",
    run: (t, r) => t.rcptCounted(r.tx),
  },
  {
    on: "rcpt",
    when: ok,
    label: "2xx: the recipient is accepted",
    run: (t, r) => {
      r.tx.accepted.push(r.address!);
      t.rcptCounted(r.tx);
    },
  },
  {
    on: "rcpt",
    when: (_t, r) => isTooManyRecipients(r.reply) && r.tx.accepted.length > 0,
    label: "452 too many recipients: deferred to a further transaction",
    run: (t, r) => {
      r.tx.deferred.push(r.address!);
      t.rcptCounted(r.tx);
    },
  },
  {
    on: "rcpt",
    label: "refused: the recipient is refused",
    run: (t, r) => {
      t.rcptRefused(r.tx, r.address!, r.reply);
      t.rcptCounted(r.tx);
    },
  },
  {
    on: "data",
    when: (t, r) => refusedSpeculation(t, r) && is354(t, r),
    label: "354 after a refused speculation: the session ends (pipelining-refused)",
    run: (t, r) => t.pipeliningRefused(r.reply),
  },
  {
    on: "data",
    when: refusedSpeculation,
    label: "refused after a refused speculation: the message is sent again",
    run: (t, r) => t.resend(r.tx),
  },
  {
    on: "data",
    when: (t, r) => is354(t, r) && r.tx.failure !== undefined,
    label: "354 with nothing to deliver: an empty message ends at once",
    run: (t, r) => t.endEmpty(r.tx),
  },
  { on: "data", when: is354, label: "354: the body is asked for", run: (t, r) => t.needBody(r.tx) },
  {
    on: "data",
    label: "refused: the transaction fails",
    run: (t, r) => t.dataCommandRefused(r.tx, r.reply),
  },
  {
    on: "chunk",
    when: refusedSpeculation,
    label: "after a refused speculation: ignored",
    run: () => {},
  },
  {
    on: "chunk",
    when: (_t, r) => !positive(r.reply) && r.tx.failure === undefined,
    label: "refused: the transaction will fail at its end",
    run: (t, r) => t.chunkRefused(r.tx, r.reply),
  },
  { on: "chunk", label: "2xx or already failing: nothing to do", run: () => {} },
  {
    on: "end",
    when: (t, r) => refusedSpeculation(t, r) && !ok(t, r),
    label: "refused after a refused speculation: the message is sent again",
    run: (t, r) => t.resend(r.tx),
  },
  {
    on: "end",
    when: refusedSpeculation,
    label: "2xx although MAIL was refused: maybe delivered, the session ends",
    run: (t, r) => t.acceptedUnderAnotherEnvelope(r.tx, r.reply),
  },
  {
    on: "end",
    when: (_t, r) => r.tx.failure !== undefined,
    label: "after a refused envelope or chunk: the transaction fails",
    run: (t, r) => t.failTransaction(r.tx, r.tx.failure!),
  },
  {
    on: "end",
    when: (t) => t.lmtp,
    label: "LMTP: one reply per accepted recipient",
    run: (t, r) => t.lmtpReply(r.tx, r.reply, r.index ?? 0),
  },
  { on: "end", when: ok, label: "2xx: delivered", run: (t, r) => t.delivered(r.tx, r.reply) },
  {
    on: "end",
    label: "refused: the message is refused",
    run: (t, r) => t.dataRefused(r.tx, r.reply),
  },
];
