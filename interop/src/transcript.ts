/**
 * The conversation of a cell, as the client's `transcript` option reports it (credentials
 * redacted): kept per client and connection, searched by the checks, and written out as a
 * capture when a cell fails.
 */
import type { ClientTranscriptEntry } from "../../packages/client/src/index.ts";

/** One line, with which client of the cell and which of its connections. @since 0.1.0 */
export interface TranscriptLine {
  client: number;
  connection: number;
  direction: "S" | "C" | "*";
  text: string;
}

/** Collects the lines of every client a cell creates. @since 0.1.0 */
export class TranscriptLog {
  readonly lines: TranscriptLine[] = [];
  #clients = 0;

  /** A `transcript` callback for one more client. */
  forNewClient(): (entry: ClientTranscriptEntry) => void {
    const client = ++this.#clients;
    return (entry) =>
      this.lines.push({
        client,
        connection: entry.connection,
        direction: entry.direction,
        text: entry.text,
      });
  }

  /** Client lines starting with `prefix` (case-insensitive), e.g. `"MAIL FROM"`. */
  commands(prefix: string): TranscriptLine[] {
    const wanted = prefix.toUpperCase();
    return this.lines.filter((l) => l.direction === "C" && l.text.toUpperCase().startsWith(wanted));
  }

  /** Server lines whose reply code is `code`. */
  replies(code: number): TranscriptLine[] {
    return this.lines.filter((l) => l.direction === "S" && l.text.startsWith(String(code)));
  }

  /** How many connections the cell's clients opened. */
  connections(): number {
    return new Set(this.lines.map((l) => `${l.client}.${l.connection}`)).size;
  }

  /** The lines as `S:` / `C:` / `*:` text, one heading per connection. */
  format(): string {
    const out: string[] = [];
    let current = "";
    for (const line of this.lines) {
      const key = `client ${line.client}, connection ${line.connection}`;
      if (key !== current) {
        out.push(`## ${key}`);
        current = key;
      }
      out.push(`${line.direction}: ${line.text}`);
    }
    return out.join("\n");
  }
}
