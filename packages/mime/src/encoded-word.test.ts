import { describe, expect, it } from "vitest";
import { encodeWords } from "./encoded-word.ts";

describe("encodeWords", () => {
  it("writes Q-safe characters literally, a space as _, the rest escaped", () => {
    expect(encodeWords("é!*+-/ aZ9")).toEqual(["=?UTF-8?Q?=C3=A9!*+-/_aZ9?="]);
    expect(encodeWords("é=?_abcdefgh")).toEqual(["=?UTF-8?Q?=C3=A9=3D=3F=5Fabcdefgh?="]);
  });

  it("chooses Q while it is at most one and a half times as long as B", () => {
    // "é": Q is 6 characters, B 4 (x1.5 = 6): Q. "ééé": Q 18, B 8 (x1.5 = 12): B.
    expect(encodeWords("é")).toEqual(["=?UTF-8?Q?=C3=A9?="]);
    expect(encodeWords("ééé")).toEqual(["=?UTF-8?B?w6nDqcOp?="]);
  });

  it("fills a word to 63 characters of payload (75 less the 12 of its frame), a space as one", () => {
    const fits = `é${" ".repeat(57)}`; // 6 + 57 = 63
    expect(encodeWords(fits)).toEqual([`=?UTF-8?Q?=C3=A9${"_".repeat(57)}?=`]);
    expect(encodeWords(`${fits} `)).toEqual([
      `=?UTF-8?Q?=C3=A9${"_".repeat(57)}?=`,
      "=?UTF-8?Q?_?=",
    ]);
  });

  it("puts a character too wide for the first word into it alone, never an empty word", () => {
    expect(encodeWords("é", 13)).toEqual(["=?UTF-8?Q?=C3=A9?="]);
    expect(encodeWords("éabc", 13)).toEqual(["=?UTF-8?Q?=C3=A9?=", "=?UTF-8?Q?abc?="]);
  });

  it("gives one empty word for an empty text", () => {
    expect(encodeWords("")).toEqual(["=?UTF-8?Q??="]);
  });
});
