import { progress } from "@clack/prompts";
import type { CliIo } from "./io.ts";

/** Bodies from this size up get a progress bar (when stderr is a terminal). */
export const PROGRESS_FROM = 512 * 1024;

/** Steps of the bar. */
const STEPS = 50;

/**
 * A progress bar on stderr for a large message's body, fed with the bytes handed to the
 * engine against the message's size. Nothing is drawn unless stderr is a terminal and the
 * body is at least {@link PROGRESS_FROM} bytes.
 */
export class BodyProgress {
  readonly #io: CliIo;
  readonly #enabled: boolean;
  #bar: ReturnType<typeof progress> | undefined;
  #shown = 0;
  #size = 0;
  #sent = 0;

  constructor(io: CliIo, enabled: boolean) {
    this.#io = io;
    this.#enabled = enabled && io.stderr.isTTY === true;
  }

  /** `sent` of `size` body bytes are with the engine. */
  update(sent: number, size: number | undefined): void {
    if (!this.#enabled || size === undefined || size < PROGRESS_FROM) return;
    this.#size = size;
    this.#sent = sent;
    if (this.#bar === undefined) {
      this.#bar = progress({ output: this.#io.stderr, max: STEPS, style: "heavy" });
      this.#bar.start(`Sending ${mebibytes(size)}`);
    }
    const step = Math.min(STEPS, Math.floor((sent / size) * STEPS));
    if (step > this.#shown) {
      this.#bar.advance(step - this.#shown, `Sending ${mebibytes(size)}: ${mebibytes(sent)}`);
      this.#shown = step;
    }
  }

  /** Ends the bar, if one was drawn, with what was sent. */
  stop(failed = false): void {
    if (this.#bar === undefined) return;
    if (failed)
      this.#bar.error(`Failed after ${mebibytes(this.#sent)} of ${mebibytes(this.#size)}`);
    else this.#bar.stop(`Sent ${mebibytes(this.#size)}`);
    this.#bar = undefined;
  }
}

function mebibytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
