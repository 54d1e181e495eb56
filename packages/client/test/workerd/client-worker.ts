// @smtp/client inside workerd: each request runs one scenario, described in its JSON body,
// and answers what happened. Bundled the way wrangler bundles a Worker (the `workerd`
// condition), so the client picks @smtp/transport-cloudflare by itself.
import { createClient, SmtpError } from "@smtp/client";
import { type CloudflareConnect, cloudflareConnector } from "@smtp/transport-cloudflare";

interface Env {
  /** A workerd network service trusting the test CA (workerd has no per-connection CA). */
  TRUSTED: { connect: CloudflareConnect };
}

interface Scenario {
  host: string;
  port: number;
  secure?: boolean;
  starttls?: "required" | "opportunistic" | "never";
  name?: string;
  auth?: { user: string; pass: string };
  tls?: { ca?: string; servername?: string };
  proxy?: string;
  trusted?: boolean;
  subject: string;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const s = (await request.json()) as Scenario;
    try {
      const client = createClient({
        host: s.host,
        port: s.port,
        ...(s.secure === undefined ? {} : { secure: s.secure }),
        ...(s.starttls ? { starttls: s.starttls } : {}),
        ...(s.name ? { name: s.name } : {}),
        ...(s.auth ? { auth: s.auth } : {}),
        ...(s.tls ? { tls: s.tls } : {}),
        ...(s.proxy ? { proxy: s.proxy } : {}),
        ...(s.trusted
          ? {
              transport: cloudflareConnector({
                connect: (address, options) => env.TRUSTED.connect(address, options),
              }),
            }
          : {}),
      });
      try {
        const info = await client.send({
          from: "user@example.test",
          to: "user@example.test",
          subject: s.subject,
          text: `Sent from a Worker: ${s.subject}\n`,
        });
        return Response.json({ ok: true, accepted: info.accepted, response: info.response });
      } finally {
        await client.close();
      }
    } catch (error) {
      const e = error as SmtpError;
      return Response.json({
        ok: false,
        smtp: error instanceof SmtpError,
        kind: e.kind,
        detail: e.detail,
        retryable: e.retryable,
        message: e.message,
      });
    }
  },
};
