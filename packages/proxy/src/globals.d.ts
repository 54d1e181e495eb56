// This package compiles against ES2022 alone: no Node, no DOM. It declares the web-platform
// globals it uses, which Node 20, Deno, Bun and Cloudflare Workers all have.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
