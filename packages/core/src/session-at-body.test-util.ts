import { expect } from "vitest";
import { Session } from "./session.ts";

const enc = new TextEncoder();

/**
 * A session that has just asked for the body of one message: over DATA, or over BDAT when
 * `chunking` (the server then offers CHUNKING and BINARYMIME, for a `binary` message too).
 */
export function sessionAtBody(options: {
  chunking: boolean;
  binary?: boolean;
  lendOutput?: boolean;
}): { session: Session; id: number } {
  const session = new Session({
    ehloName: "client.example",
    servername: "mx.example",
    starttls: "never",
    lendOutput: options.lendOutput === true,
  });
  session.connected(0);
  session.receiveData(enc.encode("220 mx\r\n"), 0);
  session.pollTransmit();
  const ehlo = options.chunking
    ? "250-mx\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 BINARYMIME\r\n"
    : "250-mx\r\n250 PIPELINING\r\n";
  session.receiveData(enc.encode(ehlo), 0);
  const job = { from: "a@example.org", to: ["b@example.net"], binary: options.binary === true };
  const id = session.send(job, 0);
  session.pollTransmit();
  if (!options.chunking) session.receiveData(enc.encode("250 ok\r\n250 ok\r\n354 go\r\n"), 0);
  const actions = [];
  for (let a = session.pollAction(); a; a = session.pollAction()) actions.push(a.type);
  expect(actions).toContain("need-body");
  return { session, id };
}
