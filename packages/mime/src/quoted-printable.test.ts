import { describe, expect, it } from "vitest";
import { encodeQuotedPrintable } from "./quoted-printable.ts";

const qp = (input: Uint8Array | string): string =>
  Buffer.from(
    encodeQuotedPrintable(typeof input === "string" ? Buffer.from(input, "utf8") : input),
  ).toString("latin1");

// The exact output, not only a round trip: quoted-printable should stay readable, so every
// octet that may go literally does.
describe("encodeQuotedPrintable", () => {
  it("writes printable ASCII literally, from ! to ~, and escapes = and the rest", () => {
    expect(qp("!~")).toBe("!~");
    expect(qp("a=b")).toBe("a=3Db");
    expect(qp(Uint8Array.of(0x00, 0x1f, 0x7f, 0x80, 0xff))).toBe("=00=1F=7F=80=FF");
  });

  it("keeps CRLF, escapes a lone CR or LF", () => {
    expect(qp("a\r\nb")).toBe("a\r\nb");
    expect(qp("a\rb")).toBe("a=0Db");
    expect(qp("a\nb")).toBe("a=0Ab");
    expect(qp("\r\n\r\n")).toBe("\r\n\r\n");
  });

  it("writes spaces and tabs literally except at the end of a line or of the text", () => {
    expect(qp("a b\tc")).toBe("a b\tc");
    expect(qp("a \r\nb\t\r\nc")).toBe("a=20\r\nb=09\r\nc");
    expect(qp("end ")).toBe("end=20");
    expect(qp("end\t")).toBe("end=09");
    // A space before a lone CR is not at a line end.
    expect(qp("a \rb")).toBe("a =0Db");
    // Nor is a space two octets before a lone LF.
    expect(qp(" a\nb")).toBe(" a=0Ab");
  });

  it("ends a line at 75 characters plus the soft break, exactly", () => {
    expect(qp("a".repeat(75))).toBe("a".repeat(75));
    expect(qp("a".repeat(76))).toBe(`${"a".repeat(75)}=\r\na`);
    expect(qp("a".repeat(70))).toBe("a".repeat(70));
    // 25 escapes fill a line; the worst case needs all the room the encoder sets aside.
    const zeros = new Uint8Array(100);
    expect(qp(zeros)).toBe(Array(4).fill("=00".repeat(25)).join("=\r\n"));
  });

  it("never splits the escapes of one UTF-8 character across a soft break", () => {
    // é: 2 octets (lead C3), € 3 (E2), 😀 4 (F0): each moves whole to the next line.
    expect(qp(`${"a".repeat(70)}é`)).toBe(`${"a".repeat(70)}=\r\n=C3=A9`);
    expect(qp(`${"a".repeat(67)}€`)).toBe(`${"a".repeat(67)}=\r\n=E2=82=AC`);
    expect(qp(`${"a".repeat(64)}😀`)).toBe(`${"a".repeat(64)}=\r\n=F0=9F=98=80`);
    expect(qp(`${"a".repeat(69)}é`)).toBe(`${"a".repeat(69)}=C3=A9`);
  });

  it("reads the character's length from the lead octet at each range's ends", () => {
    const line = (...bytes: number[]) => qp(Uint8Array.of(...Array(70).fill(0x61), ...bytes));
    const a70 = "a".repeat(70);
    // 0xBF is not a lead octet: one octet, fits; 0xC0 and 0xDF lead two octets.
    expect(line(0xbf, 0x80)).toBe(`${a70}=BF=\r\n=80`);
    expect(line(0xc0, 0x80)).toBe(`${a70}=\r\n=C0=80`);
    expect(line(0xdf, 0x80)).toBe(`${a70}=\r\n=DF=80`);
    // 0xE0 and 0xEF lead three octets, 0xF0 four.
    const a67 = Array(67).fill(0x61);
    const three = (...bytes: number[]) => qp(Uint8Array.of(...a67, ...bytes));
    expect(three(0xe0, 0xa0, 0x80)).toBe(`${"a".repeat(67)}=\r\n=E0=A0=80`);
    expect(three(0xef, 0xbf, 0xbf)).toBe(`${"a".repeat(67)}=\r\n=EF=BF=BF`);
    expect(three(0xdf, 0x80, 0x61)).toBe(`${"a".repeat(67)}=DF=80a`);
    const a64 = Array(64).fill(0x61);
    expect(qp(Uint8Array.of(...a64, 0xf0, 0x90, 0x80, 0x80))).toBe(
      `${"a".repeat(64)}=\r\n=F0=90=80=80`,
    );
    expect(qp(Uint8Array.of(...a64, 0xef, 0xbf, 0xbf, 0x61))).toBe(`${"a".repeat(64)}=EF=BF=BFa`);
  });
});
