/** One row of the matrix: a behaviour checked against every server it applies to. */
import type { CellContext } from "../context.ts";
import type { CellOutcome } from "../outcome.ts";

/** @since 0.1.0 */
export interface Cell {
  /** Short stable name: used in captures (`<server>-<id>.txt`) and `--cell`. */
  id: string;
  /** The row's label in the table. */
  title: string;
  /** The protocols it applies to; other servers show n/a. */
  protocols: readonly ("smtp" | "lmtp")[];
  run(ctx: CellContext): Promise<CellOutcome>;
}
