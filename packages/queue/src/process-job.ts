import { setTimeout as sleep } from "node:timers/promises";
import type {
  ClientOptions,
  MessageInput,
  RejectedRecipient,
  SendInfo,
  SmtpClient,
} from "@smtp/client";
import { SmtpError } from "@smtp/client";
import { DelayedError, type Job, UnrecoverableError } from "bullmq";
import { type RetryOptions, retryDelay } from "./backoff.ts";
import { classifyFailure, describeFailure, isPermanentRejection } from "./classify.ts";
import type { ClientCache } from "./clients.ts";
import type { DeliveredSet } from "./delivered.ts";
import type { Destinations } from "./destination.ts";
import type { MailWorkerEvents } from "./events.ts";
import type { LocalLimiter } from "./local-limiter.ts";
import { fromStoredMessage, type MailJobData } from "./message-data.ts";
import type { MailMetrics } from "./metrics.ts";
import { type DeliveryResult, deliveryResult, type RecipientOutcome } from "./result.ts";

/** The job a client selector sees. @since 0.1.0 */
export interface MailJobInfo {
  /** The BullMQ job id. */
  id: string;
  /** Attempts already made (0 on the first). */
  attemptsMade: number;
  /** The job's stored data. */
  data: MailJobData;
}

/**
 * Chooses the `@smtp/client` options for one message (per tenant, per destination …).
 * Options equal in content share one pooled client.
 *
 * @since 0.1.0
 */
export type ClientSelector = (
  message: MessageInput,
  job: MailJobInfo,
) => ClientOptions | Promise<ClientOptions>;

/** Everything the processor needs, built once per worker. @since 0.1.0 */
export interface ProcessorContext {
  delivered: DeliveredSet;
  destinations: Destinations;
  clients: ClientCache;
  select: ClientSelector;
  localLimiter: LocalLimiter | undefined;
  retry: Required<RetryOptions>;
  /** Retry a message that may have been delivered (no answer to its end of data). */
  retryMaybeDelivered: boolean;
  /** Waits for a rate limit up to this long in the worker; longer ones defer the job. */
  maxInlineWait: number;
  metrics: MailMetrics;
  emit<K extends keyof MailWorkerEvents>(event: K, ...args: MailWorkerEvents[K]): void;
  random: () => number;
}

/** An error BullMQ retries, carrying the delay the worker chose (read by its backoff strategy). @since 0.1.0 */
export class RetryLater extends Error {
  override readonly name = "RetryLater";
  readonly delay: number;
  constructor(reason: string, delay: number, cause: unknown) {
    super(reason, { cause });
    this.delay = delay;
  }
}

type MailJob = Job<MailJobData, DeliveryResult>;

/** The outcomes of this job's recipients only (another job may share the Message-ID). */
function ownOutcomes(
  data: MailJobData,
  outcomes: ReadonlyMap<string, RecipientOutcome>,
): Map<string, RecipientOutcome> {
  const own = new Map<string, RecipientOutcome>();
  for (const address of data.envelope.to) {
    const outcome = outcomes.get(address);
    if (outcome) own.set(address, outcome);
  }
  return own;
}

function refused(rejection: RejectedRecipient): RecipientOutcome {
  return {
    ok: false,
    code: rejection.code,
    enhancedCode: rejection.enhancedCode,
    message: rejection.message,
  };
}

function summary(rejections: RejectedRecipient[]): string {
  return rejections
    .map((r) => `${r.address}: ${r.code}${r.enhancedCode ? ` ${r.enhancedCode}` : ""} ${r.message}`)
    .join("; ");
}

/**
 * Sends one mail job: checks the delivered-set, picks the pooled client, waits for the
 * rate limits (or defers the job), sends to the recipients still pending, records the
 * outcome, and turns failures into BullMQ's retry or failure.
 *
 * @since 0.1.0
 */
