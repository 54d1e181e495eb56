import { describe, expect, it } from "vitest";
import { toExtraHeaders } from "../src/extra-headers.ts";
import { createMessage, type HeadersInput, toBytes } from "../src/index.ts";
import { fixedOptions, refusal } from "./support.ts";

// The extra headers (`headers`): their shapes, names and values, with the exact refusals.

const refused = (input: unknown, hasPriority = false) =>
  refusal(() => toExtraHeaders(input as HeadersInput, hasPriority));

describe("extra header names", () => {
  it("takes names of 1 to 76 characters and refuses empty ones and 77", async () => {
    const name76 = `X-${"a".repeat(74)}`;
    expect(toExtraHeaders({ X: "1", [name76]: "2" }, false)).toEqual([
      { name: "X", value: "1" },
      { name: name76, value: "2" },
    ]);
    expect(refused({ [`${name76}a`]: "v" })).toBe(
      `headers.${name76}a: name must be 1 to 76 characters`,
    );
    expect(refused({ "": "v" })).toBe("headers.: name must be 1 to 76 characters");
    expect(refused([{ key: "", value: "v" }])).toBe("headers.: name must be 1 to 76 characters");
    // A name of 76 fills "Name: " to 78 octets, written as given.
    const bytes = await toBytes(
      createMessage(
        { from: "a@example.test", to: "b@example.test", text: "x", headers: { [name76]: "v" } },
        fixedOptions(),
      ),
    );
    expect(Buffer.from(bytes).toString("latin1")).toContain(`\r\n${name76}: v\r\n`);
  });

  it("takes every printable ASCII character but the colon", () => {
    for (let c = 0x21; c <= 0x7e; c++) {
      if (c === 0x3a) continue;
      const name = `X${String.fromCharCode(c)}`;
      expect(toExtraHeaders({ [name]: "v" }, false)).toEqual([{ name, value: "v" }]);
    }
  });

  it("refuses a colon, blanks, controls and non-ASCII, naming the index", () => {
    const bad = [0x01, 0x09, 0x1f, 0x20, 0x3a, 0x7f, 0x80, 0xe9, 0x2028];
    for (const c of bad) {
      const name = `X-${String.fromCharCode(c)}`;
      expect(refused({ [name]: "v" })).toBe(
        `headers.${name}: invalid character in the header name at index 2`,
      );
    }
    expect(refused({ "Xü-Y": "v" })).toBe(
      "headers.Xü-Y: invalid character in the header name at index 1",
    );
  });

  it("refuses every header the builder writes itself, whatever the case, with the field to use", () => {
    const reserved: [string, string][] = [
      ["Content-Type", "structural: set from the content"],
      ["Content-Transfer-Encoding", "structural: chosen by the builder"],
      ["MIME-Version", "structural: always 1.0"],
      ["Content-Disposition", "structural: set per attachment"],
      ["Content-ID", "structural: use attachments[].cid"],
      ["From", "use the from field"],
      ["Sender", "use the sender field"],
      ["To", "use the to field"],
      ["CC", "use the cc field"],
      ["bcc", "use the bcc field (never written to the headers)"],
      ["Reply-To", "use the replyTo field"],
      ["SUBJECT", "use the subject field"],
      ["Date", "use the date field"],
      ["Message-Id", "use the messageId field"],
      ["In-Reply-To", "use the inReplyTo field"],
      ["References", "use the references field"],
    ];
    for (const [name, reason] of reserved) {
      expect(refused({ [name]: "v" })).toBe(
        `headers.${name}: may not be set as an extra header (${reason})`,
      );
    }
    // Near misses are ordinary names.
    expect(toExtraHeaders({ "X-To": "a", Dates: "b", "Content-Language": "c" }, false)).toEqual([
      { name: "X-To", value: "a" },
      { name: "Dates", value: "b" },
      { name: "Content-Language", value: "c" },
    ]);
  });

  it("reserves X-Priority and Importance only when the priority field is set", () => {
    for (const name of ["X-Priority", "x-priority", "Importance", "IMPORTANCE"]) {
      expect(refused({ [name]: "1" }, true)).toBe(
        `headers.${name}: may not be set together with the priority field`,
      );
      expect(toExtraHeaders({ [name]: "1" }, false)).toEqual([{ name, value: "1" }]);
    }
    expect(toExtraHeaders({ "X-Priority-Note": "1" }, true)).toEqual([
      { name: "X-Priority-Note", value: "1" },
    ]);
  });
});

describe("extra header shapes and values", () => {
  it("an object gives one header per value, in order; an array gives its pairs", () => {
    expect(toExtraHeaders(undefined, false)).toEqual([]);
    expect(toExtraHeaders({ "X-A": ["1", "2"], "X-B": "3" }, false)).toEqual([
      { name: "X-A", value: "1" },
      { name: "X-A", value: "2" },
      { name: "X-B", value: "3" },
    ]);
    expect(
      toExtraHeaders(
        [
          { key: "X-B", value: "1" },
          { key: "X-A", value: "2" },
        ],
        false,
      ),
    ).toEqual([
      { name: "X-B", value: "1" },
      { name: "X-A", value: "2" },
    ]);
  });

  it("refuses input that is neither an object nor an array", () => {
    for (const input of [null, "X-A: 1", 5, true]) {
      expect(refused(input)).toBe("headers: must be an object or an array of { key, value }");
    }
  });

  it("refuses array items that are not { key, value } with a string key, naming the index", () => {
    for (const item of [null, "X-A: 1", 7]) {
      expect(refused([{ key: "X-A", value: "1" }, item])).toBe(
        "headers[1]: must be { key, value }",
      );
    }
    for (const item of [{ key: 1, value: "v" }, { value: "v" }, { key: null, value: "v" }]) {
      expect(refused([item])).toBe("headers[0].key: must be a string");
    }
  });

  it("refuses values that are not strings, naming the header", () => {
    expect(refused({ "X-A": 5 })).toBe("headers.X-A: value must be a string");
    expect(refused({ "X-A": ["1", null] })).toBe("headers.X-A: value must be a string");
    expect(refused([{ key: "X-B" }])).toBe("headers.X-B: value must be a string");
  });
});
