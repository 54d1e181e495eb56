/**
 * Attachments from memory and from a file stream, and an inline image referenced from the
 * HTML body by its Content-ID.
 *
 *   pnpm --filter @smtp-examples/node-attachments start
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { createClient } from "@smtp/client";
import { target } from "@smtp-examples/shared";

const { options, from, to, stop } = await target();
const client = createClient(options);

// This very file, streamed from disk: the client pulls it chunk by chunk as the socket drains.
const self = new URL(import.meta.url);
const fileSize = (await stat(self)).size;
const fileStream = Readable.toWeb(createReadStream(self)) as ReadableStream<Uint8Array>;

const dot = Uint8Array.from(
  atob(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAF0lEQVR42mP4jwMwEJC4o6GBjOgrgQkAiYuR2AMSwT0AAAAASUVORK5CYII=",
  ),
  (c) => c.charCodeAt(0),
);

try {
  const info = await client.send({
    from,
    to,
    subject: "Attachments and an inline image",
    text: "See the attachments.\n",
    html: '<p>An inline image: <img src="cid:dot@example" alt="dot"></p>',
    attachments: [
      { filename: "hello.txt", content: "Hello, attachment!\n" },
      { filename: "report.csv", content: "id,value\n1,42\n", contentType: "text/csv" },
      { filename: "main.ts", content: fileStream, contentType: "text/plain", size: fileSize },
      { filename: "dot.png", content: dot, contentType: "image/png", cid: "dot@example" },
    ],
  });
  console.log(`sent ${info.messageId} with 4 parts: ${info.response}`);
} finally {
  await client.close();
  await stop();
}
