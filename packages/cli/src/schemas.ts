import type { JsonSchema } from "./json-schema.ts";

/** A string or `null`. */
const nullableString = { type: ["string", "null"] } as const;

/** The error object of the `--json` documents. */
const errorSchema = {
  type: ["object", "null"],
  additionalProperties: false,
  required: ["kind", "message", "code", "enhancedCode", "detail"],
  properties: {
    kind: { type: "string" },
    message: { type: "string" },
    code: { type: ["integer", "null"] },
    enhancedCode: nullableString,
    detail: nullableString,
  },
} as const;

/**
 * The JSON Schema (draft 07) of `smtp send --json` and `smtp record --json`: a
 * {@link SendReport}.
 *
 * @since 0.1.0
 */
export const SEND_REPORT_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "urn:smtp-cli:send-report",
  title: "smtp send --json",
  type: "object",
  additionalProperties: false,
  required: [
    "ok",
    "server",
    "messageId",
    "envelope",
    "accepted",
    "rejected",
    "response",
    "transcript",
    "error",
  ],
  properties: {
    ok: { type: "boolean" },
    server: { type: "string" },
    messageId: nullableString,
    envelope: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["from", "to"],
      properties: {
        from: { type: "string" },
        to: { type: "array", items: { type: "string" } },
      },
    },
    accepted: { type: "array", items: { type: "string" } },
    rejected: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["address", "code", "enhancedCode", "message"],
        properties: {
          address: { type: "string" },
          code: { type: "integer" },
          enhancedCode: nullableString,
          message: { type: "string" },
        },
      },
    },
    response: nullableString,
    transcript: nullableString,
    error: errorSchema,
  },
};

/**
 * The JSON Schema (draft 07) of `smtp bulk --json`: a {@link BulkReport}.
 *
 * @since 0.1.0
 */
export const BULK_REPORT_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "urn:smtp-cli:bulk-report",
  title: "smtp bulk --json",
  type: "object",
  additionalProperties: false,
  required: ["total", "sent", "partial", "failed", "elapsedMs", "failedCsv"],
  properties: {
    total: { type: "integer", minimum: 0 },
    sent: { type: "integer", minimum: 0 },
    partial: { type: "integer", minimum: 0 },
    failed: { type: "integer", minimum: 0 },
    elapsedMs: { type: "integer", minimum: 0 },
    failedCsv: nullableString,
  },
};

/**
 * The JSON Schema (draft 07) of `smtp replay --json`: a {@link ReplayReport}.
 *
 * @since 0.1.0
 */
export const REPLAY_REPORT_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "urn:smtp-cli:replay-report",
  title: "smtp replay --json",
  type: "object",
  additionalProperties: false,
  required: ["file", "ok", "source", "chunkings", "messages", "failure"],
  properties: {
    file: { type: "string" },
    ok: { type: "boolean" },
    source: nullableString,
    chunkings: { type: "integer", minimum: 1 },
    messages: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["outcome", "kind"],
        properties: {
          outcome: { enum: ["delivered", "failed", "none"] },
          kind: nullableString,
        },
      },
    },
    failure: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["line", "message"],
      properties: {
        line: { type: "integer", minimum: 0 },
        message: { type: "string" },
      },
    },
  },
};
