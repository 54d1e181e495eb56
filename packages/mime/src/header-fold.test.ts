import { describe, expect, it } from "vitest";
import { refusal } from "./errors.test-util.ts";
import { MimeError } from "./errors.ts";
import { FOLD_AT, foldHeader, MAX_LINE } from "./header-fold.ts";

describe("foldHeader", () => {
  it("folds before a word that would pass FOLD_AT, and not before one that ends at it", () => {
    // "X:" + " " + word: a word of FOLD_AT - 3 octets ends the first line at exactly FOLD_AT.
    const fits = "a".repeat(FOLD_AT - 3);
    expect(foldHeader("X", [fits])).toBe(`X: ${fits}\r\n`);
    expect(foldHeader("X", ["b", "c".repeat(FOLD_AT - 5)])).toBe(
      `X: b ${"c".repeat(FOLD_AT - 5)}\r\n`,
    );
    expect(foldHeader("X", ["b", "c".repeat(FOLD_AT - 4)])).toBe(
      `X: b\r\n ${"c".repeat(FOLD_AT - 4)}\r\n`,
    );
  });

  it("takes a line of exactly MAX_LINE octets and refuses one octet more", () => {
    // A folded line is " " + word.
    const longest = "w".repeat(MAX_LINE - 1);
    expect(foldHeader("Subject", ["a", longest])).toBe(`Subject: a\r\n ${longest}\r\n`);
    const error = refusal(() => foldHeader("Subject", ["a", `${longest}w`]));
    expect(error.field).toBe("headers.Subject");
    expect(error.message).toBe(`headers.Subject: a word longer than ${MAX_LINE} octets`);
  });

  it("counts octets, not UTF-16 units, against the limits", () => {
    // "é" is two octets: " " + 499 of them is 999 octets, " " + 498 is 997.
    expect(() => foldHeader("X", ["a", "é".repeat(499)])).toThrow(MimeError);
    expect(foldHeader("X", ["a", "é".repeat(498)])).toBe(`X: a\r\n ${"é".repeat(498)}\r\n`);
  });
});
