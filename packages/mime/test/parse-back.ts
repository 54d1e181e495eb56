// Test helper: parses a message with two independent parsers (mailparser and postal-mime)
// and reduces each result to the same comparable shape.
import { createHash } from "node:crypto";
import { type AddressObject, simpleParser } from "mailparser";
import PostalMime from "postal-mime";

export interface ParsedAddress {
  name: string;
  address: string;
}

export interface ParsedAttachment {
  filename: string | undefined;
  contentType: string;
  cid: string | undefined;
  sha256: string;
  /** The content as UTF-8 text, line ends "\n", no trailing newline (parsers differ there). */
  text: string;
}

export interface ParsedMessage {
  from: ParsedAddress[];
  to: ParsedAddress[];
  cc: ParsedAddress[];
  replyTo: ParsedAddress[];
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  attachments: ParsedAttachment[];
}

export function sha256(bytes: Uint8Array | ArrayBuffer | string): string {
  const data =
    typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes as Uint8Array);
  return createHash("sha256").update(data).digest("hex");
}

/** Line ends as "\n", no trailing newline: what both parsers can agree on. */
export function normalizeText(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  return text.replace(/\r\n|\r/g, "\n").replace(/\n+$/, "");
}

function stripCid(cid: string | undefined): string | undefined {
  if (cid === undefined || cid === null) return undefined;
  return cid.replace(/^<|>$/g, "");
}

function mpAddresses(value: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((o) =>
    o.value.map((a) => ({ name: a.name ?? "", address: a.address ?? "" })),
  );
}

export async function parseWithMailparser(bytes: Uint8Array): Promise<ParsedMessage> {
  const parsed = await simpleParser(Buffer.from(bytes), {
    skipTextToHtml: true,
    skipImageLinks: true,
  });
  return {
    from: mpAddresses(parsed.from),
    to: mpAddresses(parsed.to),
    cc: mpAddresses(parsed.cc),
    replyTo: mpAddresses(parsed.replyTo),
    subject: parsed.subject,
    text: typeof parsed.text === "string" ? normalizeText(parsed.text) : undefined,
    html: typeof parsed.html === "string" ? normalizeText(parsed.html) : undefined,
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? undefined,
      contentType: a.contentType,
      cid: stripCid(a.cid),
      sha256: sha256(a.content),
      text: normalizeText(a.content.toString("utf8")) ?? "",
    })),
  };
}

type PostalAddress = {
  name: string;
  address?: string | undefined;
  group?: PostalAddress[] | undefined;
};

function pmAddresses(value: PostalAddress | PostalAddress[] | undefined): ParsedAddress[] {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((a) =>
    a.group !== undefined
      ? pmAddresses(a.group)
      : [{ name: a.name ?? "", address: a.address ?? "" }],
  );
}

export async function parseWithPostalMime(bytes: Uint8Array): Promise<ParsedMessage> {
  const parsed = await PostalMime.parse(bytes.slice().buffer, {
    attachmentEncoding: "arraybuffer",
  });
  return {
    from: pmAddresses(parsed.from as PostalAddress | undefined),
    to: pmAddresses(parsed.to as PostalAddress[] | undefined),
    cc: pmAddresses(parsed.cc as PostalAddress[] | undefined),
    replyTo: pmAddresses(parsed.replyTo as PostalAddress[] | undefined),
    subject: parsed.subject,
    text: normalizeText(parsed.text),
    html: normalizeText(parsed.html),
    attachments: parsed.attachments.map((a) => ({
      filename: a.filename ?? undefined,
      contentType: a.mimeType,
      cid: stripCid(a.contentId),
      sha256: sha256(a.content as ArrayBuffer),
      text: normalizeText(Buffer.from(a.content as ArrayBuffer).toString("utf8")) ?? "",
    })),
  };
}
