/**
 * What DKIM signing costs: each signed large-attachment run against the unsigned run of the
 * same size, source, client and repetition.
 */
import type { ClientName } from "./config.ts";
import type { AttachmentRun } from "./measure.ts";
import { clientLabel, table } from "./report.ts";
import { fmtSpread, type Spread, seconds, spread } from "./stats.ts";

/** One row: a case and client, signed against unsigned. @since 0.1.0 */
export interface DkimRow {
  /** The unsigned case's label, e.g. "200 MiB Uint8Array". */
  case: string;
  client: ClientName;
  /** Signed wall time ÷ unsigned wall time, per repetition. */
  wallRatio: Spread;
  signedWallMs: Spread;
  unsignedWallMs: Spread;
  signedExtraRssMB: Spread;
  unsignedExtraRssMB: Spread;
  /** Signed extra RSS − unsigned extra RSS, per repetition, MB. */
  rssOverUnsignedMB: Spread;
}

/** Pairs every signed run with its unsigned twin. @since 0.1.0 */
export function summarizeDkim(runs: readonly AttachmentRun[]): DkimRow[] {
  const groups = new Map<string, [AttachmentRun, AttachmentRun][]>();
  for (const signed of runs.filter((r) => r.dkim)) {
    const twin = runs.find(
      (r) =>
        !r.dkim &&
        !r.encodeOnly &&
        r.throttleMiBps === 0 &&
        r.sizeMiB === signed.sizeMiB &&
        r.source === signed.source &&
        r.client === signed.client &&
        r.rep === signed.rep,
    );
    if (!twin) continue;
    const key = `${twin.case}|${signed.client}`;
    groups.set(key, [...(groups.get(key) ?? []), [signed, twin]]);
  }
  return [...groups.values()].map((pairs) => {
    const [firstSigned, firstTwin] = pairs[0]!;
    return {
      case: firstTwin.case,
      client: firstSigned.client,
      wallRatio: spread(pairs.map(([s, u]) => s.wallMs / u.wallMs)),
      signedWallMs: spread(pairs.map(([s]) => s.wallMs)),
      unsignedWallMs: spread(pairs.map(([, u]) => u.wallMs)),
      signedExtraRssMB: spread(pairs.map(([s]) => s.extraRssMB)),
      unsignedExtraRssMB: spread(pairs.map(([, u]) => u.extraRssMB)),
      rssOverUnsignedMB: spread(pairs.map(([s, u]) => s.extraRssMB - u.extraRssMB)),
    };
  });
}

/** The DKIM cost table in Markdown. @since 0.1.0 */
export function dkimTable(rows: readonly DkimRow[]): string {
  return table(
    [
      "case",
      "client",
      "signed wall s",
      "unsigned wall s",
      "signed ÷ unsigned",
      "signed extra RSS MB",
      "unsigned extra RSS MB",
      "signed − unsigned MB",
    ],
    rows.map((r) => [
      r.case,
      clientLabel(r.client),
      fmtSpread(seconds(r.signedWallMs), 2),
      fmtSpread(seconds(r.unsignedWallMs), 2),
      fmtSpread(r.wallRatio, 2),
      fmtSpread(r.signedExtraRssMB, 0),
      fmtSpread(r.unsignedExtraRssMB, 0),
      fmtSpread(r.rssOverUnsignedMB, 0),
    ]),
  );
}
