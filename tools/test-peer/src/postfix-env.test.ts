import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  hasPostfix,
  maildirOf,
  type PostfixEnv,
  postfixEnv,
  waitForMaildirMessage,
} from "./postfix-env.ts";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("postfixEnv", () => {
  it("is undefined when the Postfix peer is not configured", async () => {
    vi.stubEnv("SMTP_PORT", "");
    expect(hasPostfix()).toBe(false);
    expect(await postfixEnv()).toBeUndefined();
  });

  it("reads the settings .ci/run exports, and the CA file they point to", async () => {
    const dir = await mkdtemp(join(tmpdir(), "test-peer-"));
    await writeFile(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nx\n");
    vi.stubEnv("SMTP_PORT", "2525");
    vi.stubEnv("SMTP_SUBMISSION_PORT", "2587");
    vi.stubEnv("SMTPS_PORT", "2465");
    vi.stubEnv("SMTP_PLAIN_PORT", "2526");
    vi.stubEnv("SMTP_CA", join(dir, "ca.pem"));
    vi.stubEnv("SMTP_USER", "someone@example.test");
    vi.stubEnv("SMTP_MAILDIR", "/srv/mail");
    expect(hasPostfix()).toBe(true);
    const env = await postfixEnv();
    expect(env).toMatchObject({
      port: 2525,
      submissionPort: 2587,
      smtpsPort: 2465,
      plainPort: 2526,
      caPem: "-----BEGIN CERTIFICATE-----\nx\n",
      user: "someone@example.test",
      maildir: "/srv/mail",
    });
    await rm(dir, { recursive: true });
  });
});

describe("maildirOf", () => {
  const env = { maildir: "/m", catchallDomain: "catchall.test" } as PostfixEnv;
  it("maps a mailbox to <maildir>/<domain>/<local>, and the catch-all domain to all/", () => {
    expect(maildirOf(env, "user@example.test")).toBe("/m/example.test/user");
    expect(maildirOf(env, "anything@Catchall.Test")).toBe("/m/catchall.test/all");
  });
});

describe("waitForMaildirMessage", () => {
  it("finds the message matching the predicate, ignoring others, once it lands in new/", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maildir-"));
    await mkdir(join(dir, "new"));
    await writeFile(join(dir, "new", "1.other"), "Message-ID: <other@x>\r\n\r\nno\r\n");
    const waiting = waitForMaildirMessage(dir, (_raw, text) => text.includes("<wanted@x>"), 5000);
    await writeFile(join(dir, "new", "2.wanted"), "Message-ID: <wanted@x>\r\n\r\nyes\r\n");
    const found = await waiting;
    expect(found.path).toBe(join(dir, "new", "2.wanted"));
    expect(new TextDecoder().decode(found.raw)).toContain("yes");
    await rm(dir, { recursive: true });
  });

  it("rejects when nothing matches in time", async () => {
    const dir = await mkdtemp(join(tmpdir(), "maildir-"));
    await expect(waitForMaildirMessage(dir, () => false, 100)).rejects.toThrow(/no matching/);
    await rm(dir, { recursive: true });
  });
});
