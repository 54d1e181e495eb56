import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { assertReplayEveryChunking, parseTranscript, replayTranscript } from "@smtp/core/replay";
import { describeVerdicts, testKey, verifyDkim } from "@smtp-internal/dkim-verify";
import {
  createTestCa,
  type SmtpServerPeer,
  startSmtpServerPeer,
  type TestCa,
} from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/index.ts";
import { ensureBuilt, envelope, runSmtp, tempDir, writeTemp } from "./run.ts";
import { validJson } from "./schemas.ts";

// The built bin against smtp-server peers started here: STARTTLS with AUTH, implicit TLS,
// and one whose certificate comes from a CA the client is not told about.

let starttls: SmtpServerPeer;
let implicit: SmtpServerPeer;
let dir: string;
let caFile: string;
let otherCa: TestCa;

beforeAll(async () => {
  await ensureBuilt();
  [starttls, implicit, otherCa] = await Promise.all([
    startSmtpServerPeer({ tls: "starttls" }),
    startSmtpServerPeer({ tls: "implicit" }),
    createTestCa(),
  ]);
  dir = tempDir();
  caFile = writeTemp(dir, "ca.pem", starttls.ca.caPem);
  writeTemp(dir, "implicit-ca.pem", implicit.ca.caPem);
}, 60_000);
afterAll(async () => {
  await Promise.all([starttls?.close(), implicit?.close()]);
});

const server = (): string => `127.0.0.1:${starttls.port}`;
const tlsFlags = (): string[] => ["--ca", caFile];

