/** What is known of the refused AUTH, to pick the hints that fit. */
export interface AuthFailureFacts {
  /** The server's host name as configured. */
  host: string;
  /** The server's reply text (lines joined with "\n"), if any. */
  response: string | undefined;
  /** The RFC 3463 enhanced status code, if any. */
  enhancedCode: string | undefined;
  /** Whether the credentials were an OAuth 2 access token rather than a password. */
  token: boolean;
}

const GMAIL_HOST = /(^|\.)(gmail|googlemail|google)\.com$/i;
const GMAIL_TEXT = /support\.google\.com|BadCredentials|application-specific password/i;
const MICROSOFT_HOST = /(^|\.)(office365\.com|outlook\.com|office\.com|hotmail\.com|live\.com)$/i;
const MICROSOFT_TEXT = /SmtpClientAuthentication|basic authentication is disabled|aka\.ms/i;
const SES_HOST = /^email-smtp(-fips)?\.[a-z0-9-]+\.amazonaws\.com$/i;

/**
 * The hints users search for when a provider refuses AUTH: Gmail's app passwords, Microsoft
 * 365's SMTP AUTH switch, SES's SMTP credentials, and expired or ill-scoped OAuth 2 tokens.
 * Picked from the host name and the server's own text; empty when nothing specific fits.
 *
 * @since 0.1.0
 */
export function authHints(facts: AuthFailureFacts): string[] {
  const text = facts.response ?? "";
  const hints: string[] = [];
  if (facts.token) {
    hints.push(
      "The access token was refused: it may have expired or lack the mail scope " +
        "(https://mail.google.com/ for Gmail, https://outlook.office.com/SMTP.Send for Microsoft 365), " +
        "and auth.user must be the mailbox it was issued for. Pass a function as auth.accessToken " +
        "to fetch a fresh token for each connection.",
    );
  }
  if (GMAIL_HOST.test(facts.host) || GMAIL_TEXT.test(text)) {
    hints.push(
      facts.token
        ? "Gmail: the token needs the https://mail.google.com/ scope."
        : "Gmail: with 2-Step Verification on, the account password is refused: create an app " +
            "password (https://myaccount.google.com/apppasswords) and give it as auth.pass, or use " +
            "OAuth 2 (XOAUTH2) with auth.accessToken.",
    );
  }
  if (
    MICROSOFT_HOST.test(facts.host) ||
    MICROSOFT_TEXT.test(text) ||
    facts.enhancedCode === "5.7.139"
  ) {
    hints.push(
      "Microsoft 365: SMTP AUTH is disabled for many tenants and mailboxes (535 5.7.139): an " +
        "admin must enable Authenticated SMTP for this mailbox, or use OAuth 2 (XOAUTH2) with " +
        "auth.accessToken and the https://outlook.office.com/SMTP.Send scope.",
    );
  }
  if (SES_HOST.test(facts.host)) {
    hints.push(
      "Amazon SES: auth.user and auth.pass must be the SMTP credentials created in the SES " +
        "console for this region, not an IAM access key and secret.",
    );
  }
  if (hints.length === 0) hints.push("Check auth.user and auth.pass.");
  return hints;
}
