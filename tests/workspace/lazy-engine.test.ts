import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Importing @smtp/client, creating a client and validating a message load none of the
// engine (core's session, reply parser and DATA encoder, the client's pool, connections and
// driver) nor the proxy's tunnel code: they load on the first send or verify. Checked in a
// plain Node.js process over the built packages, as a user loads them (run pnpm build), by
// recording every module the loader loads.

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Runs `body` (ES module code with `client` = `@smtp/client`) and lists the files loaded. */
function loadedFiles(body: string): { files: string[]; output: unknown } {
  // The hooks run on the loader's thread: they note each module loaded, and send the list
  // when asked (after the module code below has run, so nothing is missed).
  const hooks = `
    let seen = [];
    export function initialize({ port }) {
      port.on("message", () => port.postMessage(seen));
    }
    export async function load(url, context, next) {
      seen.push(url);
      return next(url, context);
    }`;
  const script = `
    import { register } from "node:module";
    import { MessageChannel } from "node:worker_threads";
    const { port1, port2 } = new MessageChannel();
    register("data:text/javascript," + encodeURIComponent(${JSON.stringify(hooks)}), {
      data: { port: port2 },
      transferList: [port2],
    });
    const client = await import("@smtp/client");
    const output = await (async () => { ${body} })();
    const files = await new Promise((resolve) => {
      port1.once("message", resolve);
      port1.postMessage("list");
    });
    port1.close();
    console.log(JSON.stringify({ files, output }));`;
  const stdout = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: join(root, "packages/cli"),
    encoding: "utf8",
  });
  const result = JSON.parse(stdout) as { files: string[]; output: unknown };
  const files = result.files
    .filter((url) => url.startsWith("file:"))
    .map((url) => fileURLToPath(url).slice(root.length));
  return { files, output: result.output };
}

/** Classes of the engine, as the bundles declare them (`var Session = class {`). */
const ENGINE_CLASSES = ["Session", "ReplyParser", "DataEncoder", "Pool", "Driver", "Connection"];

function engineClassesIn(files: string[]): string[] {
  return files.flatMap((file) => {
    const text = readFileSync(join(root, file), "utf8");
    return ENGINE_CLASSES.filter((name) => new RegExp(`\\bvar ${name} = class\\b`).test(text));
  });
}

describe("@smtp/client loads its engine on the first send or verify", () => {
  it("import, createClient (with a proxy URL) and validateMessage load no engine", () => {
    const { files, output } = loadedFiles(`
      client.createClient({ host: "smtp.example.com", proxy: "socks5://u:p@127.0.0.1:1080" });
      let error;
      try { client.createClient({ host: "smtp.example.com", proxy: "socks4://127.0.0.1" }); }
      catch (e) { error = [e instanceof client.SmtpError, e.kind]; }
      const info = client.validateMessage({ from: "a@example.com", to: "b@example.org", text: "hi" });
      return { to: info.envelope.to, error };`);
    // The calls did their work (the bad proxy URL refused at once, with the typed error).
    expect(output).toEqual({ to: ["b@example.org"], error: [true, "invalid-input"] });
    expect(files.some((f) => f.startsWith("packages/client/dist/"))).toBe(true);
    expect(engineClassesIn(files)).toEqual([]);
    const entries = files.filter((f) => /\/dist\/(?:[a-z-]+\/)?index\.js$/.test(f));
    expect(entries).not.toContain("packages/core/dist/index.js");
    expect(entries).not.toContain("packages/core/dist/internal/index.js");
    expect(entries).not.toContain("packages/core/dist/transport-kit/index.js");
    expect(entries).not.toContain("packages/proxy/dist/index.js");
    expect(files.filter((f) => f.includes("/transport-"))).toEqual([]);
  });

  it("verify() loads it (so the check above is not vacuous), and the error is the one SmtpError", () => {
    const { files, output } = loadedFiles(`
      const failing = async () => { throw new client.SmtpError({ kind: "connection", message: "no" }); };
      const c = client.createClient({ host: "localhost", transport: failing });
      try { await c.verify(); } catch (e) { return [e instanceof client.SmtpError, e.kind]; }
      finally { await c.close(); }`);
    expect(output).toEqual([true, "connection"]);
    // Connection twice: core's (the reply matcher) and the client's (one SMTP connection).
    expect(new Set(engineClassesIn(files))).toEqual(new Set(ENGINE_CLASSES));
  });
});
