// A minimal SMTP server for the Deno suite: no TLS, no AUTH; it takes messages and keeps
// their bytes (dot-unstuffed). Closes everything it opened.

/** A running sink: its port, what it received, and how to stop it. */
export interface Sink {
  port: number;
  received: Uint8Array[];
  close(): Promise<void>;
}

const encoder = new TextEncoder();

/** Starts the sink on 127.0.0.1, port 0. */
export function startSink(): Sink {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const received: Uint8Array[] = [];
  const sessions: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) sessions.push(serve(conn, received));
  })();
  return {
    port: listener.addr.port,
    received,
    async close() {
      listener.close();
      await accepting.catch(() => {});
      await Promise.all(sessions);
    },
  };
}

async function serve(conn: Deno.Conn, received: Uint8Array[]): Promise<void> {
  const say = (line: string) => conn.write(encoder.encode(`${line}\r\n`));
  let pending = new Uint8Array(0);
  const buffer = new Uint8Array(64 * 1024);
  /** The next `until`-terminated piece of input, or null at EOF. */
  const next = async (until: string): Promise<Uint8Array | null> => {
    const mark = encoder.encode(until);
    let from = 0;
    for (;;) {
      const at = find(pending, mark, from);
      from = Math.max(0, pending.length - mark.length + 1);
      if (at >= 0) {
        const piece = pending.slice(0, at);
        pending = pending.slice(at + mark.length);
        return piece;
      }
      const n = await conn.read(buffer);
      if (n === null) return null;
      const joined = new Uint8Array(pending.length + n);
      joined.set(pending);
      joined.set(buffer.subarray(0, n), pending.length);
      pending = joined;
    }
  };
  try {
    await say("220 sink ESMTP");
    for (;;) {
      const line = await next("\r\n");
      if (line === null) return;
      const command = new TextDecoder().decode(line).slice(0, 4).toUpperCase();
      if (command === "EHLO") await say("250-sink\r\n250-8BITMIME\r\n250 SIZE 1000000000");
      else if (command === "DATA") {
        await say("354 go on");
        const data = await next("\r\n.\r\n");
        if (data === null) return;
        // One character per octet, so that 8-bit octets survive the dot-unstuffing.
        let text = "";
        for (let i = 0; i < data.length; i += 8192)
          text += String.fromCharCode(...data.subarray(i, i + 8192));
        received.push(Uint8Array.from(`${text}\r\n`.replace(/^\./gm, ""), (c) => c.charCodeAt(0)));
        await say("250 2.0.0 queued");
      } else if (command === "QUIT") {
        await say("221 bye");
        return;
      } else await say("250 ok");
    }
  } finally {
    conn.close();
  }
}

function find(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
