// The worker that runs the transport conformance suite inside workerd: each request runs
// one case, named in its body, and answers { ok } or { ok: false, error }. The suite's
// servers are in the Node process (HARNESS). workerd trusts a CA per network service, not
// per connection: a case that gives the harness's CA connects through TRUSTED, a network
// service trusting it; a case that gives no CA connects through connect() itself.
import type { TlsOptions } from "@smtp/core/transport-kit";
import { cloudflareConnector } from "@smtp/transport-cloudflare";
import { runTransportConformance } from "@smtp-internal/transport-conformance";
import type { CloudflareConnect } from "../../src/index.ts";
import { type HarnessBinding, remoteHarness } from "./remote-harness.ts";

interface Env {
  HARNESS: HarnessBinding;
  TRUSTED: { connect: CloudflareConnect };
  CA_PEM: string;
}

let env: Env | undefined;
const current = (): Env => {
  if (!env) throw new Error("no request in progress");
  return env;
};

const cases = new Map<string, () => Promise<void>>();

function connector(tls: TlsOptions) {
  const { ca, ...rest } = tls;
  const trusted = ca !== undefined && ca === current().CA_PEM;
  return cloudflareConnector({
    tls: rest,
    ...(trusted
      ? { connect: (address, options) => current().TRUSTED.connect(address, options) }
      : {}),
  });
}

runTransportConformance({
  name: "@smtp/transport-cloudflare in workerd",
  connector,
  harness: remoteHarness(
    () => current().HARNESS,
    () => current().CA_PEM,
  ),
  test: (name, run) => {
    cases.set(name, run);
  },
  // workerd tells no refused connection apart from other connect failures, and runs a TLS
  // handshake with the first read or write (the README's "What workerd cannot tell").
  limits: { refusedDetail: "connect-failed", handshakeOnFirstIo: true },
});

export default {
  async fetch(request: Request, given: Env): Promise<Response> {
    env = given;
    const name = await request.text();
    const run = cases.get(name);
    if (!run) return Response.json({ ok: false, error: `no such case: ${name}` });
    try {
      await run();
      return Response.json({ ok: true });
    } catch (error) {
      const e = error as Error;
      return Response.json({ ok: false, error: `${e.name}: ${e.message}\n${e.stack ?? ""}` });
    }
  },
};
