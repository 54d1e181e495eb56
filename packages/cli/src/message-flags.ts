import type { ClientDkimOptions, MessageInput, SendOptions } from "@smtp/client";
import { SmtpError } from "@smtp/client";
import { type Command, Option } from "commander";
import { readBounded, readText } from "./files.ts";
import type { CliIo } from "./io.ts";
import { interactive } from "./io.ts";
import { askFor } from "./prompts.ts";

/** The message flags as commander parses them. */
export interface MessageFlags {
  from?: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject?: string;
  text?: string;
  textFile?: string;
  htmlFile?: string;
  attach: string[];
  header: string[];
  eml?: string;
  requireTls?: boolean;
  requireAll?: boolean;
  dkimDomain?: string;
  dkimSelector?: string;
  dkimKey?: string;
  dkimAlgorithm?: "rsa-sha256" | "ed25519-sha256";
}

/** Largest body file read whole (`--text-file`, `--html-file`). */
const MAX_BODY_FILE = 16 * 1024 * 1024;
/** Largest prepared message (`--eml`). */
export const MAX_EML = 64 * 1024 * 1024;
/** Largest DKIM key file. */
const MAX_KEY_FILE = 64 * 1024;

/** The body sent when none is given and nobody can be asked (as swaks does). */
export const DEFAULT_TEXT = "This is a test message sent with the smtp command (@smtp/cli).\n";
export const DEFAULT_SUBJECT = "Test message from smtp";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `--from`, `--to`… `--eml`, `--dkim-*`: what `send` and `record` take. */
export function addMessageFlags(command: Command): Command {
  return command
    .option("-f, --from <address>", "the sender (From: and MAIL FROM)")
    .option(
      "-t, --to <address>",
      "a recipient (repeatable, or a comma-separated list)",
      collect,
      [],
    )
    .option("--cc <address>", "a copy recipient (repeatable)", collect, [])
    .option("--bcc <address>", "a blind copy recipient: envelope only (repeatable)", collect, [])
    .option("--subject <text>", "the subject")
    .option("--text <text>", "the plain-text body")
    .option("--text-file <file>", "the plain-text body from a UTF-8 file")
    .option("--html-file <file>", "an HTML body from a UTF-8 file")
    .option("-a, --attach <file>", "attach a file (repeatable)", collect, [])
    .option(
      "-H, --header <field>",
      'an extra header field, "Name: value" (repeatable)',
      collect,
      [],
    )
    .option(
      "--eml <file>",
      "send this prepared message (.eml) as it is; --from/--to set the envelope",
    )
    .option("--require-tls", "REQUIRETLS (RFC 8689): the message must travel over TLS all the way")
    .option("--require-all", "fail unless every recipient is accepted")
    .option("--dkim-domain <domain>", "sign with DKIM for this domain (d=)")
    .option("--dkim-selector <selector>", "the DKIM selector (s=)")
    .option("--dkim-key <file>", "the DKIM private key (PEM)")
    .addOption(
      new Option(
        "--dkim-algorithm <algorithm>",
        "the DKIM algorithm (default: from the key)",
      ).choices(["rsa-sha256", "ed25519-sha256"]),
    );
}

function invalid(message: string): SmtpError {
  return new SmtpError({ kind: "invalid-input", message, retryable: false });
}

/** `"Name: value"` into a header field; the builder checks the name and refuses CR/LF (R1). */
function headerField(text: string): { key: string; value: string } {
  const colon = text.indexOf(":");
  if (colon <= 0) throw invalid(`--header: ${JSON.stringify(text)} is not "Name: value"`);
  return { key: text.slice(0, colon).trim(), value: text.slice(colon + 1).trim() };
}

/** What to send and how, from the flags (and prompts for what is missing, on a terminal). */
export interface BuiltMessage {
  message: MessageInput;
  sendOptions: SendOptions;
  dkim: ClientDkimOptions | undefined;
}

/**
 * The message the flags describe. On a terminal, what is missing (sender, recipients,
 * subject, body) is asked for; elsewhere a missing sender or recipient is refused, and a
 * missing subject or body takes a default, as swaks does.
 */
