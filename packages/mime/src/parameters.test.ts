import { describe, expect, it } from "vitest";
import { legacyNameWords, parameterWords } from "./parameters.ts";

describe("parameterWords", () => {
  it("quotes a simple value of 1 to 56 characters", () => {
    expect(parameterWords("name", "a")).toEqual([['name="a"']]);
    expect(parameterWords("name", "a".repeat(56))).toEqual([[`name="${"a".repeat(56)}"`]]);
  });

  it("writes an empty value, or one of 57 characters, the RFC 2231 way", () => {
    expect(parameterWords("name", "")).toEqual([["name*=utf-8''"]]);
    // Segments of at most 56 characters: utf-8'' and 49 characters, then the rest.
    expect(parameterWords("name", "a".repeat(57))).toEqual([
      [`name*0*=utf-8''${"a".repeat(49)}`],
      [`name*1*=${"a".repeat(8)}`],
    ]);
  });

  it("percent-encodes all but letters, digits and !#$&+-.^_`|~", () => {
    expect(parameterWords("name", "é!#$&+-.^_`|~ a")).toEqual([
      ["name*=utf-8''%C3%A9!#$&+-.^_`|~%20a"],
    ]);
  });
});

describe("legacyNameWords", () => {
  it("quotes printable ASCII up to 56 characters, encoded words beyond", () => {
    expect(legacyNameWords("name", `${"a".repeat(55)}"`)).toEqual([`name="${"a".repeat(55)}\\""`]);
    expect(legacyNameWords("name", "a".repeat(57))).toEqual([
      `name="=?UTF-8?Q?${"a".repeat(57)}?="`,
    ]);
  });
});
