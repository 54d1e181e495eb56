/**
 * Reading the `KEY=VALUE` files the peers' set-up scripts write (`$SMTP_STATE/env` for
 * Postfix, `$INTEROP_STATE/<peer>/env` for the others).
 */
import { readFile } from "node:fs/promises";

/** A peer's settings: its env file's lines as a map. @since 0.1.0 */
export type PeerEnv = ReadonlyMap<string, string>;

/**
 * Parses `KEY=VALUE` lines; blank lines and `#` comments are skipped, a value is taken as
 * written (the scripts never quote).
 *
 * @since 0.1.0
 */
export function parseEnvFile(text: string): PeerEnv {
  const env = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(trimmed);
    if (match) env.set(match[1]!, match[2]!);
  }
  return env;
}

/** The env file at `path`, or `undefined` when it does not exist. @since 0.1.0 */
export async function readEnvFile(path: string): Promise<PeerEnv | undefined> {
  try {
    return parseEnvFile(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** The value of `key`; throws naming the file's peer when it is missing. @since 0.1.0 */
export function required(env: PeerEnv, key: string): string {
  const value = env.get(key);
  if (value === undefined || value === "") throw new Error(`${key} is missing from the env file`);
  return value;
}

/** The numeric value of `key` (a port, a size). @since 0.1.0 */
export function requiredNumber(env: PeerEnv, key: string): number {
  const value = Number(required(env, key));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${key} is not a positive integer`);
  return value;
}
