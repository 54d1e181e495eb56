// workerd's built-in module, typed where it is used (sockets-api.ts) rather than through a
// Workers type package, so that the package builds with plain tsc.
declare module "cloudflare:sockets" {
  export const connect: unknown;
}
