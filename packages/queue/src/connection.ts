import type { ConnectionOptions } from "bullmq";
import { Redis, type RedisOptions } from "ioredis";

/**
 * Where Redis is: a URL (`redis://127.0.0.1:6379/0`), ioredis options, or an ioredis
 * instance. An instance is shared with BullMQ as it is (BullMQ duplicates it for its
 * blocking reads) and is never closed by `@smtp/queue`; a worker's instance needs
 * `maxRetriesPerRequest: null`, as BullMQ requires.
 *
 * @since 0.1.0
 */
export type RedisConnection = string | RedisOptions | Redis;

/** The connection BullMQ is given: a URL or options gain `maxRetriesPerRequest: null`. @since 0.1.0 */
export function bullConnection(connection: RedisConnection): ConnectionOptions {
  if (connection instanceof Redis) return connection;
  if (typeof connection === "string") return { url: connection, maxRetriesPerRequest: null };
  // ioredis' options type allows `undefined` where BullMQ's (exact optional) does not.
  return { ...connection, maxRetriesPerRequest: null } as ConnectionOptions;
}

/**
 * A connection of our own for the delivered-set and the rate limits: a new client from a
 * URL or options, or a duplicate of the caller's instance (so closing it leaves theirs open).
 *
 * @since 0.1.0
 */
export function openRedis(connection: RedisConnection): Redis {
  if (connection instanceof Redis) return connection.duplicate();
  if (typeof connection === "string") return new Redis(connection);
  return new Redis({ ...connection, replyMapping: "legacy" });
}
