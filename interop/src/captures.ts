/**
 * Saves the conversation of a failed cell as `interop/captures/<server>-<cell>.txt`: what the
 * cell did, what it concluded, and every client and server line (credentials redacted), so
 * that each server quirk can become a replay transcript in packages/core.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Cell } from "./cells/cell.ts";
import type { CellContext } from "./context.ts";
import type { CellOutcome } from "./outcome.ts";

/** Writes the capture and returns its path. @since 0.1.0 */
export async function saveCapture(
  folder: string,
  cell: Cell,
  ctx: CellContext,
  outcome: CellOutcome,
): Promise<string> {
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${ctx.server.id}-${cell.id}.txt`);
  const verdict = outcome.status === "pass" ? "pass" : `${outcome.status}: ${outcome.reason}`;
  const text = [
    `# ${ctx.server.label}, cell "${cell.id}": ${cell.title}`,
    `# outcome: ${verdict}`,
    "# Lines as @smtp/client's transcript option reports them (C: client, S: server, *: event),",
    "# per client of the cell and per connection; message bodies are not shown.",
    ctx.transcript.format(),
    "",
  ].join("\n");
  await writeFile(path, text);
  return path;
}
