import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { SmtpError } from "@smtp/client";
import { parse } from "csv-parse";
import { stringify } from "csv-stringify/sync";
import type { Row } from "./template.ts";

/** Longest field accepted from the CSV file (a bound on one record's memory). */
const MAX_FIELD = 1024 * 1024;

function csvError(path: string, error: unknown): SmtpError {
  const e = error as { code?: unknown; message?: unknown };
  return new SmtpError({
    kind: "invalid-input",
    message: `--csv: cannot read ${JSON.stringify(path)} (${typeof e?.code === "string" ? `${e.code}: ` : ""}${String(e?.message ?? error)})`,
    retryable: false,
    cause: error,
  });
}

/**
 * The records of a CSV file with a header line, one at a time (the file is streamed, never
 * read whole): each a column → value record, with its line number. `onHeader` gets the
 * column names first.
 */
export async function* readRows(
  path: string,
  onHeader?: (columns: string[]) => void,
): AsyncGenerator<{ row: Row; line: number }> {
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      skip_empty_lines: true,
      max_record_size: MAX_FIELD,
      info: true,
      columns: (header: string[]) => {
        const columns = header.map((name) => name.trim());
        onHeader?.(columns);
        return columns;
      },
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      yield { row: record, line: info.lines };
    }
  } catch (error) {
    throw csvError(path, error);
  } finally {
    parser.destroy();
  }
}

/** The header and number of records of a CSV file (a first pass, before anything is sent). */
export async function surveyCsv(path: string): Promise<{ columns: string[]; rows: number }> {
  let columns: string[] = [];
  let rows = 0;
  for await (const _ of readRows(path, (names) => {
    columns = names;
  })) {
    rows++;
  }
  return { columns, rows };
}

/** The columns `failed.csv` adds to the input's. */
export const FAILURE_COLUMNS = ["error_kind", "error_code", "error_enhanced_code", "error_message"];

/** One failed row: what the server (or the input) said. */
export interface Failure {
  kind: string;
  code: number | undefined;
  enhancedCode: string | undefined;
  message: string;
}

/** `failed.csv`: the failed rows as they were, each followed by its failure; opened at the first one. */
export class FailedCsv {
  readonly path: string;
  readonly #columns: string[];
  #out: WriteStream | undefined;
  count = 0;

  constructor(path: string, columns: string[]) {
    this.path = path;
    this.#columns = columns;
  }

  add(row: Row, failure: Failure): void {
    if (this.#out === undefined) {
      this.#out = createWriteStream(this.path);
      this.#out.write(stringify([[...this.#columns, ...FAILURE_COLUMNS]]));
    }
    this.count++;
    this.#out.write(
      stringify([
        [
          ...this.#columns.map((column) => row[column] ?? ""),
          failure.kind,
          failure.code === undefined ? "" : String(failure.code),
          failure.enhancedCode ?? "",
          failure.message.replace(/\s*\n\s*/g, " "),
        ],
      ]),
    );
  }

  /** Flushes and closes the file (if one was opened). */
  close(): Promise<void> {
    const out = this.#out;
    if (out === undefined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      out.once("error", reject);
      out.end(() => resolve());
    });
  }
}