export async function processMailJob(
  ctx: ProcessorContext,
  job: MailJob,
  token: string | undefined,
): Promise<DeliveryResult> {
  const data = job.data;
  if (data?.v !== 1 || typeof data.messageId !== "string") {
    throw new UnrecoverableError("not a job of @smtp/queue (no v1 mail data)");
  }
  const jobId = job.id as string;
  const { messageId } = data;

  // 1. The client for this message (bad client options fail the job at once, like any
  // invalid input), and this worker's own rate limit.
  const message = fromStoredMessage(data.message, messageId);
  let chosen: { client: SmtpClient; destination: string };
  try {
    const options = await ctx.select(message, { id: jobId, attemptsMade: job.attemptsMade, data });
    chosen = ctx.clients.get(options);
  } catch (error) {
    return failed(ctx, job, undefined, new Map(), error);
  }
  const { client, destination } = chosen;
  await ctx.localLimiter?.take();

  // 2. Delivered already (by job id, then recipient by recipient by Message-ID)? And may the
  // destination take a send now? Both in one round trip.
  let [state, gate] = await Promise.all([
    ctx.delivered.lookup(jobId, messageId),
    ctx.destinations.acquire(destination),
  ]);
  if (state.finished) {
    ctx.metrics.skipped++;
    ctx.emit("skipped", { jobId, messageId });
    return { ...state.finished, alreadyDelivered: true };
  }
  const known = ownOutcomes(data, state.outcomes);
  const pending = data.envelope.to.filter((address) => !known.has(address));
  if (pending.length === 0) {
    const result = deliveryResult(messageId, known, true);
    await ctx.delivered.record(jobId, messageId, new Map(), result);
    ctx.metrics.skipped++;
    ctx.emit("skipped", { jobId, messageId });
    return result;
  }

  // 3. The destination's rate limit or 421 pause, shared by all workers: a short wait here,
  // a longer one defers the job (no attempt used).
  while (gate.wait > 0) {
    if (gate.wait <= ctx.maxInlineWait) {
      await sleep(gate.wait + Math.round(ctx.random() * 10));
      gate = await ctx.destinations.acquire(destination);
      continue;
    }
    const until = Date.now() + gate.wait + Math.round(ctx.random() * gate.wait * 0.2);
    await job.moveToDelayed(until, token);
    ctx.metrics.deferred++;
    ctx.emit("deferred", {
      jobId,
      messageId,
      destination,
      reason: gate.paused ? "slow-down" : "rate-limit",
      until,
    });
    throw new DelayedError();
  }

  // 4. Send to the recipients still pending (the others have it or refused it for good).
  const toSend: MessageInput =
    pending.length === data.envelope.to.length
      ? message
      : { ...message, envelope: { from: data.envelope.from || null, to: pending } };
  const attempt = job.attemptsMade + 1;
  const started = performance.now();
  let info: SendInfo;
  ctx.metrics.active++;
  try {
    info = await client.send(toSend);
  } catch (error) {
    return await failed(ctx, job, destination, known, error);
  } finally {
    ctx.metrics.active--;
  }
  const sendMs = performance.now() - started;

  // 5. Record at once: the only duplicate window is between the server's reply and here.
  const fresh = new Map<string, RecipientOutcome>();
  for (const address of info.accepted) fresh.set(address, { ok: true, response: info.response });
  const temporary: RejectedRecipient[] = [];
  for (const rejection of info.rejected) {
    if (isPermanentRejection(rejection)) fresh.set(rejection.address, refused(rejection));
    else temporary.push(rejection);
  }
  const outcomes = new Map([...known, ...fresh]);
  const finished = temporary.length === 0 ? deliveryResult(messageId, outcomes, false) : undefined;
  await ctx.delivered.record(jobId, messageId, fresh, finished);

  const due = job.timestamp + (job.opts.delay ?? 0);
  const latencyMs = Math.max(0, Date.now() - due);
  ctx.metrics.observeSent(latencyMs / 1000, sendMs / 1000);
  ctx.emit("sent", {
    jobId,
    messageId,
    destination,
    accepted: info.accepted,
    rejected: info.rejected,
    response: info.response,
    attempt,
    sendMs,
    latencyMs,
  });
  if (finished) return finished;
  // Some recipients got a 4xx: only they are tried again.
  await job.updateProgress(deliveryResult(messageId, outcomes, false));
  return retryOrFail(ctx, job, destination, new Error(summary(temporary)), summary(temporary), 0);
}

