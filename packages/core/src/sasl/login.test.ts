import { describe, expect, it } from "vitest";
import { decodeBase64 } from "../base64.ts";
import { createLoginClient } from "./login.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);

describe("LOGIN", () => {
  it("answers Username: then Password: and sends no initial response", () => {
    const client = createLoginClient("user@example.test", "password");
    expect(client.name).toBe("LOGIN");
    expect(client.initialResponse()).toBeNull();
    expect(text(client.respond(decodeBase64("VXNlcm5hbWU6")))).toBe("user@example.test");
    expect(client.complete).toBe(false);
    expect(text(client.respond(decodeBase64("UGFzc3dvcmQ6")))).toBe("password");
    expect(client.complete).toBe(true);
  });

  it("answers in order whatever the prompts say", () => {
    const client = createLoginClient("ü", "pässwörd");
    expect(text(client.respond(ascii("Benutzername:")))).toBe("ü");
    expect(text(client.respond(new Uint8Array(0)))).toBe("pässwörd");
  });

  it("does not answer a third challenge", () => {
    const client = createLoginClient("user", "hunter2");
    client.respond(ascii("Username:"));
    client.respond(ascii("Password:"));
    let thrown: unknown;
    try {
      client.respond(ascii("Password:"));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ kind: "auth", detail: "sasl-unexpected-challenge" });
    expect(JSON.stringify(thrown) + String(thrown)).not.toContain("hunter2");
  });
});
