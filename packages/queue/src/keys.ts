/** BullMQ's default key prefix, which `@smtp/queue` keeps unless told otherwise. @since 0.1.0 */
export const DEFAULT_PREFIX = "bull";

/** The BullMQ job name every mail job carries. @since 0.1.0 */
export const JOB_NAME = "mail";

/**
 * The Redis keys `@smtp/queue` keeps beside BullMQ's, under the same `prefix:name:` so a
 * cluster hash tag in the prefix (`{mail}`) keeps them in the queue's slot.
 *
 * @since 0.1.0
 */
export interface MailKeys {
  /** Hash: recipient → outcome, for every recipient the server has answered for good. */
  sent(messageId: string): string;
  /** String: the delivery result of a job whose delivery is finished. */
  sentJob(jobId: string): string;
  /** Counter of sends started in the current window for one destination. */
  rate(destination: string): string;
  /** Present while a destination is paused after a 421. */
  pause(destination: string): string;
  /** How many 421s in a row a destination gave (its pause doubles with each). */
  pauseLevel(destination: string): string;
}

/** The keys of queue `name` under `prefix`. @since 0.1.0 */
export function mailKeys(prefix: string, name: string): MailKeys {
  const base = `${prefix}:${name}:smtp`;
  return {
    sent: (messageId) => `${base}:sent:${messageId}`,
    sentJob: (jobId) => `${base}:sent-job:${jobId}`,
    rate: (destination) => `${base}:rate:${destination}`,
    pause: (destination) => `${base}:pause:${destination}`,
    pauseLevel: (destination) => `${base}:pause-level:${destination}`,
  };
}
