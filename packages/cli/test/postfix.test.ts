import { readFileSync } from "node:fs";
import { join } from "node:path";
import { assertReplayEveryChunking } from "@smtp/core/replay";
import {
  hasPostfix,
  maildirOf,
  type PostfixEnv,
  postfixEnv,
  waitForMaildirMessage,
} from "@smtp-internal/test-peer";
import { beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/index.ts";
import { ensureBuilt, envelope, runSmtp, tempDir } from "./run.ts";
import { validJson } from "./schemas.ts";

// The built bin against the Postfix peer that .ci/run sets up (STARTTLS and AUTH on the
// submission port, implicit TLS on smtps). Skipped without it, except in CI.

if (!hasPostfix() && process.env.CI)
  throw new Error("CI is set but the Postfix peer is not (SMTP_PORT, SMTP_CA)");

describe.skipIf(!hasPostfix())("against Postfix", () => {
  let env: PostfixEnv;
  let dir: string;
  const auth = (): Record<string, string> => ({ SMTP_PASS: env.pass });
  const submission = (): string[] => [
    "--server",
    `${env.host}:${env.submissionPort}`,
    "--ca",
    env.caPath,
    "--servername",
    "localhost",
  ];

  beforeAll(async () => {
    await ensureBuilt();
    env = (await postfixEnv()) as PostfixEnv;
    dir = tempDir();
  }, 60_000);

  it("probe: STARTTLS, the chain, AUTH after TLS only, SIZE, CHUNKING used", async () => {
    const { code, stdout } = await runSmtp([
      "probe",
      `${env.host}:${env.submissionPort}`,
      "--ca",
      env.caPath,
      "--servername",
      "localhost",
      "--json",
    ]);
    expect(code).toBe(0);
    const report = validJson("probe", stdout);
    expect(report).toMatchObject({
      greeting: [expect.stringMatching(/^220 .*ESMTP Postfix/)],
      tls: { verified: true, version: expect.stringMatching(/^TLSv1\.[23]$/) },
      auth: { offeredBeforeTls: [], withPassword: expect.any(String) },
      size: env.sizeLimit,
      error: null,
    });
    const tls = report.tls as { certificates: { subject: string; issuer: string }[] };
    expect(tls.certificates[0]?.subject).toBe("CN=localhost");
    expect(tls.certificates[0]?.issuer).toBe(tls.certificates[1]?.subject);
    const extensions = report.extensions as { name: string; used: string }[];
    expect(extensions.find((e) => e.name === "CHUNKING")?.used).toBe("always");
  });

  it("probe of the smtps port with --tls; the table says implicit TLS", async () => {
    const { code, stdout } = await runSmtp([
      "probe",
      `${env.host}:${env.smtpsPort}`,
      "--tls",
      "--ca",
      env.caPath,
      "--servername",
      "localhost",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Server\s+.*\(implicit TLS\)$/m);
    expect(stdout).toMatch(/^Certificate\s+verifies$/m);
  });

  it("send: STARTTLS and AUTH on the submission port; the message reaches the mailbox", async () => {
    const id = `cli-postfix-${Date.now()}`;
    const { code, stdout } = await runSmtp(
      [
        "send",
        ...submission(),
        "-u",
        env.user,
        ...envelope(env.user, env.user),
        "--subject",
        id,
        "--text",
        "via Postfix",
        "--json",
      ],
      { env: auth() },
    );
    expect(code).toBe(0);
    expect(validJson("send", stdout)).toMatchObject({ ok: true, accepted: [env.user] });
    const found = await waitForMaildirMessage(maildirOf(env, env.user), (_raw, text) =>
      text.includes(id),
    );
    expect(found.path).toBeTruthy();
  });

  it("a wrong password exits 7", async () => {
    const { code } = await runSmtp(
      ["send", ...submission(), "-u", env.user, ...envelope(env.user, env.user)],
      {
        env: { SMTP_PASS: "not-the-password" },
      },
    );
    expect(code).toBe(EXIT_CODES.auth);
  });

  it("record (BDAT through STARTTLS and AUTH), then replay it with smtp replay and @smtp/core/replay", async () => {
    const out = join(dir, "postfix.smtp");
    const { code } = await runSmtp(
      [
        "record",
        out,
        ...submission(),
        "-u",
        env.user,
        ...envelope(env.user, env.user),
        "--subject",
        "recorded",
        "--text",
        "hello\n.dot\n",
      ],
      { env: auth() },
    );
    expect(code).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(text).toMatch(/^@source .*ESMTP Postfix/m);
    expect(text).toMatch(/^BDAT \d+ LAST$/m);
    const replay = await runSmtp(["replay", out, "--json"]);
    expect(validJson("replay", replay.stdout)).toMatchObject({
      ok: true,
      messages: [{ outcome: "delivered" }],
    });
    expect(assertReplayEveryChunking(text, { name: out, seeds: [7] }).results[0]).toMatchObject({
      ok: true,
    });
  });
});
