import fc from "fast-check";
import { describe, it } from "vitest";
import { createMessage, type MessageInput, toBytes } from "../src/index.ts";
import { expectRoundTrip, expectWellFormedLines, fixedOptions, sha256 } from "./support.ts";

// Text that may reach a header: any Unicode but CR, LF and NUL (those are refused, see
// bad-input.test.ts), lone surrogates excluded by the grapheme unit.
const headerText = (maxLength: number) =>
  fc.string({ unit: "grapheme", maxLength }).map((s) => s.replace(/[\r\n\u0000]/g, " "));
const bodyText = fc
  .string({ unit: "grapheme", maxLength: 600 })
  .map((s) => s.replace(/\u0000/g, ""));
const mixedText = fc.oneof(
  bodyText,
  fc
    .array(
      fc.constantFrom("a", "ü", " ", "\n", "\r\n", "😀", "=", ".", "\t", "x".repeat(90), "中"),
      { maxLength: 200 },
    )
    .map((a) => a.join("")),
);

describe("round trip through mailparser and postal-mime", () => {
  for (const mode of [
    { label: "ASCII headers", options: {} },
    { label: "8BITMIME", options: { allow8bit: true } },
    { label: "SMTPUTF8", options: { smtpUtf8: true, allow8bit: true } },
  ]) {
    it(`random Unicode subjects, names, filenames and bodies (${mode.label})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          headerText(150),
          headerText(60),
          headerText(100).filter((s) => s !== ""),
          mixedText,
          mixedText,
          fc.uint8Array({ maxLength: 3000 }),
          fc.option(
            headerText(40).filter((s) => s !== ""),
            { nil: undefined },
          ),
          async (subject, name, filename, text, html, content, inlineName) => {
            // Sometimes an inline image too: multipart/related around the HTML.
            const inline =
              inlineName === undefined
                ? []
                : [
                    {
                      filename: inlineName,
                      content: content.subarray(0, 100),
                      cid: "img@example.test",
                      contentType: "image/png",
                    },
                  ];
            const input: MessageInput = {
              from: { name, address: "alice@example.test" },
              to: [{ name, address: "bob@example.test" }, "carol@example.test"],
              subject,
              text,
              html,
              attachments: [
                ...inline,
                { filename, content, contentType: "application/x-smtp-test" },
              ],
            };
            const options = fixedOptions(mode.options);
            const message = createMessage(input, options);
            const bytes = await toBytes(message);
            expectWellFormedLines(bytes, options.smtpUtf8 === true);
            await expectRoundTrip(bytes, input, [
              ...inline.map((a) => ({
                filename: a.filename,
                contentType: "image/png",
                cid: a.cid,
                sha256: sha256(a.content),
              })),
              {
                filename,
                contentType: "application/x-smtp-test",
                cid: undefined,
                sha256: sha256(content),
              },
            ]);
          },
        ),
        { numRuns: Number(process.env.MIME_PROPERTY_RUNS ?? 60) },
      );
    });
  }
});