describe("smtp probe", () => {
  it("prints greeting, EHLO before and after STARTTLS, TLS, the chain, AUTH and SIZE", async () => {
    const { code, stdout } = await runSmtp(["probe", server(), ...tlsFlags()]);
    expect(code).toBe(EXIT_CODES.ok);
    expect(stdout).toMatch(/^Server\s+127\.0\.0\.1:\d+ \(STARTTLS\)$/m);
    expect(stdout).toMatch(/^Greeting\s+220 localhost ESMTP smtp-server test peer$/m);
    expect(stdout).toMatch(/^EHLO before TLS\s+.*STARTTLS/m);
    expect(stdout).toMatch(/^TLS\s+TLSv1\.3, TLS_/m);
    expect(stdout).toMatch(/^Certificate\s+verifies$/m);
    expect(stdout).toContain("SANs    DNS:localhost, IP Address:127.0.0.1");
    expect(stdout).toMatch(/AUTH\s+PLAIN LOGIN CRAM-MD5 XOAUTH2/);
    expect(stdout).toContain("with a password the client uses: PLAIN");
    expect(stdout).toContain("with an OAuth 2 token: XOAUTH2");
    expect(stdout).toMatch(/^SIZE\s+1048576 \(1 MiB\)$/m);
    expect(stdout).toMatch(/REQUIRETLS\s+offered\s+when-asked/);
    expect(starttls.received).toHaveLength(0);
  });

  it("--json validates against PROBE_REPORT_SCHEMA and says what the client uses", async () => {
    const { code, stdout } = await runSmtp(["probe", server(), ...tlsFlags(), "--json"]);
    expect(code).toBe(0);
    const report = validJson("probe", stdout);
    expect(report).toMatchObject({
      server: { host: "127.0.0.1", port: starttls.port, tls: "starttls" },
      greeting: ["220 localhost ESMTP smtp-server test peer"],
      tls: { verified: true, verifyError: null },
      auth: { withPassword: "PLAIN", withToken: "XOAUTH2" },
      size: 1048576,
      error: null,
    });
    const tls = report.tls as { certificates: { subject: string; daysToExpiry: number }[] };
    expect(tls.certificates[0]?.subject).toBe("CN=localhost");
    expect(tls.certificates[0]?.daysToExpiry).toBeGreaterThan(0);
    const before = report.ehloBeforeTls as Record<string, string[]>;
    expect(before.STARTTLS).toEqual([]);
    const used = report.extensions as { name: string; offered: boolean; used: string }[];
    expect(used.find((e) => e.name === "PIPELINING")).toMatchObject({
      offered: true,
      used: "always",
    });
    expect(used.find((e) => e.name === "CHUNKING")).toMatchObject({ offered: false, used: "no" });
  });

  it("implicit TLS on the port given: no EHLO before TLS", async () => {
    const { code, stdout } = await runSmtp([
      "probe",
      `127.0.0.1:${implicit.port}`,
      "--tls",
      "--ca",
      join(dir, "implicit-ca.pem"),
      "--json",
    ]);
    expect(code).toBe(0);
    expect(validJson("probe", stdout)).toMatchObject({
      server: { tls: "implicit" },
      ehloBeforeTls: null,
      tls: { verified: true },
    });
  });

  it("a certificate from an unknown CA is shown, said not to verify, and exits 5 (tls)", async () => {
    const other = writeTemp(dir, "other-ca.pem", otherCa.caPem);
    const { code, stdout } = await runSmtp(["probe", server(), "--ca", other, "--json"]);
    expect(code).toBe(EXIT_CODES.tls);
    expect(validJson("probe", stdout)).toMatchObject({
      tls: { verified: false, verifyError: "SELF_SIGNED_CERT_IN_CHAIN" },
      error: { kind: "tls", detail: "SELF_SIGNED_CERT_IN_CHAIN" },
    });
  });

  it("a server without STARTTLS: what it offers is shown, and the exit status is 6 (tls-required)", async () => {
    const plain = await startSmtpServerPeer({ tls: "none" });
    try {
      const { code, stdout, stderr } = await runSmtp([
        "probe",
        `127.0.0.1:${plain.port}`,
        "--json",
        "--debug",
      ]);
      expect(code).toBe(EXIT_CODES["tls-required"]);
      expect(validJson("probe", stdout)).toMatchObject({
        ehloBeforeTls: { PIPELINING: [] },
        ehlo: null,
        tls: null,
        error: { kind: "tls-required" },
      });
      // --debug: the conversation on stderr, stdout stays one JSON document.
      expect(stderr).toMatch(/^C: EHLO /m);
    } finally {
      await plain.close();
    }
  });

  it("--no-tls to a server that only offers STARTTLS: plaintext EHLO, no TLS", async () => {
    const { code, stdout } = await runSmtp(["probe", server(), "--no-tls"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Server\s+.*\(no TLS\)$/m);
    expect(stdout).not.toMatch(/^TLS\s/m);
  });

  it("a closed port exits 3 (connection)", async () => {
    const { code, stdout } = await runSmtp(["probe", "127.0.0.1:1", "--json"]);
    expect(code).toBe(EXIT_CODES.connection);
    expect(validJson("probe", stdout)).toMatchObject({ error: { kind: "connection" } });
  });
});

describe("smtp send", () => {
  const base = (): string[] => ["send", "--server", server(), ...tlsFlags()];

  it("sends a message with an attachment and a header field; --json validates", async () => {
    const attachment = writeTemp(dir, "report.txt", "attached bytes\n");
    const { code, stdout, stderr } = await runSmtp(
      [
        ...base(),
        "--user",
        "user@example.test",
        "--from",
        "user@example.test",
        "--to",
        "a@example.test",
        "--cc",
        "b@example.test",
        "--bcc",
        "c@example.test",
        "--subject",
        "Grüße",
        "--text",
        "hello",
        "--attach",
        attachment,
        "--header",
        "X-Campaign: 42",
        "--json",
      ],
      { env: { SMTP_PASS: "password" } },
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const report = validJson("send", stdout);
    expect(report).toMatchObject({
      ok: true,
      accepted: ["a@example.test", "b@example.test", "c@example.test"],
      rejected: [],
      error: null,
    });
    const received = starttls.received.at(-1);
    expect(received?.user).toBe("user@example.test");
    expect(received?.secure).toBe(true);
    const raw = new TextDecoder().decode(received?.raw);
    expect(raw).toContain("X-Campaign: 42");
    expect(raw).toMatch(/^Subject: =\?utf-8\?/im);
    expect(raw).toContain('filename="report.txt"');
    expect(raw).not.toMatch(/^Bcc:/im);
  });

  it("reads the password from --password-stdin, and prints a sentence without --json", async () => {
    const { code, stdout } = await runSmtp(
      [
        ...base(),
        "-u",
        "utf8user@example.test",
        "--password-stdin",
        ...envelope("a@example.test", "b@example.test"),
      ],
      { input: "pässwörd\n" },
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Sent <[^>]+> to 1 recipient\(s\) via 127\.0\.0\.1:\d+ \(STARTTLS\)$/m);
    expect(starttls.received.at(-1)?.user).toBe("utf8user@example.test");
  });

  it("refused recipients: 13 when the others got it, 10 (rejected) when nobody did", async () => {
    const some = await runSmtp([
      ...base(),
      ...envelope("a@example.test", "b@example.test", "x@reject.test"),
      "--json",
    ]);
    expect(some.code).toBe(EXIT_CODES.partial);
    expect(validJson("send", some.stdout)).toMatchObject({
      ok: true,
      accepted: ["b@example.test"],
      rejected: [{ address: "x@reject.test", code: 550, enhancedCode: "5.1.1" }],
    });
    const none = await runSmtp([
      ...base(),
      ...envelope("a@example.test", "x@reject.test"),
      "--json",
    ]);
    expect(none.code).toBe(EXIT_CODES.rejected);
    expect(validJson("send", none.stdout)).toMatchObject({
      ok: false,
      error: { kind: "rejected" },
      rejected: [{ address: "x@reject.test", code: 550 }],
    });
  });

  it("a wrong password exits 7 (auth) and the password is in no output", async () => {
    const { code, stdout, stderr } = await runSmtp(
      [
        ...base(),
        "-u",
        "user@example.test",
        ...envelope("a@example.test", "b@example.test"),
        "--debug",
      ],
      { env: { SMTP_PASS: "not-the-password" } },
    );
    expect(code).toBe(EXIT_CODES.auth);
    expect(stderr).toMatch(/auth: .*535/s);
    expect(stderr).toContain("C: AUTH PLAIN <redacted>");
    expect(stdout + stderr).not.toContain("not-the-password");
    expect(stdout + stderr).not.toContain(Buffer.from("not-the-password").toString("base64"));
  });

  it("an untrusted certificate exits 5 (tls); a closed port 3 (connection)", async () => {
    const untrusted = await runSmtp([
      "send",
      "--server",
      server(),
      ...envelope("a@example.test", "b@example.test"),
    ]);
    expect(untrusted.code).toBe(EXIT_CODES.tls);
    const closed = await runSmtp([
      "send",
      "--server",
      "127.0.0.1:1",
      ...envelope("a@example.test", "b@example.test"),
    ]);
    expect(closed.code).toBe(EXIT_CODES.connection);
  });

  it("bad input exits 2 before any connection: a bad address, a missing file, a password flag in a URL", async () => {
    const before = starttls.connectionCount();
    const badAddress = await runSmtp([...base(), ...envelope("not an address", "b@example.test")]);
    expect(badAddress.code).toBe(EXIT_CODES["invalid-input"]);
    const missing = await runSmtp([
      ...base(),
      ...envelope("a@example.test", "b@example.test"),
      "-a",
      join(dir, "nope.pdf"),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.pdf");
    const url = await runSmtp([
      "send",
      "--server",
      `smtp://u:secret@127.0.0.1:${starttls.port}`,
      ...envelope("a@example.test", "b@example.test"),
    ]);
    expect(url.code).toBe(2);
    expect(url.stderr).toContain("SMTP_PASS");
    const header = await runSmtp([
      ...base(),
      ...envelope("a@example.test", "b@example.test"),
      "-H",
      "no colon",
    ]);
    expect(header.code).toBe(2);
    const unknownFlag = await runSmtp(["send", "--frobnicate"]);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toContain("unknown option");
    expect(starttls.connectionCount()).toBe(before);
  });

  it("without a terminal it asks nothing: a missing recipient is refused, a missing body gets a default", async () => {
    const noTo = await runSmtp([...base(), "-f", "a@example.test"]);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain("give --to");
    const noBody = await runSmtp([...base(), ...envelope("a@example.test", "b@example.test")]);
    expect(noBody.code).toBe(0);
    const raw = new TextDecoder().decode(starttls.received.at(-1)?.raw);
    expect(raw).toContain("Subject: Test message from smtp");
    expect(raw).toContain("This is a test message sent with the smtp command");
  });

  it("takes the server and user from SMTP_URL and the password from SMTP_PASS", async () => {
    const { code } = await runSmtp(
      ["send", ...tlsFlags(), ...envelope("a@example.test", "b@example.test")],
      {
        env: {
          SMTP_URL: `smtp://user%40example.test@127.0.0.1:${starttls.port}`,
          SMTP_PASS: "password",
        },
      },
    );
    expect(code).toBe(0);
    expect(starttls.received.at(-1)?.user).toBe("user@example.test");
  });

  it("--dkim-* signs the message: both verifiers pass", async () => {
    const key = testKey("ed25519");
    const keyFile = writeTemp(dir, "dkim.pem", key.pkcs8);
    const { code } = await runSmtp([
      ...base(),
      ...envelope("a@example.test", "b@example.test"),
      "--subject",
      "signed",
      "--dkim-domain",
      "example.test",
      "--dkim-selector",
      "cli",
      "--dkim-key",
      keyFile,
    ]);
    expect(code).toBe(0);
    const verdicts = await verifyDkim(starttls.received.at(-1)?.raw as Uint8Array, {
      "cli._domainkey.example.test": key.record,
    });
    expect(describeVerdicts(verdicts)).toEqual([
      "mailauth ed25519-sha256 d=example.test s=cli: pass",
      ...(verdicts.dkimpy ? ["dkimpy ed25519-sha256 d=example.test s=cli: pass"] : []),
    ]);
    const partial = await runSmtp([
      ...base(),
      ...envelope("a@example.test", "b@example.test"),
      "--dkim-domain",
      "example.test",
    ]);
    expect(partial.code).toBe(2);
  });

  it("--eml sends a prepared message as it is; --to sets the envelope", async () => {
    const eml = writeTemp(
      dir,
      "prepared.eml",
      "From: a@example.test\r\nTo: shown@example.test\r\nSubject: prepared\r\nMessage-ID: <prepared-1@example.test>\r\n\r\nAs it is.\r\n",
    );
    const { code } = await runSmtp([...base(), "--eml", eml, "--to", "real@example.test"]);
    expect(code).toBe(0);
    const received = starttls.received.at(-1);
    expect(received?.to).toEqual(["real@example.test"]);
    expect(new TextDecoder().decode(received?.raw)).toContain(
      "Message-ID: <prepared-1@example.test>",
    );
    const clash = await runSmtp([...base(), "--eml", eml, "--subject", "x"]);
    expect(clash.code).toBe(2);
  });
});

describe("smtp record and smtp replay", () => {
  it("records a send with AUTH as a transcript that smtp replay and @smtp/core/replay replay, credentials replaced", async () => {
    const out = join(dir, "plain-auth.smtp");
    const { code, stderr } = await runSmtp(
      [
        "record",
        out,
        "--server",
        server(),
        ...tlsFlags(),
        "-u",
        "utf8user@example.test",
        ...envelope("a@example.test", "a@example.test", "x@reject.test"),
        "--subject",
        "recorded",
        "--text",
        "line one\n.starts with a dot\n",
        "--auth-method",
        "PLAIN",
      ],
      { env: { SMTP_PASS: "pässwörd" } },
    );
    expect(code).toBe(EXIT_CODES.partial);
    expect(stderr).toContain("(it replays)");
    const text = readFileSync(out, "utf8");
    // R14: neither the password nor the user name, in any form.
    expect(text).not.toContain("pässwörd");
    expect(text).not.toContain("utf8user");
    expect(text).not.toContain(Buffer.from("\0utf8user@example.test\0pässwörd").toString("base64"));
    expect(text).toContain(
      '"auth":{"user":"user@example.test","pass":"password","method":"PLAIN"}',
    );
    expect(text).toContain(
      `C: AUTH PLAIN ${Buffer.from("\0user@example.test\0password").toString("base64")}`,
    );
    expect(text).toMatch(/^-- starttls --$/m);
    expect(text).toMatch(/^\.\.starts with a dot$/m);
    expect(text).toContain('"rejected":[{"address":"x@reject.test","code":550}]');

    const replay = await runSmtp(["replay", out, "--every-chunking", "--json"]);
    expect(replay.code).toBe(0);
    expect(validJson("replay", replay.stdout)).toMatchObject({
      ok: true,
      messages: [{ outcome: "delivered", kind: null }],
      failure: null,
    });
    // The same file through the library, at every chunking.
    const outcome = assertReplayEveryChunking(text, { name: out, seeds: [1, 2] });
    expect(outcome.results[0]).toMatchObject({ ok: true, accepted: ["a@example.test"] });
  });

  it("--probe-only records the set-up (EHLO, STARTTLS, EHLO, QUIT) without a message", async () => {
    const out = join(dir, "probe-only.smtp");
    const { code, stdout } = await runSmtp([
      "record",
      out,
      "--probe-only",
      "--server",
      server(),
      ...tlsFlags(),
      "--json",
    ]);
    expect(code).toBe(0);
    expect(validJson("send", stdout)).toMatchObject({ ok: true, transcript: out });
    const transcript = parseTranscript(readFileSync(out, "utf8"));
    expect(transcript.job.messages).toEqual([]);
    expect(replayTranscript(transcript).ok).toBe(true);
  });

  it("records a failed login, and the replay ends with the same auth error", async () => {
    const out = join(dir, "failed-login.smtp");
    const { code } = await runSmtp(
      [
        "record",
        out,
        "--server",
        server(),
        ...tlsFlags(),
        "-u",
        "user@example.test",
        "--auth-method",
        "LOGIN",
        ...envelope("a@example.test", "b@example.test"),
      ],
      { env: { SMTP_PASS: "wrong-password-1" } },
    );
    expect(code).toBe(EXIT_CODES.auth);
    const text = readFileSync(out, "utf8");
    expect(text).not.toContain(Buffer.from("wrong-password-1").toString("base64"));
    expect(text).toMatch(/^-- error auth --$/m);
    expect((await runSmtp(["replay", out])).code).toBe(0);
  });

  it("nothing to record when the connection fails: exit 3, no file", async () => {
    const out = join(dir, "never.smtp");
    const { code } = await runSmtp(["record", out, "--server", "127.0.0.1:1", "--probe-only"]);
    expect(code).toBe(EXIT_CODES.connection);
    expect(existsSync(out)).toBe(false);
  });

  it("replay prints the first divergence and exits 14; a syntax error exits 2", async () => {
    const good = readFileSync(join(dir, "probe-only.smtp"), "utf8");
    const tampered = writeTemp(
      dir,
      "tampered.smtp",
      good.replace(/^C: STARTTLS$/m, "C: STARTTLS NOW"),
    );
    const { code, stderr } = await runSmtp(["replay", tampered]);
    expect(code).toBe(EXIT_CODES["replay-diverged"]);
    expect(stderr).toMatch(/failed at line \d+/);
    expect(stderr).toContain("STARTTLS NOW");
    const json = await runSmtp(["replay", tampered, "--json"]);
    expect(validJson("replay", json.stdout)).toMatchObject({
      ok: false,
      failure: { message: expect.stringContaining("differ") },
    });
    const broken = writeTemp(dir, "broken.smtp", "S: 220 hi\n");
    const syntax = await runSmtp(["replay", broken]);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toContain("@job is missing");
  });
});

describe("smtp bulk", () => {
  const bulk = (csv: string, template: string): string[] => [
    "bulk",
    "--csv",
    csv,
    "--template",
    template,
    "--server",
    server(),
    ...tlsFlags(),
  ];

  it("one message per row through the pool; failures in failed.csv with code and text; --json validates", async () => {
    const csv = writeTemp(
      dir,
      "list.csv",
      'email,name\nann@example.test,Ann\nbob@reject.test,Bob\n"carl@example.test","Carl, Jr."\nnot-an-address,Dee\nfull@example.test,Eve\n',
    );
    const template = writeTemp(
      dir,
      "message.json",
      JSON.stringify({
        from: "news@example.test",
        to: { name: "{{name}}", address: "{{email}}" },
        subject: "Hello {{ name }}",
        text: "Dear {{name}},\nhello.\n",
      }),
    );
    const failed = join(dir, "failed.csv");
    const before = starttls.received.length;
    const { code, stdout } = await runSmtp([
      ...bulk(csv, template),
      "--connections",
      "2",
      "--rate",
      "50/s",
      "--failed",
      failed,
      "--json",
    ]);
    expect(code).toBe(EXIT_CODES.partial);
    expect(validJson("bulk", stdout)).toMatchObject({
      total: 5,
      sent: 2,
      partial: 0,
      failed: 3,
      failedCsv: failed,
    });
    const got = starttls.received
      .slice(before)
      .map((m) => m.to[0])
      .sort();
    expect(got).toEqual(["ann@example.test", "carl@example.test"]);
    const carl = starttls.received.slice(before).find((m) => m.to[0] === "carl@example.test");
    expect(new TextDecoder().decode(carl?.raw)).toContain('To: "Carl, Jr." <carl@example.test>');
    const lines = readFileSync(failed, "utf8").trim().split("\n");
    expect(lines[0]).toBe("email,name,error_kind,error_code,error_enhanced_code,error_message");
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^bob@reject\.test,Bob,rejected,550,5\.1\.1,.*User unknown/),
      expect.stringMatching(/^full@example\.test,Eve,rejected,452,4\.2\.2,.*Mailbox full/),
      expect.stringMatching(/^not-an-address,Dee,invalid-input,,,"?CSV line 5: /),
    ]);
  });

  it("a template column missing from the CSV is refused before anything is sent", async () => {
    const csv = writeTemp(dir, "short.csv", "email\nann@example.test\n");
    const template = writeTemp(
      dir,
      "needs-name.json",
      JSON.stringify({ from: "a@example.test", to: "{{email}}", text: "{{name}}" }),
    );
    const before = starttls.connectionCount();
    const { code, stderr } = await runSmtp([...bulk(csv, template)]);
    expect(code).toBe(2);
    expect(stderr).toContain("{{name}}");
    expect(starttls.connectionCount()).toBe(before);
  });

  it("an .eml template; a value with a line break cannot add a header field (R1)", async () => {
    const csv = writeTemp(
      dir,
      "eml.csv",
      'email,subject\nok@example.test,Fine\nevil@example.test,"x\r\nBcc: victim@example.test"\n',
    );
    const template = writeTemp(
      dir,
      "message.eml",
      "From: a@example.test\r\nTo: {{email}}\r\nSubject: {{subject}}\r\n\r\nBody for {{email}}\r\n",
    );
    const failed = join(dir, "eml-failed.csv");
    const before = starttls.received.length;
    const { code } = await runSmtp([...bulk(csv, template), "--failed", failed]);
    expect(code).toBe(EXIT_CODES.partial);
    expect(starttls.received.slice(before).map((m) => m.to)).toEqual([["ok@example.test"]]);
    expect(readFileSync(failed, "utf8")).toContain("line break");
  });

  it("a wrong password stops the run at once: every row in failed.csv, exit 7", async () => {
    const csv = writeTemp(
      dir,
      "many.csv",
      `email\n${Array.from({ length: 30 }, (_, i) => `r${i}@example.test`).join("\n")}\n`,
    );
    const template = writeTemp(
      dir,
      "plain.json",
      JSON.stringify({ from: "a@example.test", to: "{{email}}", text: "hi" }),
    );
    const failed = join(dir, "auth-failed.csv");
    const { code, stdout } = await runSmtp(
      [...bulk(csv, template), "-u", "user@example.test", "--failed", failed, "--json"],
      { env: { SMTP_PASS: "wrong" } },
    );
    expect(code).toBe(EXIT_CODES.auth);
    expect(validJson("bulk", stdout)).toMatchObject({ total: 30, sent: 0, failed: 30 });
    expect(readFileSync(failed, "utf8").trim().split("\n")).toHaveLength(31);
  });
});

describe("help and completion", () => {
  it.each(["probe", "send", "record", "replay", "bulk"])("smtp %s --help", async (name) => {
    const { code, stdout } = await runSmtp([name, "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Usage: smtp ${name}`);
  });

  it("smtp --help lists the commands and the exit codes; --version prints the version", async () => {
    const help = await runSmtp(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit status: 0 success, 2 usage/);
    const version = await runSmtp(["--version"]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each(["bash", "zsh", "fish", "powershell"])(
    "smtp complete %s prints a completion script",
    async (shell) => {
      const { code, stdout } = await runSmtp(["complete", shell]);
      expect(code).toBe(0);
      expect(stdout).toContain("smtp");
      expect(stdout.length).toBeGreaterThan(200);
    },
  );

  it("completes commands and flags", async () => {
    const commands = await runSmtp(["complete", "--", "re"]);
    expect(commands.stdout).toMatch(/^record\t/m);
    expect(commands.stdout).toMatch(/^replay\t/m);
    const flags = await runSmtp(["complete", "--", "send", "--pass"]);
    expect(flags.stdout).toMatch(/^--password-stdin\t/m);
  });
});
