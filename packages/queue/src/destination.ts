import { randomUUID } from "node:crypto";
import { type ClientOptions, serverOf } from "@smtp/client";
import type { Redis } from "ioredis";
import type { MailKeys } from "./keys.ts";

/** At most `max` sends per `duration` milliseconds. @since 0.1.0 */
export interface RateLimit {
  /** Sends allowed in any window of `duration`. */
  max: number;
  /** The window, in milliseconds. */
  duration: number;
}

/** How a `421` slows its destination down, for every worker of the queue. @since 0.1.0 */
export interface SlowDownOptions {
  /** Pause after the first 421, in ms; doubles with each further 421. Default 5,000. */
  delay?: number;
  /** Longest pause, in ms. Default 300,000 (5 min). */
  maxDelay?: number;
}

/**
 * The server a message goes to, as `host:port` (after a connection URL or `service`): what
 * rate limits and slow-downs are kept by.
 *
 * @since 0.1.0
 */
export function destinationOf(options: ClientOptions): string {
  const { host, port } = serverOf(options);
  return `${host.toLowerCase()}:${port}`;
}

// KEYS: pause, rate (a sorted set of start times). ARGV: max (0: no limit), window ms, a
// unique member. Times are the Redis server's, so every worker shares one clock.
// Returns {0, 0} when the send may start now (and logs it), else {ms to wait, 1 if paused}.
const ACQUIRE = `
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return {paused, 1} end
local max = tonumber(ARGV[1])
if max > 0 then
  local window = tonumber(ARGV[2])
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= max then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {math.max(1, tonumber(oldest[2]) + window - now), 0}
  end
  redis.call('ZADD', KEYS[2], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[2], window)
end
return {0, 0}
`;

// KEYS: pause, level. ARGV: first pause ms, longest pause ms.
// Each 421 doubles the pause (the level is forgotten after 4 longest pauses without one);
// an existing longer pause is kept. Returns the pause in ms.
const SLOW_DOWN = `
local level = redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], 4 * tonumber(ARGV[2]))
local pause = math.min(tonumber(ARGV[1]) * 2 ^ (level - 1), tonumber(ARGV[2]))
pause = math.floor(pause)
if redis.call('PTTL', KEYS[1]) < pause then
  redis.call('SET', KEYS[1], level, 'PX', pause)
end
return pause
`;

type Scripted = Redis & {
  smtpQueueAcquire(
    pause: string,
    rate: string,
    max: number,
    window: number,
    member: string,
  ): Promise<[number, number]>;
  smtpQueueSlowDown(pause: string, level: string, delay: number, maxDelay: number): Promise<number>;
};

/**
 * Per-destination rate limits and 421 pauses, kept in Redis so that every worker of the
 * queue honours them.
 *
 * @since 0.1.0
 */
export class Destinations {
  readonly #redis: Scripted;
  readonly #keys: MailKeys;
  readonly #limit: RateLimit | undefined;
  readonly #slowDown: Required<SlowDownOptions>;
  readonly #id = randomUUID();
  #nextMember = 0;

  constructor(
    redis: Redis,
    keys: MailKeys,
    limit: RateLimit | undefined,
    slowDown: Required<SlowDownOptions>,
  ) {
    redis.defineCommand("smtpQueueAcquire", { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand("smtpQueueSlowDown", { numberOfKeys: 2, lua: SLOW_DOWN });
    this.#redis = redis as Scripted;
    this.#keys = keys;
    this.#limit = limit;
    this.#slowDown = slowDown;
  }

  /**
   * `wait` 0 when a send to `destination` may start now (and counts it), else the
   * milliseconds to wait; `paused` when that is because of a 421.
   */
  async acquire(destination: string): Promise<{ wait: number; paused: boolean }> {
    const [wait, paused] = await this.#redis.smtpQueueAcquire(
      this.#keys.pause(destination),
      this.#keys.rate(destination),
      this.#limit?.max ?? 0,
      this.#limit?.duration ?? 1000,
      `${Date.now()}-${this.#nextMember++}-${this.#id}`,
    );
    return { wait, paused: paused === 1 };
  }

  /** After a 421: pauses `destination` for every worker; resolves with the pause in ms. */
  slowDown(destination: string): Promise<number> {
    return this.#redis.smtpQueueSlowDown(
      this.#keys.pause(destination),
      this.#keys.pauseLevel(destination),
      this.#slowDown.delay,
      this.#slowDown.maxDelay,
    );
  }
}
