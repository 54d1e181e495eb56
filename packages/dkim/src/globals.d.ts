// This package compiles against ES2022 alone: no Node, no DOM. It declares the few
// web-platform globals it uses, which Node 20, Deno, Bun and browsers all have. WebCrypto
// is reached through `globalThis` with its own narrow types (web-crypto.ts), so that the
// same code also type-checks against Deno's and the DOM's full declarations.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean; ignoreBOM?: boolean });
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}
