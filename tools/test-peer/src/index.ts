/**
 * `@smtp-internal/test-peer`: the test peers shared by the @smtp test suites: a throwaway
 * CA, an in-process smtp-server, and the settings of the Postfix peer started by `.ci/run`.
 * Private: never published, run only through vitest and tsx.
 *
 * @module
 */

export {
  hasPostfix,
  type MaildirMessage,
  maildirOf,
  type PostfixEnv,
  postfixEnv,
  waitForMaildirMessage,
} from "./postfix-env.ts";
export { type ProxyEnv, proxyEnv } from "./proxy-env.ts";
export {
  type ReceivedMessage,
  type SmtpServerPeer,
  type SmtpServerPeerOptions,
  startSmtpServerPeer,
} from "./smtp-server-peer.ts";
export { createTestCa, type IssuedCertificate, type IssueOptions, type TestCa } from "./test-ca.ts";
export { TEST_ACCESS_TOKEN, TEST_USERS } from "./users.ts";
