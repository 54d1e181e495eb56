// This package compiles against ES2022 alone: no Node, no DOM. It declares the
// few web-platform globals it uses, which Node 20, Deno, Bun and browsers all have.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
/** Turns an internationalised domain into punycode (UTS #46), and normalises List-* URLs. */
declare class URL {
  constructor(url: string);
  readonly hostname: string;
  readonly href: string;
  readonly protocol: string;
}
/** The minimal reader side of a web `ReadableStream` that attachment content may be. */
interface ReadableStreamReadResultLike<T> {
  done: boolean;
  value?: T;
}
interface ReadableStreamDefaultReaderLike<T> {
  read(): Promise<ReadableStreamReadResultLike<T>>;
  releaseLock(): void;
  cancel(reason?: unknown): Promise<void>;
}
interface ReadableStream<R = unknown> {
  readonly locked: boolean;
  getReader(): ReadableStreamDefaultReaderLike<R>;
  cancel(reason?: unknown): Promise<void>;
}
