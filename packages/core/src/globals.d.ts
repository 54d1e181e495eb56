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
/** Only named in types (the transport seam); the core never touches a signal itself. */
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
}
