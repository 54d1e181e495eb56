import { Ajv } from "ajv";
import { expect } from "vitest";
import {
  BULK_REPORT_SCHEMA,
  PROBE_REPORT_SCHEMA,
  REPLAY_REPORT_SCHEMA,
  SEND_REPORT_SCHEMA,
} from "../src/index.ts";

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const validators = {
  probe: ajv.compile(PROBE_REPORT_SCHEMA),
  send: ajv.compile(SEND_REPORT_SCHEMA),
  bulk: ajv.compile(BULK_REPORT_SCHEMA),
  replay: ajv.compile(REPLAY_REPORT_SCHEMA),
};

/** Parses a `--json` document and checks it against its schema; returns it. */
export function validJson(kind: keyof typeof validators, stdout: string): Record<string, unknown> {
  const value = JSON.parse(stdout) as Record<string, unknown>;
  const validate = validators[kind];
  const ok = validate(value);
  expect(validate.errors ?? [], `${kind} --json against its schema`).toEqual([]);
  expect(ok).toBe(true);
  return value;
}
