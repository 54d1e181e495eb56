import type { ProbeReport } from "./report.ts";

/** `10485760` as `10485760 (10 MiB)`. */
function octets(size: number): string {
  if (size === 0) return "0 (no limit)";
  const units = ["bytes", "KiB", "MiB", "GiB"];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = Number.isInteger(value) ? `${value}` : value.toFixed(1);
  return unit === 0 ? `${size} bytes` : `${size} (${shown} ${units[unit]})`;
}

function capabilityLine(caps: Record<string, string[]> | null): string {
  if (caps === null) return "-";
  const words = Object.entries(caps).map(([k, params]) => [k, ...params].join(" "));
  return words.length === 0 ? "(none)" : words.join(", ");
}

/** Two columns: label, value; continuation lines indented under the value. */
function rows(entries: [string, string][]): string {
  const width = Math.max(...entries.map(([label]) => label.length));
  return entries
    .map(([label, value]) => {
      const [first, ...rest] = value.split("\n");
      return [
        `${label.padEnd(width)}  ${first}`,
        ...rest.map((line) => `${" ".repeat(width)}  ${line}`),
      ].join("\n");
    })
    .join("\n");
}

/** The probe report as people read it. */
export function formatProbeTable(report: ProbeReport): string {
  const { server } = report;
  const host = server.host.includes(":") ? `[${server.host}]` : server.host;
  const mode = { implicit: "implicit TLS", starttls: "STARTTLS", none: "no TLS" }[server.tls];
  const out: [string, string][] = [
    ["Server", `${host}:${server.port} (${mode})`],
    ["Greeting", report.greeting.length > 0 ? report.greeting.join("\n") : "(none)"],
  ];
  if (server.tls === "starttls")
    out.push(["EHLO before TLS", capabilityLine(report.ehloBeforeTls)]);
  if (report.tls) {
    const tls = report.tls;
    out.push(["TLS", `${tls.version ?? "?"}, ${tls.cipher ?? "?"}`]);
    out.push([
      "Certificate",
      tls.verified ? "verifies" : `does NOT verify: ${tls.verifyError ?? "unknown reason"}`,
    ]);
    tls.certificates.forEach((cert, i) => {
      const expiry =
        cert.daysToExpiry === null
          ? "?"
          : cert.daysToExpiry < 0
            ? `EXPIRED ${-cert.daysToExpiry} days ago`
            : `in ${cert.daysToExpiry} days`;
      out.push([
        `  [${i}]`,
        [
          `subject ${cert.subject}`,
          `issuer  ${cert.issuer}`,
          ...(cert.subjectAltNames.length > 0
            ? [`SANs    ${cert.subjectAltNames.join(", ")}`]
            : []),
          `expires ${cert.validTo?.slice(0, 10) ?? "?"} (${expiry})`,
        ].join("\n"),
      ]);
    });
  } else if (server.tls !== "none") {
    out.push(["TLS", "not established"]);
  }
  out.push([server.tls === "starttls" ? "EHLO after TLS" : "EHLO", capabilityLine(report.ehlo)]);
  const auth = report.auth;
  out.push([
    "AUTH",
    [
      auth.offered.length > 0 ? auth.offered.join(" ") : "not offered",
      ...(server.tls === "starttls" && auth.offeredBeforeTls.length > 0
        ? [`before TLS: ${auth.offeredBeforeTls.join(" ")} (refused by the client there)`]
        : []),
      `with a password the client uses: ${auth.withPassword ?? "none"}`,
      `with an OAuth 2 token: ${auth.withToken ?? "none"}`,
    ].join("\n"),
  ]);
  out.push(["SIZE", report.size === null ? "not advertised" : octets(report.size)]);
  const nameWidth = Math.max(...report.extensions.map((e) => e.name.length));
  out.push([
    "Extensions",
    report.extensions
      .map(
        (e) =>
          `${e.name.padEnd(nameWidth)}  ${(e.offered ? "offered" : "-").padEnd(7)}  ${e.used.padEnd(11)}  ${e.note}`,
      )
      .join("\n"),
  ]);
  if (report.error) {
    out.push([
      "Problem",
      `${report.error.kind}${report.error.detail ? ` (${report.error.detail})` : ""}: ${report.error.message}`,
    ]);
  }
  return `${rows(out)}\n`;
}
