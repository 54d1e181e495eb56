// examples/cloudflare-worker under miniflare: bundled from wrangler.toml's `main` the way
// wrangler bundles it (the workerd condition, no nodejs_compat), run in workerd with the
// [vars] of wrangler.toml, pointed at smtp-server on loopback.
import { readFileSync } from "node:fs";
import { type SmtpServerPeer, startSmtpServerPeer } from "@smtp-internal/test-peer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundleWorker,
  startWorker,
} from "../../../packages/transport-cloudflare/test/workerd/workerd.ts";

const root = new URL("../", import.meta.url);
const toml = readFileSync(new URL("wrangler.toml", root), "utf8");
const setting = (key: string) => new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, "m").exec(toml)?.[1];

let peer: SmtpServerPeer;
let mf: Awaited<ReturnType<typeof startWorker>>;

beforeAll(async () => {
  peer = await startSmtpServerPeer({ tls: "none" });
  const vars = Object.fromEntries(
    [...toml.split("[vars]")[1]!.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)].map((m) => [m[1], m[2]]),
  );
  const script = await bundleWorker(new URL(setting("main")!, root).pathname);
  mf = await startWorker(script, {
    compatibilityDate: setting("compatibility_date")!,
    // The Worker as configured, but sending to the local peer (a relay: no AUTH).
    bindings: {
      ...vars,
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(peer.port),
      MAIL_TO: "team@example.test",
    },
  });
});

afterAll(async () => {
  await mf?.dispose();
  await peer?.close();
});

const post = (fields: Record<string, string>) =>
  mf.dispatchFetch("http://worker/", { method: "POST", body: new URLSearchParams(fields) });

describe("examples/cloudflare-worker", () => {
  it("wrangler.toml names the entry, a compatibility date, no nodejs_compat, and no port 25", () => {
    expect(setting("main")).toBe("src/index.ts");
    expect(setting("compatibility_date")).toMatch(/^\d{4}-\d\d-\d\d$/);
    expect(toml).not.toMatch(/^compatibility_flags.*nodejs_compat/m);
    expect(setting("SMTP_PORT")).not.toBe("25");
  });

  it("GET shows the form", async () => {
    const response = await mf.dispatchFetch("http://worker/");
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<form method="post">');
  });

  it("POST mails the submission, with the visitor as Reply-To", async () => {
    const response = await post({
      name: "Zoë Example",
      email: "zoe@example.org",
      message: "Hello from the form",
    });
    expect(response.status).toBe(200);
    const message = peer.received.at(-1)!;
    expect(message.to).toEqual(["team@example.test"]);
    const raw = new TextDecoder().decode(message.raw);
    expect(raw).toContain("Hello from the form");
    expect(raw).toMatch(/^Reply-To: =\?UTF-8\?Q\?Zo=C3=AB_Example\?= <zoe@example\.org>\r$/m);
  });

  it("refuses an incomplete form or a header injection with 400, sending nothing", async () => {
    const before = peer.received.length;
    expect((await post({ name: "x", email: "", message: "m" })).status).toBe(400);
    expect(
      (await post({ name: "x", email: "a@b.example\r\nBcc: c@d.example", message: "m" })).status,
    ).toBe(400);
    expect(peer.received.length).toBe(before);
  });

  it("answers 502 when the mail server cannot be reached", async () => {
    const closed = await startSmtpServerPeer({ tls: "none" });
    await closed.close();
    await mf.setOptions({
      modules: true,
      script: await bundleWorker(new URL(setting("main")!, root).pathname),
      compatibilityDate: setting("compatibility_date")!,
      bindings: {
        SMTP_HOST: "127.0.0.1",
        SMTP_PORT: String(closed.port),
        EHLO_NAME: "forms.example.test",
        MAIL_FROM: "forms@example.test",
        MAIL_TO: "team@example.test",
      },
    });
    expect((await post({ name: "x", email: "a@b.example", message: "m" })).status).toBe(502);
  });
});
