import type { Credentials, SessionOptions } from "@smtp/core";
import { encodeBase64 } from "@smtp/core/internal";
import type { SessionTap } from "../session-tap.ts";
import { randomBytesOf } from "./placeholders.ts";
import { redactAuth } from "./redact-auth.ts";
import { bodyBlock, decodeUtf8, expectationOf, renderSteps, UnrecordableError } from "./render.ts";

/** What a recording is written from. */
export interface TranscriptSource {
  /** The engine of the connection recorded. */
  tap: SessionTap;
  /** The `randomBytes` pattern the engine was given while recording. */
  randomPattern: string;
  /** `@source`: the server and how it was recorded. */
  source: string;
  /** `#` comment lines for the head of the file (TLS details, how to replay). */
  notes: string[];
}

/** The session options a transcript's `@job` can state, with the placeholder credentials. */
function jobOptions(options: SessionOptions, auth: Credentials | undefined, pattern: string) {
  const job: Record<string, unknown> = {
    ehloName: options.ehloName,
    servername: options.servername,
  };
  for (const key of [
    "lmtp",
    "secure",
    "starttls",
    "allowInsecureAuth",
    "peerIsLoopback",
  ] as const) {
    if (options[key] !== undefined) job[key] = options[key];
  }
  if (auth !== undefined) {
    job.auth = auth;
    // SCRAM's client nonce comes from here, and SCRAM is only chosen when it is given.
    job.randomBytes = pattern;
  }
  if (options.timeouts !== undefined) job.timeouts = options.timeouts;
  if (options.limits !== undefined) job.limits = options.limits;
  return job;
}

/** Drops `undefined` fields, for a compact `@job`. */
function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * The recorded conversation as a `.smtp` transcript (the format of `@smtp/core/replay`):
 * `@job` with the engine's real options and each message's envelope and body, `@expect`
 * with each result, then every server batch, client write and event in order. AUTH is
 * rewritten for placeholder credentials (R10, R14), and the text is checked for the real
 * secret before it is returned.
 *
 * @throws UnrecordableError when the conversation cannot be written (non-UTF-8 bytes, a
 *   recording cut short by its size bound, or a credential that would leak).
 */
export async function writeTranscript(input: TranscriptSource): Promise<string> {
  const { tap } = input;
  if (tap.overflow) {
    throw new UnrecordableError("the conversation is larger than a recording keeps (32 MiB)");
  }
  const real = tap.options.auth;
  const random = randomBytesOf(input.randomPattern);
  const { events, credentials } =
    real === undefined
      ? { events: tap.events, credentials: undefined }
      : await redactAuth(tap.events, real, random);

  const head: string[] = [...input.notes.map((note) => `# ${note}`)];
  head.push(`@source ${input.source.replace(/[\r\n]+/g, " ")}`);
  const job = jobOptions(tap.options, credentials, input.randomPattern);
  const blocks: string[] = [];
  const messages = [...tap.jobs].map(([id, sendJob]) => {
    const bytes = tap.bodies.get(id);
    const body = bytes === undefined ? "" : decodeUtf8(bytes, "the message");
    const block = bytes === undefined ? undefined : bodyBlock(body);
    if (block) blocks.push(...block);
    return defined({ ...sendJob, body: block ? undefined : body });
  });
  job.messages = messages;
  head.push(`@job ${JSON.stringify(job)}`);
  if (tap.jobs.size > 0) {
    const expect = [...tap.jobs.keys()].map((id) => expectationOf(tap.results.get(id)));
    head.push(`@expect ${JSON.stringify(expect.length === 1 ? expect[0] : expect)}`);
  }
  head.push(...blocks);
  const text = `${[...head, ...renderSteps(events)].join("\n")}\n`;
  if (real !== undefined && credentials !== undefined) checkNoSecret(text, real, credentials);
  return text;
}

/** A last guard: none of the real secret's forms may be in the text (R14). */
function checkNoSecret(text: string, real: Credentials, placeholder: Credentials): void {
  const secretOf = (c: Credentials): string => ("pass" in c ? c.pass : c.accessToken);
  const secret = secretOf(real);
  // Real credentials equal to the placeholders (a test account) are no secret.
  if (secret === secretOf(placeholder)) return;
  const utf8 = (value: string): Uint8Array => new TextEncoder().encode(value);
  const forms = [
    encodeBase64(utf8(secret)),
    encodeBase64(utf8(`\0${real.user}\0${secret}`)),
    encodeBase64(utf8(`user=${real.user}\x01auth=Bearer ${secret}\x01\x01`)),
  ];
  if (secret.length >= 8) forms.push(secret);
  if (forms.some((form) => form.length >= 8 && text.includes(form))) {
    throw new UnrecordableError("the recording still holds the password: it was not written");
  }
}
