import { expect } from "vitest";
import { fieldsOf } from "./errors.test-util.ts";
import { Session } from "./session.ts";
import type { Action, SendJob, SessionOptions, TranscriptEntry } from "./session-types.ts";

// The hand-driven session of the unit tests (not part of the build: `*.test-util.ts`).

export const enc = new TextEncoder();
const dec = new TextDecoder();

/** Drives a Session by hand: server text in, client text and actions out. */
export class Harness {
  readonly session: Session;
  readonly transcript: TranscriptEntry[] = [];
  readonly actions: Action[] = [];
  now = 1000;
  constructor(options: Partial<SessionOptions> = {}) {
    this.session = new Session({
      ehloName: "client.example",
      servername: "mx.example",
      starttls: "never",
      transcript: (e) => this.transcript.push(e),
      ...options,
    });
  }
  connect(): this {
    this.session.connected(this.now);
    return this;
  }
  /** Feeds server text (CRLF written as \n in the argument is converted). */
  server(text: string): this {
    this.session.receiveData(enc.encode(text.replace(/\r?\n/g, "\r\n")), this.now);
    return this;
  }
  serverRaw(bytes: string): this {
    this.session.receiveData(enc.encode(bytes), this.now);
    return this;
  }
  /** Everything the client wrote since the last call. */
  client(): string {
    let text = "";
    for (let b = this.session.pollTransmit(); b !== null; b = this.session.pollTransmit())
      text += dec.decode(b);
    return text;
  }
  drain(): Action[] {
    const got: Action[] = [];
    for (let a = this.session.pollAction(); a !== null; a = this.session.pollAction()) got.push(a);
    this.actions.push(...got);
    return got;
  }
  send(job: Partial<SendJob> = {}): number {
    return this.session.send({ from: "a@example.org", to: ["b@example.net"], ...job }, this.now);
  }
  body(id: number, text: string): this {
    this.session.bodyChunk(id, enc.encode(text), this.now);
    this.session.bodyEnd(id, this.now);
    return this;
  }
  result(id: number) {
    this.drain();
    const found = this.actions.find((a) => a.type === "result" && a.id === id);
    if (found?.type !== "result") throw new Error(`no result for ${id}`);
    return found.result;
  }
  /** End-of-stream while quitting is a clean close. */
  receiveEofCheck(): void {
    this.session.receiveEof(this.now);
    expect(this.closeAction()).toEqual({ type: "close", reason: "quit" });
  }
  closeAction() {
    this.drain();
    return this.actions.find((a) => a.type === "close");
  }
  /** The close action's reason and its error's fields ({@link fieldsOf}), for exact comparison. */
  closedWith(): { reason: string; error?: Record<string, unknown> } | undefined {
    const close = this.closeAction();
    if (close === undefined) return undefined;
    return close.error === undefined
      ? { reason: close.reason }
      : { reason: close.reason, error: fieldsOf(close.error) };
  }
}

export const EHLO_PIPE =
  "250-mx.example\n250-PIPELINING\n250-SIZE 1000\n250-8BITMIME\n250 ENHANCEDSTATUSCODES\n";

export function ready(options: Partial<SessionOptions> = {}, ehlo = EHLO_PIPE): Harness {
  const h = new Harness(options).connect();
  h.server("220 mx.example ESMTP\n");
  expect(h.client()).toBe("EHLO client.example\r\n");
  h.server(ehlo);
  expect(h.drain().map((a) => a.type)).toEqual(["ready"]);
  return h;
}
