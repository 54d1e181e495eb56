// The Node transport and @smtp/client under Bun against the real Postfix + Dovecot SASL that
// .ci/run sets up (STARTTLS on submission, implicit TLS on smtps). Skipped, and reported so,
// when those settings are not exported (no Postfix on this machine).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { nodeConnector } from "@smtp/transport-node";
import { createClient } from "../../src/index.ts";
import { bytes, ReplyReader } from "./helpers.ts";

const env = process.env;
const configured = Boolean(
  env.SMTP_HOST && env.SMTP_SUBMISSION_PORT && env.SMTPS_PORT && env.SMTP_CA,
);
const host = env.SMTP_HOST ?? "";
const ca = configured ? readFileSync(env.SMTP_CA ?? "", "utf8") : "";
const auth = { user: env.SMTP_USER ?? "user@example.test", pass: env.SMTP_PASS ?? "password" };

describe.skipIf(!configured)("on Bun against Postfix", () => {
  test("node transport: STARTTLS on submission, then EHLO and AUTH inside TLS", async () => {
    const t = await nodeConnector({ tls: { ca } })({
      host,
      port: Number(env.SMTP_SUBMISSION_PORT),
      tls: "starttls",
    });
    try {
      const r = new ReplyReader(t);
      expect((await r.next()).code).toBe(220);
      await t.write(bytes("EHLO client.test\r\n"));
      expect((await r.next()).text).toContain("STARTTLS");
      await t.write(bytes("STARTTLS\r\n"));
      expect((await r.next()).code).toBe(220);
      await t.startTls({ servername: "localhost" });
      await t.write(bytes("EHLO client.test\r\n"));
      const ehlo = await r.next();
      expect(ehlo.code).toBe(250);
      expect(ehlo.text).toContain("AUTH");
      await t.write(bytes(`AUTH PLAIN ${btoa(`\0${auth.user}\0${auth.pass}`)}\r\n`));
      expect((await r.next()).code).toBe(235);
      await t.write(bytes("QUIT\r\n"));
      expect((await r.next()).code).toBe(221);
    } finally {
      await t.close();
    }
  });

  test("client: STARTTLS with AUTH; the unknown user is refused with 550", async () => {
    const client = createClient({
      host,
      port: Number(env.SMTP_SUBMISSION_PORT),
      starttls: "required",
      tls: { ca, servername: "localhost" },
      auth,
    });
    try {
      const info = await client.send({
        from: auth.user,
        to: ["sink@example.test", "nobody@example.test"],
        subject: "bun client: Postfix STARTTLS",
        text: "Through Postfix, from Bun.\n",
      });
      expect(info.accepted).toEqual(["sink@example.test"]);
      expect(info.rejected.map((r) => [r.address, r.code])).toEqual([["nobody@example.test", 550]]);
    } finally {
      await client.close();
    }
  });

  test("client: implicit TLS (smtps) with AUTH", async () => {
    const client = createClient({
      host,
      port: Number(env.SMTPS_PORT),
      secure: true,
      tls: { ca, servername: "localhost" },
      auth,
    });
    try {
      const info = await client.send({
        from: auth.user,
        to: "sink@example.test",
        subject: "bun client: Postfix smtps",
        text: "Through Postfix over implicit TLS, from Bun.\n",
      });
      expect(info.accepted).toEqual(["sink@example.test"]);
    } finally {
      await client.close();
    }
  });
});
