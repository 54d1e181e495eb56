/**
 * The matrix as Markdown: one row per cell, one column per server, `pass`, `FAIL [n]` with
 * the reason in a numbered list below, or `–` where the cell does not apply.
 */
import type { MatrixResult } from "./matrix.ts";

/** Counts of a run. @since 0.1.0 */
export interface Tally {
  pass: number;
  fail: number;
  notApplicable: number;
}

/** @since 0.1.0 */
export function tally(result: MatrixResult): Tally {
  const t: Tally = { pass: 0, fail: 0, notApplicable: 0 };
  for (const row of result.outcomes.values()) {
    for (const o of row.values()) {
      if (o.status === "pass") t.pass++;
      else if (o.status === "fail") t.fail++;
      else t.notApplicable++;
    }
  }
  return t;
}

const MAX_DETAILS = 12;

const cellText = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/**
 * The table, the numbered failure reasons, the notes of passing cells, and a summary line.
 *
 * @since 0.1.0
 */
export function renderMarkdown(result: MatrixResult): string {
  const header = `| cell | ${result.columns.map((c) => cellText(c.label)).join(" | ")} |`;
  const rule = `| --- | ${result.columns.map(() => "---").join(" | ")} |`;
  const rows: string[] = [];
  const failures: string[] = [];
  const notes: string[] = [];
  let failed = 0;
  for (const cell of result.cells) {
    const entries = result.columns.map((column) => {
      const outcome = result.outcomes.get(cell.id)?.get(column.id);
      if (outcome === undefined) return "?";
      if (outcome.status === "pass") {
        if (outcome.note) notes.push(`- ${column.id} / ${cell.id}: ${cellText(outcome.note)}`);
        return "pass";
      }
      if (outcome.status === "n/a") return outcome.reason.startsWith("skipped") ? "skipped" : "–";
      const capture = result.captures.get(`${cell.id}/${column.id}`);
      const where = capture === undefined ? "" : ` (capture: \`${capture}\`)`;
      failed++;
      failures.push(
        `${failed}. **${column.id} / ${cell.id}**: ${cellText(outcome.reason)}${where}`,
      );
      // When the cell found several problems: each of them (up to a dozen) under the first.
      const details = outcome.details && outcome.details.length > 1 ? outcome.details : [];
      for (const detail of details.slice(0, MAX_DETAILS)) failures.push(`   - ${cellText(detail)}`);
      if (details.length > MAX_DETAILS)
        failures.push(`   - … ${details.length - MAX_DETAILS} more`);
      return `**FAIL** [${failed}]`;
    });
    rows.push(`| ${cellText(cell.title)} (\`${cell.id}\`) | ${entries.join(" | ")} |`);
  }
  const t = tally(result);
  const skipped = result.columns.filter((c) => c.unavailable !== undefined);
  return [
    header,
    rule,
    ...rows,
    "",
    `${t.pass} passed, ${t.fail} failed, ${t.notApplicable} not applicable; ${(result.durationMs / 1000).toFixed(1)} s.`,
    ...(skipped.length === 0 ? [] : ["", ...skipped.map((c) => `- ${c.id}: ${c.unavailable}`)]),
    ...(failures.length === 0 ? [] : ["", "### Failures", "", ...failures]),
    ...(notes.length === 0 ? [] : ["", "### Notes on passing cells", "", ...notes]),
    "",
  ].join("\n");
}
