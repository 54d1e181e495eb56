import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import type { SMTPServerDataStream, SMTPServerSession } from "smtp-server";

/** A reply the sink gives instead of accepting. */
export interface SinkReply {
  code: number;
  message: string;
}

/** How the sink misbehaves; randomness is drawn from `seed`. */
export interface SinkOptions {
  seed?: number;
  /** Share of connections greeted with `421` and closed (0 to 1). */
  connect421?: number;
  /** Share of transactions answered `451` at the end of the data (0 to 1). */
  data451?: number;
  /** A reply for one RCPT (`n`: how many times this address was seen, from 1). */
  rcpt?: (address: string, n: number) => SinkReply | undefined;
  /** A reply for one message at the end of its data (`n`: its how-manieth data, from 1). */
  data?: (messageId: string, subject: string, n: number) => SinkReply | undefined;
  /** Milliseconds to wait before answering the end of the data (`n` as for `data`). */
  dataDelay?: number | ((n: number) => number);
}

/** smtp-server counting what it accepted, by Message-ID. */
export interface Sink {
  host: string;
  port: number;
  peer: SmtpServerPeer;
  /** Accepted copies per Message-ID. */
  copies: Map<string, number>;
  /** Accepted recipients per Message-ID, in order, over all copies. */
  recipients: Map<string, string[]>;
  /** RCPT commands seen per address (accepted or not). */
  rcptSeen: Map<string, number>;
  /** Transactions that reached the end of the data, per Message-ID (accepted or not). */
  dataSeen: Map<string, number>;
  /** Connections greeted, and refused with 421. */
  connections: { total: number; refused: number };
  /** Accepted messages (copies). */
  total(): number;
  /** Messages accepted more than once: extra copies. */
  duplicates(): number;
  close(): Promise<void>;
}

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const error = (reply: SinkReply) =>
  Object.assign(new Error(reply.message), { responseCode: reply.code });

function headerOf(head: string, name: string): string {
  const match = new RegExp(`^${name}:[ \\t]*(.*)$`, "im").exec(head);
  return match?.[1]?.trim() ?? "";
}

/** Starts the sink (no TLS, loopback, ephemeral port). */
export async function startSink(options: SinkOptions = {}): Promise<Sink> {
  const random = seeded(options.seed ?? 1);
  const copies = new Map<string, number>();
  const recipients = new Map<string, string[]>();
  const rcptSeen = new Map<string, number>();
  const dataSeen = new Map<string, number>();
  const connections = { total: 0, refused: 0 };
  const bump = (map: Map<string, number>, key: string) => {
    const n = (map.get(key) ?? 0) + 1;
    map.set(key, n);
    return n;
  };

  const peer = await startSmtpServerPeer({
    tls: "none",
    size: 10 * 1024 * 1024,
    serverOptions: {
      closeTimeout: 50,
      onConnect(_session: SMTPServerSession, callback: (err?: Error | null) => void) {
        connections.total++;
        if (random() < (options.connect421 ?? 0)) {
          connections.refused++;
          return callback(error({ code: 421, message: "Too busy, try again later" }));
        }
        callback();
      },
      onRcptTo(address, _session, callback) {
        const n = bump(rcptSeen, address.address);
        const reply = options.rcpt?.(address.address, n);
        if (reply) return callback(error(reply));
        if (address.address.endsWith("@reject.test")) {
          return callback(error({ code: 550, message: "User unknown" }));
        }
        callback();
      },
      onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
        let head = "";
        stream.on("data", (chunk: Buffer) => {
          if (head.length < 4096 && !head.includes("\r\n\r\n")) head += chunk.toString("latin1");
        });
        stream.on("end", () => {
          const messageId = headerOf(head.split("\r\n\r\n")[0] ?? "", "Message-ID");
          const n = bump(dataSeen, messageId);
          const delay = options.dataDelay;
          setTimeout(
            () => end(messageId, n),
            typeof delay === "function" ? delay(n) : (delay ?? 0),
          );
        });
        const end = (messageId: string, n: number) => {
          const reply =
            options.data?.(messageId, headerOf(head, "Subject"), n) ??
            (random() < (options.data451 ?? 0)
              ? { code: 451, message: "Temporary failure, try again" }
              : undefined);
          if (reply) return callback(error(reply));
          bump(copies, messageId);
          const list = recipients.get(messageId) ?? [];
          list.push(...session.envelope.rcptTo.map((r) => r.address));
          recipients.set(messageId, list);
          callback(null, "Ok: queued");
        };
      },
    },
  });
  return {
    host: peer.host,
    port: peer.port,
    peer,
    copies,
    recipients,
    rcptSeen,
    dataSeen,
    connections,
    total: () => [...copies.values()].reduce((a, b) => a + b, 0),
    duplicates: () => [...copies.values()].reduce((a, n) => a + n - 1, 0),
    close: () => peer.close(),
  };
}
