import { createHash } from "node:crypto";
import { type ClientOptions, createClient, type SmtpClient } from "@smtp/client";
import { destinationOf } from "./destination.ts";

/** A pooled client and the destination its options send to. @since 0.1.0 */
export interface CachedClient {
  client: SmtpClient;
  destination: string;
}

/** Makes a client; `@smtp/client`'s `createClient` unless a test or wrapper says otherwise. @since 0.1.0 */
export type ClientFactory = (options: ClientOptions) => SmtpClient;

/**
 * The worker's `@smtp/client` pools, one per distinct set of options (by identity, else by
 * content, functions by identity), at most `max` of them: the least recently used one is
 * closed (after its sends in flight) when another is needed.
 *
 * @since 0.1.0
 */
export class ClientCache {
  readonly #max: number;
  readonly #create: ClientFactory;
  readonly #byKey = new Map<string, CachedClient>();
  readonly #keyOf = new WeakMap<object, string>();
  readonly #objectIds = new WeakMap<object, number>();
  readonly #closing = new Set<Promise<void>>();
  #nextId = 1;

  constructor(max: number, create: ClientFactory = createClient) {
    this.#max = max;
    this.#create = create;
  }

  /** The client for `options`, created (pooled unless `pool` is set) on first use. */
  get(options: ClientOptions): CachedClient {
    let key = this.#keyOf.get(options);
    if (key === undefined) {
      key = this.#contentKey(options);
      this.#keyOf.set(options, key);
    }
    let cached = this.#byKey.get(key);
    if (cached) {
      // Most recently used last: Map keeps insertion order.
      this.#byKey.delete(key);
    } else {
      cached = {
        client: this.#create({ ...options, pool: options.pool ?? true }),
        destination: destinationOf(options),
      };
      this.#evict(this.#max - 1);
    }
    this.#byKey.set(key, cached);
    return cached;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Closes every client (their sends in flight finish first). */
  async closeAll(): Promise<void> {
    this.#evict(0);
    await Promise.all(this.#closing);
  }

  #evict(keep: number): void {
    for (const [key, cached] of this.#byKey) {
      if (this.#byKey.size <= keep) break;
      this.#byKey.delete(key);
      const closing = cached.client.close().catch(() => {});
      this.#closing.add(closing);
      void closing.then(() => this.#closing.delete(closing));
    }
  }

  /** A digest of the options' JSON, with functions and class instances by identity. */
  #contentKey(options: ClientOptions): string {
    const json = JSON.stringify(options, (_key, value: unknown) => {
      if (
        typeof value === "function" ||
        (typeof value === "object" && value !== null && !isData(value))
      ) {
        return `#object${this.#idOf(value as object)}`;
      }
      if (value instanceof Uint8Array) return `#bytes${Buffer.from(value).toString("base64")}`;
      return value;
    });
    return createHash("sha256").update(json).digest("base64");
  }

  #idOf(value: object): number {
    let id = this.#objectIds.get(value);
    if (id === undefined) {
      id = this.#nextId++;
      this.#objectIds.set(value, id);
    }
    return id;
  }
}

function isData(value: object): boolean {
  if (Array.isArray(value) || value instanceof Uint8Array) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
