import { SmtpError } from "@smtp/client";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * `--rate`: `10/s`, `600/m`, `5/2s`, `1000/h` → at most `messages` messages started per
 * `interval` milliseconds (the client's pool `rateLimit`).
 *
 * @throws SmtpError kind `invalid-input`.
 */
export function parseRate(text: string): { messages: number; interval: number } {
  const match = /^(\d{1,9})\/(\d{0,9})(ms|s|m|h)$/.exec(text.trim());
  const messages = Number(match?.[1]);
  const count = match?.[2] === "" ? 1 : Number(match?.[2]);
  if (!match || messages < 1 || count < 1) {
    throw new SmtpError({
      kind: "invalid-input",
      message: `--rate must be like 10/s, 600/m, 5/2s or 1000/h, not ${JSON.stringify(text)}`,
      retryable: false,
    });
  }
  return { messages, interval: count * (UNITS[match[3] as string] as number) };
}
