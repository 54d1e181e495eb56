import type {
  ClientDkimOptions,
  ClientOptions,
  MessageInput,
  SendInfo,
  SendOptions,
} from "@smtp/client";
import { createClient } from "@smtp/client";
import type { SessionOptions } from "@smtp/core";
import type { TapOptions } from "./session-tap.ts";
import { SessionTap } from "./session-tap.ts";

/** One message through a client of its own (no pool), with every engine watched. */
export interface Delivery {
  options: ClientOptions;
  dkim: ClientDkimOptions | undefined;
  tap: TapOptions;
  signal: AbortSignal | undefined;
  /** Changes the engine's options before it is built (recording: a replayable `randomBytes`). */
  sessionOptions?: (options: SessionOptions) => SessionOptions;
}

/** What happened: the result or the error, and the engines of every connection used. */
export interface Delivered {
  info: SendInfo | undefined;
  error: unknown;
  sessions: SessionTap[];
}

/** Sends `message` (or, with `message` undefined, only connects as `verify()` does). */
export async function deliver(
  delivery: Delivery,
  message: MessageInput | undefined,
  sendOptions: SendOptions,
): Promise<Delivered> {
  const sessions: SessionTap[] = [];
  const client = createClient(
    {
      ...delivery.options,
      ...(delivery.dkim === undefined ? {} : { dkim: delivery.dkim }),
    },
    {
      sessionFactory: (options) => {
        const tap = new SessionTap(delivery.sessionOptions?.(options) ?? options, delivery.tap);
        sessions.push(tap);
        return tap;
      },
    },
  );
  const signal = delivery.signal;
  try {
    if (message === undefined) {
      await client.verify({ signal });
      return { info: undefined, error: undefined, sessions };
    }
    const info = await client.send(message, { ...sendOptions, signal });
    return { info, error: undefined, sessions };
  } catch (error) {
    return { info: undefined, error, sessions };
  } finally {
    await client.close();
  }
}
