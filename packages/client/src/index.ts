/**
 * `@smtp/client`: send email over SMTP from Node.js, Deno and Bun.
 *
 * ```ts
 * import { createClient } from "@smtp/client";
 * ```
 *
 * @module
 */
export type {
  AuthMethod,
  Capabilities,
  DsnOptions,
  RecipientRejection,
  SmtpErrorDetail,
  SmtpErrorKind,
  StartTlsPolicy,
  TimeoutPhase,
} from "@smtp/core";
export { SmtpError } from "@smtp/core/base";
export type { Connector, ConnectTarget, Transport } from "@smtp/core/transport-kit";
export type { DkimAlgorithm, DkimCanonicalization } from "@smtp/dkim";
export type {
  AddressInput,
  AlternativeInput,
  AttachmentInput,
  ContentEncoding,
  IcalEventInput,
  ListInput,
  ListUrlInput,
  MessageInput,
  RawInput,
  TextEncoding,
} from "@smtp/mime";
export type { ClientInternals, SendOptions, SmtpClient } from "./client.ts";
export { createClient } from "./client.ts";
export { type OAuth2RefreshTokenOptions, oauth2RefreshToken } from "./oauth2.ts";
export type {
  AccessTokenProvider,
  ClientAuth,
  ClientDkimOptions,
  ClientDkimSignature,
  ClientOptions,
  ClientPoolOptions,
  ClientTimeouts,
  ClientTlsOptions,
  ClientTranscriptEntry,
} from "./options.ts";
export type { RejectedRecipient, SendInfo } from "./result.ts";
export { type ServerAddress, serverOf } from "./server-of.ts";
export { SERVICE_NAMES } from "./services.ts";
export { type ValidatedMessage, validateMessage } from "./validate-message.ts";
