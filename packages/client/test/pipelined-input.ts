// What the client tests' fake PIPELINING servers read: the client's input, however it was
// cut, taken apart into command lines, BDAT chunks and DATA messages.

/** One complete piece of the client's input. */
export type ClientInput =
  | { kind: "line"; line: string }
  | { kind: "bdat"; data: string; last: boolean }
  | { kind: "message"; data: string };

/** Takes the client's input apart as it comes, in any chunking. */
export class PipelinedInput {
  #pending = "";
  #inData = false;

  push(text: string): void {
    this.#pending += text;
  }

  /**
   * The next complete piece, or `undefined` until more input comes. After a `DATA` line
   * (which the server answers with 354), the next piece is the message up to its end of
   * data: its text with the final CRLF, dot-stuffed as sent.
   */
  next(): ClientInput | undefined {
    const pending = this.#pending;
    const bdat = /^BDAT (\d+)( LAST)?\r\n/.exec(pending);
    if (bdat) {
      const end = bdat[0].length + Number(bdat[1]);
      if (pending.length < end) return undefined;
      this.#pending = pending.slice(end);
      return {
        kind: "bdat",
        data: pending.slice(bdat[0].length, end),
        last: bdat[2] !== undefined,
      };
    }
    if (this.#inData) {
      const dot = pending.indexOf("\r\n.\r\n");
      if (dot < 0) return undefined;
      this.#pending = pending.slice(dot + 5);
      this.#inData = false;
      return { kind: "message", data: pending.slice(0, dot + 2) };
    }
    const eol = pending.indexOf("\r\n");
    if (eol < 0) return undefined;
    const line = pending.slice(0, eol);
    this.#pending = pending.slice(eol + 2);
    if (line === "DATA") this.#inData = true;
    return { kind: "line", line };
  }
}
