/**
 * Whether a host name or IP address designates this machine (loopback).
 *
 * Used for the loopback exceptions of the security defaults: STARTTLS becomes
 * opportunistic and cleartext AUTH is allowed, because nothing leaves the machine.
 *
 * @since 0.1.0
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (h === "::1" || h === "0:0:0:0:0:0:0:1") return true;
  // IPv4-mapped IPv6 loopback, e.g. ::ffff:127.0.0.1
  return /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Whether a host string is an IP address literal (no SNI may be sent for it). @since 0.1.0 */
export function isIpAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "");
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(":");
}
