/** The rows of the matrix, in table order. */
import { authCell, wrongPasswordCell } from "./auth.ts";
import type { Cell } from "./cell.ts";
import { bdatLastCell } from "./chunking.ts";
import { implicitTlsCell, plainCell, starttlsCell } from "./connection-security.ts";
import { dataRefusedNextCell } from "./data-refused.ts";
import { denoCell } from "./deno.ts";
import { eightBitCell, smtpUtf8Cell } from "./encoding.ts";
import { lmtpPerRecipientCell } from "./lmtp.ts";
import { largeMessageCell, sizeLimitCell } from "./message-size.ts";
import { mixedOutcomesCell, pool50Cell, quitCell } from "./pooling.ts";
import { recipientsCell } from "./recipients.ts";

export type { Cell } from "./cell.ts";

/**
 * Every cell, with one AUTH row per mechanism in `mechanisms` (those any server offers).
 *
 * @since 0.1.0
 */
export function allCells(mechanisms: readonly string[]): Cell[] {
  return [
    plainCell,
    starttlsCell,
    implicitTlsCell,
    ...mechanisms.map(authCell),
    wrongPasswordCell,
    eightBitCell,
    smtpUtf8Cell,
    largeMessageCell,
    sizeLimitCell,
    recipientsCell,
    bdatLastCell,
    pool50Cell,
    mixedOutcomesCell,
    dataRefusedNextCell,
    lmtpPerRecipientCell,
    quitCell,
    denoCell,
  ];
}
