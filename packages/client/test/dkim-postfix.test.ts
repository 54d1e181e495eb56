import { createClient } from "@smtp/client";
import { describeVerdicts, testKey, verifyDkim } from "@smtp-internal/dkim-verify";
import {
  hasPostfix,
  maildirOf,
  type PostfixEnv,
  postfixEnv,
  waitForMaildirMessage,
} from "@smtp-internal/test-peer";
import { beforeAll, describe, expect, it } from "vitest";

// A DKIM-signed message through the Postfix peer of `.ci/run`, as a receiving server gets
// it: Postfix adds its own fields on top and stores the message with LF line ends; mailauth
// and dkimpy must still verify both signatures. Skipped, and announced, without Postfix.
if (!hasPostfix())
  console.warn(
    "@smtp/client: DKIM-through-Postfix test skipped: SMTP_HOST and the other settings of /var/lib/smtp-test-peer/env are not set (.ci/run sets up Postfix)",
  );

describe.skipIf(!hasPostfix())("DKIM through Postfix", () => {
  let env: PostfixEnv;
  beforeAll(async () => {
    env = (await postfixEnv())!;
  });

  it("both signatures (RSA relaxed, Ed25519 simple) verify on the delivered copy", async () => {
    const rsa = testKey("rsa");
    const ed = testKey("ed25519");
    const client = createClient({
      host: env.host,
      port: env.submissionPort,
      starttls: "required",
      tls: { ca: env.caPem, servername: "localhost" },
      auth: { user: env.user, pass: env.pass },
      dkim: [
        { domainName: env.domain, keySelector: "rsa", privateKey: rsa.pkcs8 },
        {
          domainName: env.domain,
          keySelector: "ed",
          privateKey: ed.pkcs8,
          canonicalization: "simple/simple",
        },
      ],
    });
    const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const info = await client.send({
      from: env.user,
      to: env.user,
      subject: `Signed über Postfix ${id}`,
      text: `Hello ${id}\n.\nwith a lone dot line\n`,
      attachments: [
        { filename: "data.bin", content: new Uint8Array(50_000).map((_, i) => i * 13) },
      ],
    });
    await client.close();
    const found = await waitForMaildirMessage(maildirOf(env, env.user), (_raw, text) =>
      text.includes(info.messageId),
    );
    // Maildir keeps LF line ends; on the wire (and to a verifier) they are CRLF.
    const text = Buffer.from(found.raw).toString("latin1").replace(/\r?\n/g, "\r\n");
    expect(text.indexOf("DKIM-Signature:")).toBeGreaterThan(0); // Postfix's fields come first
    const verdicts = await verifyDkim(Buffer.from(text, "latin1"), {
      [`rsa._domainkey.${env.domain}`]: rsa.record,
      [`ed._domainkey.${env.domain}`]: ed.record,
    });
    const pass = (verifier: string) => [
      `${verifier} rsa-sha256 d=${env.domain} s=rsa: pass`,
      `${verifier} ed25519-sha256 d=${env.domain} s=ed: pass`,
    ];
    expect(describeVerdicts(verdicts)).toEqual([
      ...pass("mailauth"),
      ...(verdicts.dkimpy ? pass("dkimpy") : []),
    ]);
  });
});
