import { concatBytes, utf8 } from "../bytes.ts";
import { SmtpError } from "../errors.ts";
import type {
  Transcript,
  TranscriptJob,
  TranscriptMessage,
  TranscriptStep,
} from "./transcript-types.ts";

/** Defaults for `@job` fields a fixture may leave out. */
const DEFAULT_EHLO_NAME = "client.example.test";
const DEFAULT_SERVERNAME = "mx.example.test";

// Every field of the types, so that a field added to SessionOptions or SendJob (which the
// transcript types derive from) fails to compile here until the parser accepts it too.
const JOB_KEYS = new Set(
  Object.keys({
    ehloName: true,
    servername: true,
    lmtp: true,
    secure: true,
    starttls: true,
    auth: true,
    allowInsecureAuth: true,
    peerIsLoopback: true,
    timeouts: true,
    limits: true,
    randomBytes: true,
    messages: true,
    quit: true,
  } satisfies Record<keyof TranscriptJob, true>),
);
const MESSAGE_KEYS = new Set(
  Object.keys({
    from: true,
    to: true,
    size: true,
    eightBit: true,
    binary: true,
    smtpUtf8: true,
    dsn: true,
    requireAllRecipients: true,
    requireTls: true,
    body: true,
  } satisfies Record<keyof TranscriptMessage, true>),
);

const MARKER = /^-- ([a-z]+)(?: ([a-z0-9-]+(?:\/[a-z0-9-]+)?))? --$/;
const CRLF = utf8("\r\n");

