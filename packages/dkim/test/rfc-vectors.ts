// Test data published in RFC 6376 (Appendix A.1: the example message) and RFC 8463
// (Appendix A: the keys and the message signed with both algorithms). Public test vectors,
// kept here as data.

const crlf = (lines: string[]) => lines.map((l) => `${l}\r\n`).join("");

/** RFC 6376 Appendix A.1 (also RFC 8463 Appendix A.2): the unsigned example message. */
export const RFC_MESSAGE = crlf([
  "From: Joe SixPack <joe@football.example.com>",
  "To: Suzie Q <suzie@shopping.example.net>",
  "Subject: Is dinner ready?",
  "Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)",
  "Message-ID: <20030712040037.46341.5F8J@football.example.com>",
  "",
  "Hi.",
  "",
  "We lost the game.  Are you hungry yet?",
  "",
  "Joe.",
  "",
]);

/** The body hashes of that message: relaxed (RFC 8463 A.3) and simple. */
export const RFC_BODY_HASH = {
  relaxed: "2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=",
  simple: "4bLNXImK9drULnmePzZNEBleUanJCX5PIsDIFoH4KTQ=",
};

/** RFC 8463 A.1: the Ed25519 private key (the RFC 8032 §7.1 test 1 seed) and its record. */
export const RFC8463_ED25519_SEED = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
export const RFC8463_ED25519_RECORD =
  "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

/** RFC 8463 A.1: the RSA private key (PKCS#1 PEM) and its record. */
export const RFC8463_RSA_PKCS1 = [
  "-----BEGIN RSA PRIVATE KEY-----",
  "MIICXQIBAAKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi",
  "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqM",
  "KrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB",
  "AoGAH0cxOhFZDgzXWhDhnAJDw5s4roOXN4OhjiXa8W7Y3rhX3FJqmJSPuC8N9vQm",
  "6SVbaLAE4SG5mLMueHlh4KXffEpuLEiNp9Ss3O4YfLiQpbRqE7Tm5SxKjvvQoZZe",
  "zHorimOaChRL2it47iuWxzxSiRMv4c+j70GiWdxXnxe4UoECQQDzJB/0U58W7RZy",
  "6enGVj2kWF732CoWFZWzi1FicudrBFoy63QwcowpoCazKtvZGMNlPWnC7x/6o8Gc",
  "uSe0ga2xAkEA8C7PipPm1/1fTRQvj1o/dDmZp243044ZNyxjg+/OPN0oWCbXIGxy",
  "WvmZbXriOWoSALJTjExEgraHEgnXssuk7QJBALl5ICsYMu6hMxO73gnfNayNgPxd",
  "WFV6Z7ULnKyV7HSVYF0hgYOHjeYe9gaMtiJYoo0zGN+L3AAtNP9huqkWlzECQE1a",
  "licIeVlo1e+qJ6Mgqr0Q7Aa7falZ448ccbSFYEPD6oFxiOl9Y9se9iYHZKKfIcst",
  "o7DUw1/hz2Ck4N5JrgUCQQCyKveNvjzkkd8HjYs0SwM0fPjK16//5qDZ2UiDGnOe",
  "uEzxBDAr518Z8VFbR41in3W4Y3yCDgQlLlcETrS+zYcL",
  "-----END RSA PRIVATE KEY-----",
].join("\n");
export const RFC8463_RSA_RECORD =
  "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB";

/** The DNS names the RFC 8463 keys are published at, with their records. */
export const RFC8463_KEYS = {
  "brisbane._domainkey.football.example.com": RFC8463_ED25519_RECORD,
  "test._domainkey.football.example.com": RFC8463_RSA_RECORD,
};

/** RFC 8463 A.3: the two DKIM-Signature fields, with `b=` left empty, and the `b=` values. */
export const RFC8463_SIGNATURES = {
  ed25519: {
    unsigned: crlf([
      "DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;",
      " d=football.example.com; i=@football.example.com;",
      " q=dns/txt; s=brisbane; t=1528637909; h=from : to :",
      " subject : date : message-id : from : subject : date;",
      " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
    ]).concat(" b="),
    b: "/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11BusFa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==",
  },
  rsa: {
    unsigned: crlf([
      "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;",
      " d=football.example.com; i=@football.example.com;",
      " q=dns/txt; s=test; t=1528637909; h=from : to : subject :",
      " date : message-id : from : subject : date;",
      " bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;",
    ]).concat(" b="),
    b: "F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2JzdA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=",
  },
};

/** The names the RFC 8463 signatures list in `h=`. */
export const RFC8463_SIGNED_NAMES = [
  "from",
  "to",
  "subject",
  "date",
  "message-id",
  "from",
  "subject",
  "date",
];

/** RFC 8463 A.3: the message as published, both signatures in front (b= folded as in the RFC). */
export function rfc8463SignedMessage(): string {
  const fold = (b: string) => b.match(/.{1,60}/g)!.join("\r\n ");
  return (
    `${RFC8463_SIGNATURES.ed25519.unsigned}${fold(RFC8463_SIGNATURES.ed25519.b)}\r\n` +
    `${RFC8463_SIGNATURES.rsa.unsigned}${fold(RFC8463_SIGNATURES.rsa.b)}\r\n` +
    RFC_MESSAGE
  );
}

/**
 * The RFC 8463 Ed25519 key as PKCS#8 PEM: the seed behind the fixed PKCS#8 prefix of an
 * Ed25519 key (RFC 8410), which is how WebCrypto and OpenSSL take it.
 */
export function rfc8463Ed25519Pem(): string {
  const prefix = Uint8Array.from([
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
  ]);
  const der = new Uint8Array([
    ...prefix,
    ...Uint8Array.from(atob(RFC8463_ED25519_SEED), (c) => c.charCodeAt(0)),
  ]);
  const base64 = btoa(String.fromCharCode(...der));
  return `-----BEGIN PRIVATE KEY-----\n${base64}\n-----END PRIVATE KEY-----\n`;
}
