import { serverOf } from "@smtp/client";
import { Command } from "commander";
import {
  addTlsFlags,
  baseOptions,
  type ConnectionFlags,
  debugPrinter,
} from "../connection-flags.ts";
import type { TlsWatch } from "../connector.ts";
import type { CommandContext } from "../context.ts";
import { EXIT_CODES } from "../exit-codes.ts";
import { parseHostPort } from "../host-port.ts";
import { printJson } from "../io.ts";
import type { ProbeReport } from "../probe/report.ts";
import { runProbe } from "../probe/run-probe.ts";
import { formatProbeTable } from "../probe/table.ts";

interface ProbeFlags extends ConnectionFlags {
  json?: boolean;
}

/** `smtp probe <host[:port]>`. */
export function probeCommand(context: CommandContext): Command {
  const command = new Command("probe")
    .description(
      "connect and report: greeting, EHLO before and after TLS, TLS version and cipher, the certificate chain, AUTH, SIZE and the extensions the client will use. Sends no message and no credentials.",
    )
    .argument("<host[:port]>", "the server (port default 587; 465 means implicit TLS)")
    .option("--json", "print the report as JSON (schema: PROBE_REPORT_SCHEMA)");
  addTlsFlags(command);
  return command.action(async (server: string, flags: ProbeFlags) => {
    const { io } = context;
    const { host, port } = parseHostPort(server, "host");
    const watch: TlsWatch = { info: undefined };
    const options = await baseOptions({ ...flags, debug: false }, io, watch, true);
    options.host = host;
    if (port !== undefined) options.port = port;
    const where = serverOf(options);
    const mode: ProbeReport["server"]["tls"] = where.secure
      ? "implicit"
      : options.starttls === "never"
        ? "none"
        : "starttls";
    if (mode === "starttls") options.starttls = "required";
    const report = await runProbe({
      host,
      port: where.port,
      mode,
      options,
      watch,
      verify: flags.verify !== false,
      signal: context.signal,
      ...(flags.debug ? { transcript: debugPrinter(io) } : {}),
    });
    if (flags.json) printJson(io, report);
    else io.stdout.write(formatProbeTable(report));
    const kind = report.error?.kind;
    context.exit(
      kind === undefined
        ? EXIT_CODES.ok
        : ((EXIT_CODES as Record<string, number>)[kind] ?? EXIT_CODES.unexpected),
    );
  });
}