function syntaxError(line: number, message: string): SmtpError {
  return new SmtpError({
    kind: "invalid-input",
    detail: "transcript-syntax",
    message: `transcript line ${line}: ${message}`,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseJson(text: string, line: number, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw syntaxError(line, `${what} is not valid JSON (${(error as Error).message})`);
  }
}

/** Parses the JSON string of an `S=`/`C=` line into its exact UTF-8 bytes, no CRLF added. */
function parseExactBytes(text: string, line: number): Uint8Array {
  const value = parseJson(text, line, "an exact-bytes line");
  if (typeof value !== "string") throw syntaxError(line, "S= and C= take one JSON string");
  return utf8(value);
}

function parseMessage(value: unknown, line: number, bodies: string[]): TranscriptMessage {
  if (!isRecord(value)) throw syntaxError(line, "each message in @job must be an object");
  for (const key of Object.keys(value)) {
    if (!MESSAGE_KEYS.has(key)) throw syntaxError(line, `unknown message field "${key}"`);
  }
  const { from, to, body } = value;
  if (typeof from !== "string") throw syntaxError(line, "message.from must be a string");
  if (!Array.isArray(to) || !to.every((item) => typeof item === "string")) {
    throw syntaxError(line, "message.to must be an array of strings");
  }
  let text: string;
  if (typeof body === "string") text = body;
  else if (body === undefined) {
    // A message without "body" takes the next @body block, in file order.
    const next = bodies.shift();
    if (next === undefined)
      throw syntaxError(line, "message has no body and no @body block is left");
    text = next;
  } else throw syntaxError(line, "message.body must be a string");
  // The remaining fields are passed to the engine as they are; it validates them.
  return { ...(value as Partial<TranscriptMessage>), from, to: to as string[], body: text };
}

function parseJob(value: unknown, line: number, bodies: string[]): TranscriptJob {
  if (!isRecord(value)) throw syntaxError(line, "@job must be a JSON object");
  for (const key of Object.keys(value)) {
    if (!JOB_KEYS.has(key)) throw syntaxError(line, `unknown @job field "${key}"`);
  }
  const messages = value.messages ?? [];
  if (!Array.isArray(messages)) throw syntaxError(line, "@job.messages must be an array");
  if (value.quit !== undefined && typeof value.quit !== "boolean") {
    throw syntaxError(line, "@job.quit must be a boolean");
  }
  if (
    value.randomBytes !== undefined &&
    (typeof value.randomBytes !== "string" || value.randomBytes === "")
  ) {
    throw syntaxError(line, "@job.randomBytes must be a non-empty string");
  }
  return {
    ...(value as Partial<TranscriptJob>),
    ehloName: typeof value.ehloName === "string" ? value.ehloName : DEFAULT_EHLO_NAME,
    servername: typeof value.servername === "string" ? value.servername : DEFAULT_SERVERNAME,
    messages: messages.map((message) => parseMessage(message, line, bodies)),
    quit: value.quit !== false,
  };
}

interface Pending {
  type: "server" | "client";
  parts: Uint8Array[];
  line: number;
}

/**
 * Parses a `.smtp` transcript (the format is described in the package README,
 * "Deterministic replay").
 *
 * @param text - The whole file. LF or CRLF line endings.
 * @returns The metadata and the steps, with consecutive server lines merged into one
 *   batch and consecutive client lines merged into one expectation.
 * @throws SmtpError of kind `invalid-input` (detail `transcript-syntax`) naming the line.
 * @since 0.1.0
 */
export function parseTranscript(text: string): Transcript {
  const lines = text.split("\n").map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
  const steps: TranscriptStep[] = [];
  const bodies: string[] = [];
  let source: string | undefined;
  let jobText: { json: string; line: number } | undefined;
  let expectText: { json: string; line: number } | undefined;
  let pending: Pending | undefined;
  let sawStep = false;
  let quitMarker = false;

  const flush = (): void => {
    if (pending)
      steps.push({ type: pending.type, bytes: concatBytes(pending.parts), line: pending.line });
    pending = undefined;
  };
  const add = (type: "server" | "client", bytes: Uint8Array, line: number): void => {
    sawStep = true;
    if (pending?.type !== type) {
      flush();
      pending = { type, parts: [], line };
    }
    pending.parts.push(bytes);
  };
  /** Reads the lines of a `<<TAG` block starting after `start`; returns them and the closing index. */
  const readBlock = (start: number, tag: string): { body: string[]; end: number } => {
    const body: string[] = [];
    for (let j = start + 1; j < lines.length; j++) {
      const current = lines[j] as string;
      if (current === tag) return { body, end: j };
      body.push(current);
    }
    throw syntaxError(start + 1, `block "${tag}" is never closed`);
  };

  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const lineNo = i + 1;
    if (raw.trim() === "" || raw.startsWith("#")) continue;

    if (raw.startsWith("@")) {
      if (sawStep) throw syntaxError(lineNo, "metadata must come before the first S:/C: line");
      const blockMatch = /^@body<<(\S+)$/.exec(raw);
      if (blockMatch) {
        const { body, end } = readBlock(i, blockMatch[1] as string);
        // Each body line ends with CRLF, as the block shows it line by line.
        bodies.push(body.map((bodyLine) => `${bodyLine}\r\n`).join(""));
        i = end;
        continue;
      }
      const space = raw.indexOf(" ");
      const key = space === -1 ? raw.slice(1) : raw.slice(1, space);
      const value = space === -1 ? "" : raw.slice(space + 1).trim();
      if (key === "source") source = value;
      else if (key === "job") {
        if (jobText) throw syntaxError(lineNo, "@job given twice");
        jobText = { json: value, line: lineNo };
      } else if (key === "expect") {
        if (expectText) throw syntaxError(lineNo, "@expect given twice");
        expectText = { json: value, line: lineNo };
      } else throw syntaxError(lineNo, `unknown metadata "@${key}"`);
      continue;
    }

    const head = raw.slice(0, 2);
    if (head === "S:" || head === "C:") {
      let content = raw.slice(2);
      if (content.startsWith(" ")) content = content.slice(1);
      else if (content !== "") throw syntaxError(lineNo, `"${head}" must be followed by a space`);
      add(head === "S:" ? "server" : "client", concatBytes([utf8(content), CRLF]), lineNo);
      continue;
    }
    if (head === "S=" || head === "C=") {
      add(
        head === "S=" ? "server" : "client",
        parseExactBytes(raw.slice(2).trim(), lineNo),
        lineNo,
      );
      continue;
    }
    const clientBlock = /^C<<(\S+)$/.exec(raw);
    if (clientBlock) {
      const { body, end } = readBlock(i, clientBlock[1] as string);
      add("client", utf8(body.map((bodyLine) => `${bodyLine}\r\n`).join("")), lineNo);
      i = end;
      continue;
    }
    const marker = MARKER.exec(raw);
    if (marker) {
      const name = marker[1] as string;
      const argument = marker[2];
      flush();
      sawStep = true;
      if (name === "error") {
        if (argument === undefined) throw syntaxError(lineNo, "-- error KIND -- needs a kind");
        const slash = argument.indexOf("/");
        steps.push({
          type: "error",
          kind: slash === -1 ? argument : argument.slice(0, slash),
          detail: slash === -1 ? undefined : argument.slice(slash + 1),
          line: lineNo,
        });
        continue;
      }
      if (name === "timeout" && argument !== undefined) {
        // "-- timeout 60000 --": the engine's wait must be exactly this many milliseconds.
        if (!/^\d+$/.test(argument))
          throw syntaxError(lineNo, "-- timeout MS -- takes milliseconds");
        steps.push({ type: "timeout", after: Number(argument), line: lineNo });
        continue;
      }
      if (argument !== undefined) throw syntaxError(lineNo, `-- ${name} -- takes no argument`);
      if (
        name === "starttls" ||
        name === "eof" ||
        name === "timeout" ||
        name === "noop" ||
        name === "quit" ||
        name === "closed" ||
        name === "body"
      ) {
        if (name === "quit") quitMarker = true;
        steps.push({ type: name, line: lineNo });
        continue;
      }
      throw syntaxError(lineNo, `unknown marker "-- ${name} --"`);
    }
    throw syntaxError(lineNo, `cannot read "${raw.length > 40 ? `${raw.slice(0, 40)}…` : raw}"`);
  }
  flush();

  if (!jobText) throw syntaxError(1, "@job is missing");
  const job = parseJob(parseJson(jobText.json, jobText.line, "@job"), jobText.line, bodies);
  if (bodies.length > 0)
    throw syntaxError(jobText.line, "more @body blocks than messages without a body");
  if (quitMarker) job.quit = false;
  let expect: unknown[] | undefined;
  if (expectText) {
    const value = parseJson(expectText.json, expectText.line, "@expect");
    expect = Array.isArray(value) ? value : [value];
    if (expect.length !== job.messages.length) {
      throw syntaxError(
        expectText.line,
        `@expect has ${expect.length} entries for ${job.messages.length} messages`,
      );
    }
  }
  return { source, job, expect, steps };
}
