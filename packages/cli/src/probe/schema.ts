import type { JsonSchema } from "../json-schema.ts";

/**
 * The JSON Schema (draft 07) of `smtp probe --json`: a {@link ProbeReport}.
 *
 * @since 0.1.0
 */
export const PROBE_REPORT_SCHEMA: JsonSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  $id: "urn:smtp-cli:probe-report",
  title: "smtp probe --json",
  type: "object",
  additionalProperties: false,
  required: [
    "server",
    "greeting",
    "ehloBeforeTls",
    "ehlo",
    "tls",
    "auth",
    "size",
    "extensions",
    "error",
  ],
  definitions: {
    capabilities: {
      type: ["object", "null"],
      additionalProperties: { type: "array", items: { type: "string" } },
    },
    nullableString: { type: ["string", "null"] },
  },
  properties: {
    server: {
      type: "object",
      additionalProperties: false,
      required: ["host", "port", "tls"],
      properties: {
        host: { type: "string", minLength: 1 },
        port: { type: "integer", minimum: 1, maximum: 65535 },
        tls: { enum: ["implicit", "starttls", "none"] },
      },
    },
    greeting: { type: "array", items: { type: "string" } },
    ehloBeforeTls: { $ref: "#/definitions/capabilities" },
    ehlo: { $ref: "#/definitions/capabilities" },
    tls: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["version", "cipher", "verified", "verifyError", "certificates"],
      properties: {
        version: { $ref: "#/definitions/nullableString" },
        cipher: { $ref: "#/definitions/nullableString" },
        verified: { type: "boolean" },
        verifyError: { $ref: "#/definitions/nullableString" },
        certificates: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: [
              "subject",
              "issuer",
              "subjectAltNames",
              "validFrom",
              "validTo",
              "daysToExpiry",
              "fingerprint256",
            ],
            properties: {
              subject: { type: "string" },
              issuer: { type: "string" },
              subjectAltNames: { type: "array", items: { type: "string" } },
              validFrom: { $ref: "#/definitions/nullableString" },
              validTo: { $ref: "#/definitions/nullableString" },
              daysToExpiry: { type: ["integer", "null"] },
              fingerprint256: { $ref: "#/definitions/nullableString" },
            },
          },
        },
      },
    },
    auth: {
      type: "object",
      additionalProperties: false,
      required: ["offered", "offeredBeforeTls", "withPassword", "withToken"],
      properties: {
        offered: { type: "array", items: { type: "string" } },
        offeredBeforeTls: { type: "array", items: { type: "string" } },
        withPassword: { $ref: "#/definitions/nullableString" },
        withToken: { $ref: "#/definitions/nullableString" },
      },
    },
    size: { type: ["integer", "null"], minimum: 0 },
    extensions: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "offered", "used", "note"],
        properties: {
          name: { type: "string" },
          offered: { type: "boolean" },
          used: { enum: ["always", "when-needed", "when-asked", "no"] },
          note: { type: "string" },
        },
      },
    },
    error: {
      type: ["object", "null"],
      additionalProperties: false,
      required: ["kind", "message", "code", "detail"],
      properties: {
        kind: { type: "string" },
        message: { type: "string" },
        code: { type: ["integer", "null"] },
        detail: { $ref: "#/definitions/nullableString" },
      },
    },
  },
};