/** A send threw: record what is final, then retry, slow the destination down, or fail. */
async function failed(
  ctx: ProcessorContext,
  job: MailJob,
  destination: string | undefined,
  known: Map<string, RecipientOutcome>,
  error: unknown,
): Promise<never> {
  const jobId = job.id as string;
  const { messageId } = job.data;
  if (error instanceof SmtpError && error.kind === "rejected" && error.rejected?.length) {
    // Every recipient was refused. 5xx ones are final; if any got a 4xx, retry only those.
    const rejections = error.rejected.map((r) => ({ ...r, enhancedCode: r.enhancedCode }));
    const permanent = rejections.filter(isPermanentRejection);
    const temporary = rejections.filter((r) => !isPermanentRejection(r));
    if (temporary.length > 0) {
      if (permanent.length > 0) {
        const fresh = new Map(permanent.map((r) => [r.address, refused(r)] as const));
        await ctx.delivered.record(jobId, messageId, fresh, undefined);
        await job.updateProgress(deliveryResult(messageId, new Map([...known, ...fresh]), false));
      }
      return retryOrFail(ctx, job, destination, error, summary(temporary), 0);
    }
    return failForGood(ctx, job, destination, error, summary(permanent));
  }
  const action = classifyFailure(error, ctx.retryMaybeDelivered);
  const reason = describeFailure(error);
  if (action === "permanent") return failForGood(ctx, job, destination, error, reason);
  const pause =
    action === "slow-down" && destination ? await ctx.destinations.slowDown(destination) : 0;
  return retryOrFail(ctx, job, destination, error, reason, pause);
}

/** Counts and announces a job that fails for good (`permanent`: without using its attempts). */
function reportFailed(
  ctx: ProcessorContext,
  job: MailJob,
  destination: string | undefined,
  error: unknown,
  reason: string,
  permanent: boolean,
): void {
  ctx.metrics.failed++;
  ctx.emit("failed", {
    ...about(job, destination, error),
    reason,
    attempt: job.attemptsMade + 1,
    permanent,
  });
}

/** The fields every failure event starts with. */
function about(job: MailJob, destination: string | undefined, error: unknown) {
  return {
    jobId: job.id as string,
    messageId: job.data.messageId,
    destination,
    error: error instanceof Error ? error : new Error(String(error)),
  };
}

async function failForGood(
  ctx: ProcessorContext,
  job: MailJob,
  destination: string | undefined,
  error: unknown,
  reason: string,
): Promise<never> {
  reportFailed(ctx, job, destination, error, reason, true);
  throw new UnrecoverableError(reason);
}

async function retryOrFail(
  ctx: ProcessorContext,
  job: MailJob,
  destination: string | undefined,
  error: unknown,
  reason: string,
  pause: number,
): Promise<never> {
  const attempt = job.attemptsMade + 1;
  if (attempt >= (job.opts.attempts ?? 1)) {
    reportFailed(ctx, job, destination, error, reason, false);
    throw new Error(`${reason} (after ${attempt} attempts)`, { cause: error });
  }
  const delay = Math.max(pause, retryDelay(attempt, ctx.retry, ctx.random));
  ctx.metrics.retried++;
  ctx.emit("retried", {
    ...about(job, destination, error),
    attempt,
    delay,
  });
  throw new RetryLater(reason, delay, error);
}
