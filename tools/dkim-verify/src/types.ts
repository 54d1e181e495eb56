/** Public key records by DNS name: `"<selector>._domainkey.<domain>"` → TXT text (`v=DKIM1; k=…; p=…`). */
export type KeyRecords = Record<string, string>;

/** One signature's outcome at one verifier. */
export interface VerifierResult {
  domain: string;
  selector: string;
  algorithm: string;
  pass: boolean;
  /** The verifier's own words: `pass`, or why not. */
  detail: string;
}
