import { describe, expect, it } from "vitest";
import { refusal } from "./errors.test-util.ts";
import { MimeError } from "./errors.ts";
import { toMsgId, toMsgIdList } from "./msg-id.ts";

describe("toMsgId", () => {
  it("takes an id with or without its angle brackets", () => {
    expect(toMsgId("messageId", "<a.b@host.example>")).toBe("<a.b@host.example>");
    expect(toMsgId("messageId", " a.b@host.example ")).toBe("<a.b@host.example>");
    expect(toMsgId("messageId", "x@[192.0.2.1]")).toBe("<x@[192.0.2.1]>");
  });

  it("strips a pair of brackets only, not a lone one at either end", () => {
    expect(refusal(() => toMsgId("messageId", "<a@bc")).message).toBe(
      'messageId: must be a msg-id such as "<unique@host.example>" (RFC 5322 §3.6.4), not "<a@bc"',
    );
    expect(() => toMsgId("messageId", "xa@bc>")).toThrow(MimeError);
    expect(() => toMsgId("messageId", "<a@bcx")).toThrow(MimeError);
  });

  it("takes 900 characters inside the brackets and refuses 901, and an empty id", () => {
    const longest = `${"a".repeat(898)}@b`;
    expect(toMsgId("messageId", longest)).toBe(`<${longest}>`);
    expect(refusal(() => toMsgId("messageId", `a${longest}`)).message).toBe(
      "messageId: must be 1 to 900 characters",
    );
    expect(refusal(() => toMsgId("messageId", "<>")).message).toBe(
      "messageId: must be 1 to 900 characters",
    );
  });

  it("refuses what is not a string", () => {
    const error = refusal(() => toMsgId("inReplyTo", 42));
    expect(error.field).toBe("inReplyTo");
    expect(error.message).toBe("inReplyTo: must be a string");
  });

  it("takes a bare left part only when asked to", () => {
    expect(() => toMsgId("cid", "logo")).toThrow(MimeError);
    expect(toMsgId("cid", "logo", true)).toBe("<logo>");
  });
});

describe("toMsgIdList", () => {
  it("splits a string at runs of spaces and tabs, ignoring them at the ends", () => {
    expect(toMsgIdList("references", " \t<a@b>  \t<c@d> ")).toEqual(["<a@b>", "<c@d>"]);
  });

  it("names the offending entry of a list or an array", () => {
    expect(refusal(() => toMsgIdList("references", "<a@b> nope")).field).toBe("references[1]");
    expect(refusal(() => toMsgIdList("references", ["<a@b>", 7])).field).toBe("references[1]");
    expect(toMsgIdList("references", ["a@b", "<c@d>"])).toEqual(["<a@b>", "<c@d>"]);
  });

  it("refuses what is neither a string nor an array", () => {
    expect(refusal(() => toMsgIdList("references", 7)).message).toBe(
      "references: must be a string or an array of strings",
    );
  });
});