export async function buildMessage(flags: MessageFlags, io: CliIo): Promise<BuiltMessage> {
  const sendOptions: SendOptions = {};
  if (flags.requireTls) sendOptions.requireTls = true;
  if (flags.requireAll) sendOptions.requireAllRecipients = true;
  const dkim = await dkimOptions(flags);
  if (flags.eml !== undefined) return { message: await emlMessage(flags), sendOptions, dkim };

  const from =
    flags.from ??
    (await askFor(io, { message: "From", flag: "--from", placeholder: "me@example.com" }));
  let to = flags.to;
  if (to.length === 0 && flags.cc.length === 0 && flags.bcc.length === 0) {
    to = [await askFor(io, { message: "To", flag: "--to", placeholder: "you@example.org" })];
  }
  const hasBody =
    flags.text !== undefined ||
    flags.textFile !== undefined ||
    flags.htmlFile !== undefined ||
    flags.attach.length > 0;
  const ask = interactive(io);
  const subject =
    flags.subject ??
    (ask
      ? await askFor(io, {
          message: "Subject",
          flag: "--subject",
          placeholder: DEFAULT_SUBJECT,
          optional: true,
        })
      : DEFAULT_SUBJECT);
  let text = flags.text;
  if (flags.textFile !== undefined) {
    if (text !== undefined) throw invalid("give --text or --text-file, not both");
    text = await readText("--text-file", flags.textFile, MAX_BODY_FILE);
  }
  if (!hasBody) {
    text = ask
      ? await askFor(io, { message: "Message text", flag: "--text", optional: true })
      : DEFAULT_TEXT;
  }
  const message: MessageInput = {
    from,
    subject: subject === "" ? DEFAULT_SUBJECT : subject,
    ...(to.length > 0 ? { to } : {}),
    ...(flags.cc.length > 0 ? { cc: flags.cc } : {}),
    ...(flags.bcc.length > 0 ? { bcc: flags.bcc } : {}),
    ...(text !== undefined ? { text } : {}),
    ...(flags.htmlFile !== undefined
      ? { html: await readText("--html-file", flags.htmlFile, MAX_BODY_FILE) }
      : {}),
    ...(flags.attach.length > 0 ? { attachments: flags.attach.map((path) => ({ path })) } : {}),
    ...(flags.header.length > 0 ? { headers: flags.header.map(headerField) } : {}),
  };
  return { message, sendOptions, dkim };
}

/** `--eml`: the file as it is; `--from` and `--to`/`--cc`/`--bcc` set the envelope. */
async function emlMessage(flags: MessageFlags): Promise<MessageInput> {
  const others: [string, boolean][] = [
    ["--subject", flags.subject !== undefined],
    ["--text", flags.text !== undefined],
    ["--text-file", flags.textFile !== undefined],
    ["--html-file", flags.htmlFile !== undefined],
    ["--attach", flags.attach.length > 0],
    ["--header", flags.header.length > 0],
  ];
  const clash = others.find(([, given]) => given);
  if (clash)
    throw invalid(`${clash[0]} cannot be combined with --eml (the message is sent as it is)`);
  const raw = await readBounded("--eml", flags.eml as string, MAX_EML);
  const rcpts = [...flags.to, ...flags.cc, ...flags.bcc];
  const envelope = {
    ...(flags.from === undefined ? {} : { from: flags.from }),
    ...(rcpts.length === 0 ? {} : { to: rcpts }),
  };
  return { raw, ...(Object.keys(envelope).length === 0 ? {} : { envelope }) };
}

/** `--dkim-*`: all three of domain, selector and key, or none. */
async function dkimOptions(flags: MessageFlags): Promise<ClientDkimOptions | undefined> {
  const given = [flags.dkimDomain, flags.dkimSelector, flags.dkimKey].filter(
    (v) => v !== undefined,
  );
  if (given.length === 0) {
    if (flags.dkimAlgorithm !== undefined)
      throw invalid("--dkim-algorithm needs --dkim-domain, --dkim-selector and --dkim-key");
    return undefined;
  }
  if (given.length < 3)
    throw invalid("DKIM needs all of --dkim-domain, --dkim-selector and --dkim-key");
  const privateKey = new TextDecoder().decode(
    await readBounded("--dkim-key", flags.dkimKey as string, MAX_KEY_FILE),
  );
  return {
    domainName: flags.dkimDomain as string,
    keySelector: flags.dkimSelector as string,
    privateKey,
    ...(flags.dkimAlgorithm === undefined ? {} : { algorithm: flags.dkimAlgorithm }),
  };
}
