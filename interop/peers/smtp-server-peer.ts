/**
 * The smtp-server interop peer as a daemon: smtp-server 3.21.6 (the root dev dependency,
 * through `@smtp-internal/test-peer`) on two loopback ports, STARTTLS offered on one and
 * implicit TLS on the other, with the machine's test certificate (`$SMTP_STATE/tls`). Every
 * accepted message is stored before its 250 reply as `<capture>/<n>.eml`, its envelope as
 * `<n>.json` (`{ from, to, user, tls, mailParams }`), like the Haraka peer's capture plugin.
 * A message whose header has `X-Interop-Refuse:` is refused once its data is in (the interop
 * cell `data-refused-next`), and not stored. Started and stopped by smtp-server-setup.sh.
 *
 *   node --conditions=source --import tsx interop/peers/smtp-server-peer.ts \
 *     <starttls port> <implicit TLS port> <capture folder>
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  type ReceivedMessage,
  type SmtpServerPeer,
  startSmtpServerPeer,
  type TestCa,
} from "../../tools/test-peer/src/index.ts";

const [starttlsPort, implicitPort, captureDir] = process.argv.slice(2);
if (starttlsPort === undefined || implicitPort === undefined || captureDir === undefined) {
  throw new Error(
    "usage: smtp-server-peer.ts <starttls port> <implicit TLS port> <capture folder>",
  );
}
const captureFolder: string = captureDir;
const tlsDir = join(process.env.SMTP_STATE ?? "/var/lib/smtp-test-peer", "tls");
const pem = (name: string) => readFileSync(join(tlsDir, name), "utf8");
// The certificate every peer of this machine uses, so one CA file serves all of them.
const machineCa: TestCa = {
  caPem: pem("ca.pem"),
  certPem: pem("cert.pem"),
  keyPem: pem("key.pem"),
  fullchainPem: pem("fullchain.pem"),
  issue: () => Promise.reject(new Error("the interop peer issues no certificates")),
};
mkdirSync(captureDir, { recursive: true });
// Names sort in arrival order across restarts: start time, then a counter.
const prefix = Date.now().toString(36);
let stored = 0;

function store(message: ReceivedMessage): void {
  stored++;
  const base = join(captureFolder, `${prefix}-${String(stored).padStart(6, "0")}`);
  writeFileSync(`${base}.eml`, message.raw);
  const envelope = {
    from: message.from,
    to: message.to,
    user: message.user ?? null,
    tls: message.secure,
    mailParams: message.mailParams,
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(envelope)}\n`);
}

/** A header section (up to the first empty line) with an `X-Interop-Refuse` field. */
const REFUSE_FIELD = /^X-Interop-Refuse:/im;

/**
 * The content rule: once the whole message is in, one with `X-Interop-Refuse:` in its header
 * gets 554 (smtp-server adds 5.6.0) and is not stored.
 */
function refuseMarked(raw: Uint8Array): { code: number; message: string } | undefined {
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const end = bytes.indexOf("\r\n\r\n");
  const header = bytes.subarray(0, end === -1 ? bytes.length : end).toString("latin1");
  if (!REFUSE_FIELD.test(header)) return undefined;
  return { code: 554, message: "Message refused at end of data: it carries X-Interop-Refuse" };
}

function start(port: string, tls: "starttls" | "implicit"): Promise<SmtpServerPeer> {
  return startSmtpServerPeer({
    port: Number(port),
    tls,
    ca: machineCa,
    size: 10 * 1024 * 1024,
    // smtp-server's own early-talker pause before the greeting, as deployed.
    greetingDelay: 100,
    onMessage: store,
    refuseData: refuseMarked,
  });
}

const peers = [await start(starttlsPort, "starttls"), await start(implicitPort, "implicit")];
const stop = () => {
  void Promise.all(peers.map((peer) => peer.close())).then(() => process.exit(0));
  // close() waits for open connections; do not wait for a client that never quits.
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
console.log(
  `smtp-server interop peer: ports ${starttlsPort} (STARTTLS), ${implicitPort} (implicit TLS)`,
);
