// @smtp/client on Deno against the real Postfix + Dovecot SASL that .ci/run sets up
// (.ci/postfix-setup.sh exports SMTP_HOST, SMTP_SUBMISSION_PORT, SMTPS_PORT, SMTP_CA …).
// Without those settings (no Postfix on this machine) the tests are reported as ignored.
import assert from "node:assert/strict";
import { createClient } from "../../../client/src/index.ts";

function postfix() {
  const get = (name: string) => Deno.env.get(name) || undefined;
  const host = get("SMTP_HOST");
  const submission = get("SMTP_SUBMISSION_PORT");
  const smtps = get("SMTPS_PORT");
  const caFile = get("SMTP_CA");
  if (!host || !submission || !smtps || !caFile) return undefined;
  return {
    host,
    submission: Number(submission),
    smtps: Number(smtps),
    ca: Deno.readTextFileSync(caFile),
    auth: { user: get("SMTP_USER") ?? "user@example.test", pass: get("SMTP_PASS") ?? "password" },
  };
}

const server = postfix();

Deno.test({
  name: "Postfix: STARTTLS (submission) with AUTH; the unknown user is refused with 550",
  ignore: server === undefined,
  fn: async () => {
    if (!server) return;
    const client = createClient({
      host: server.host,
      port: server.submission,
      starttls: "required",
      tls: { ca: server.ca, servername: "localhost" },
      auth: server.auth,
    });
    try {
      const info = await client.send({
        from: server.auth.user,
        to: ["sink@example.test", "nobody@example.test"],
        subject: "deno client: Postfix STARTTLS",
        text: "Through Postfix, from Deno.\n",
      });
      assert.deepEqual(info.accepted, ["sink@example.test"]);
      assert.equal(info.rejected[0]?.address, "nobody@example.test");
      assert.equal(info.rejected[0]?.code, 550);
      assert.match(info.response, /^250 /);
    } finally {
      await client.close();
    }
  },
});

Deno.test({
  name: "Postfix: implicit TLS (smtps) with AUTH",
  ignore: server === undefined,
  fn: async () => {
    if (!server) return;
    const client = createClient({
      host: server.host,
      port: server.smtps,
      secure: true,
      tls: { ca: server.ca, servername: "localhost" },
      auth: server.auth,
    });
    try {
      const info = await client.send({
        from: server.auth.user,
        to: "sink@example.test",
        subject: "deno client: Postfix smtps",
        text: "Through Postfix over implicit TLS, from Deno.\n",
      });
      assert.deepEqual(info.accepted, ["sink@example.test"]);
    } finally {
      await client.close();
    }
  },
});
