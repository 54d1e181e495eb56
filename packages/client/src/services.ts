import { SmtpError } from "@smtp/core/base";

/**
 * Where a well-known provider takes submissions: host, port and TLS mode (`secure`:
 * implicit TLS; otherwise STARTTLS, required).
 *
 * @since 0.1.0
 */
export interface ServiceSettings {
  host: string;
  port: number;
  secure: boolean;
}

const implicit = (host: string): ServiceSettings => ({ host, port: 465, secure: true });
const starttls = (host: string): ServiceSettings => ({ host, port: 587, secure: false });

/** Amazon SES regions with an SMTP endpoint. */
const SES_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "sa-east-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "ap-south-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "me-south-1",
  "me-central-1",
  "af-south-1",
  "il-central-1",
  "us-gov-west-1",
  "us-gov-east-1",
] as const;

/** The curated table, by normalised name (see {@link serviceSettings}). */
const SERVICES = new Map<string, ServiceSettings>([
  ["gmail", implicit("smtp.gmail.com")],
  ["googlemail", implicit("smtp.gmail.com")],
  ["googleworkspace", implicit("smtp.gmail.com")],
  ["outlook", starttls("smtp-mail.outlook.com")],
  ["outlookcom", starttls("smtp-mail.outlook.com")],
  ["hotmail", starttls("smtp-mail.outlook.com")],
  ["live", starttls("smtp-mail.outlook.com")],
  ["office365", starttls("smtp.office365.com")],
  ["outlook365", starttls("smtp.office365.com")],
  ["microsoft365", starttls("smtp.office365.com")],
  ["icloud", starttls("smtp.mail.me.com")],
  ["ses", implicit("email-smtp.us-east-1.amazonaws.com")],
  ...SES_REGIONS.map(
    (region) => [`ses-${region}`, implicit(`email-smtp.${region}.amazonaws.com`)] as const,
  ),
  ["mailgun", implicit("smtp.mailgun.org")],
  ["mailgun-eu", implicit("smtp.eu.mailgun.org")],
  ["sendgrid", implicit("smtp.sendgrid.net")],
  ["postmark", starttls("smtp.postmarkapp.com")],
  ["zoho", implicit("smtp.zoho.com")],
  ["zoho-eu", implicit("smtp.zoho.eu")],
  ["fastmail", implicit("smtp.fastmail.com")],
  ["yahoo", implicit("smtp.mail.yahoo.com")],
]);

/**
 * The names `service` takes, normalised (`ses-eu-west-1`, `office365`, …).
 *
 * @since 0.1.0
 */
export const SERVICE_NAMES: readonly string[] = [...SERVICES.keys()];

/**
 * The settings of a well-known provider. Names are compared case-insensitively, ignoring
 * spaces, dots and underscores (`"Gmail"`, `"Office 365"`, `"SES_EU_WEST_1"`,
 * `"outlook.com"`).
 *
 * @throws {@link SmtpError} kind `invalid-input` for an unknown name.
 * @since 0.1.0
 */
export function serviceSettings(name: unknown): ServiceSettings {
  if (typeof name !== "string") {
    throw new SmtpError({
      kind: "invalid-input",
      message: "service must be a string",
      retryable: false,
    });
  }
  const key = name.toLowerCase().replace(/_/g, "-").replace(/[\s.]/g, "");
  const found = SERVICES.get(key);
  if (found === undefined) {
    throw new SmtpError({
      kind: "invalid-input",
      message: `service ${JSON.stringify(name.slice(0, 64))} is not known; known: ${SERVICE_NAMES.filter((n) => !n.startsWith("ses-")).join(", ")}, ses-<region>`,
      retryable: false,
    });
  }
  return { ...found };
}
