import { createRequire } from "node:module";
import type { KeyRecords, VerifierResult } from "./types.ts";

interface MailauthResult {
  signingDomain?: string;
  selector?: string;
  algo?: string;
  status: { result: string; comment?: string };
}
type DkimVerify = (
  input: Buffer,
  options: {
    resolver: (name: string, type: string) => Promise<string[][]>;
    curTime?: Date;
    minBitLength?: number;
  },
) => Promise<{ results: MailauthResult[] }>;

// The verifier module alone: mailauth's main entry loads much more than DKIM.
const { dkimVerify } = createRequire(import.meta.url)("mailauth/lib/dkim/verify") as {
  dkimVerify: DkimVerify;
};

/**
 * Verifies every DKIM-Signature of `message` with mailauth, the public keys taken from
 * `keys` through its resolver hook (never DNS). `now` is the time expiry is checked at.
 */
export async function verifyWithMailauth(
  message: Uint8Array,
  keys: KeyRecords,
  now?: Date,
): Promise<VerifierResult[]> {
  const resolver = async (name: string, type: string): Promise<string[][]> => {
    const record = type === "TXT" ? keys[name.replace(/\.$/, "").toLowerCase()] : undefined;
    if (record === undefined) {
      throw Object.assign(new Error(`no ${type} record for ${name}`), { code: "ENOTFOUND" });
    }
    return [[record]];
  };
  const { results } = await dkimVerify(Buffer.from(message), {
    resolver,
    minBitLength: 1024,
    ...(now === undefined ? {} : { curTime: now }),
  });
  return results.map((r) => ({
    domain: r.signingDomain ?? "",
    selector: r.selector ?? "",
    algorithm: r.algo ?? "",
    pass: r.status.result === "pass",
    detail: r.status.result === "pass" ? "pass" : `${r.status.result}: ${r.status.comment ?? ""}`,
  }));
}
