// This package compiles against ES2022 alone (no Node, no DOM). It declares the one
// web-platform global it uses, which Deno, Node 20 and Bun all have.
declare class TextDecoder {
  decode(input?: Uint8Array): string;
}
