/**
 * The test users of every peer (smtp-server and Postfix): address → password. The UTF-8
 * password checks that AUTH encodes passwords as UTF-8.
 *
 * @since 0.1.0
 */
export const TEST_USERS: Readonly<Record<string, string>> = {
  "user@example.test": "password",
  "utf8user@example.test": "pässwörd",
};

/** The OAuth 2 access token the smtp-server peer accepts for XOAUTH2 (any test user). @since 0.1.0 */
export const TEST_ACCESS_TOKEN = "test-access-token-0123456789";
