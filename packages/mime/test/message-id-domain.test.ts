import { describe, expect, it } from "vitest";
import { refusal } from "../src/errors.test-util.ts";
import { type BuildOptions, createMessage } from "../src/index.ts";
import { fixedOptions } from "./support.ts";

// A generated Message-ID takes the sender's domain, or options.hostname when the sender
// has an address literal.

function messageIdDomain(from: string, extra: Partial<BuildOptions> = {}): string {
  const { messageId } = createMessage({ from, to: "b@example.test" }, fixedOptions(extra));
  return messageId.slice(messageId.indexOf("@") + 1, -1);
}

/** A host name of `length` characters, in labels of at most 63. */
function hostOfLength(length: number): string {
  const labels: string[] = [];
  let left = length;
  while (left > 0) {
    const label = Math.min(63, left);
    labels.push("h".repeat(label));
    left -= label + 1;
  }
  return labels.join(".");
}

describe("Message-ID domain", () => {
  it("is the sender's domain in punycode", () => {
    expect(messageIdDomain("a@bücher.example", { hostname: "other.example" })).toBe(
      "xn--bcher-kva.example",
    );
  });

  it("is localhost for an address literal without options.hostname", () => {
    expect(messageIdDomain("a@[192.0.2.1]")).toBe("localhost");
  });

  it("is options.hostname for an address literal", () => {
    expect(messageIdDomain("a@[192.0.2.1]", { hostname: "mx-1.example" })).toBe("mx-1.example");
  });

  it("takes a host name of 253 characters and refuses 254", () => {
    const longest = hostOfLength(253);
    expect(longest).toHaveLength(253);
    expect(messageIdDomain("a@[192.0.2.1]", { hostname: longest })).toBe(longest);
    const error = refusal(() => messageIdDomain("a@[192.0.2.1]", { hostname: hostOfLength(254) }));
    expect(error.message).toBe("options.hostname: must be an ASCII host name");
  });

  it.each(["a..b", "bücher.example", "a_b", ""])("refuses %j", (hostname) => {
    const error = refusal(() => messageIdDomain("a@[192.0.2.1]", { hostname }));
    expect(error.message).toBe("options.hostname: must be an ASCII host name");
  });

  it("refuses CR or LF in it as header injection, naming the option", () => {
    const error = refusal(() => messageIdDomain("a@[192.0.2.1]", { hostname: "a\r\nb" }));
    expect(error.field).toBe("options.hostname");
    expect(error.message).toBe("options.hostname: contains CR at index 1");
  });
});
