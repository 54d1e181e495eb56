// A contact form on Cloudflare Workers: GET shows the form, POST mails the submission
// through SMTP with @smtp/client, which picks its Cloudflare transport by itself.
import { createClient, SmtpError } from "@smtp/client";

export interface Env {
  SMTP_HOST: string;
  /** "587" (STARTTLS) or "465" (implicit TLS): Cloudflare blocks port 25. */
  SMTP_PORT: string;
  /** Secrets (`wrangler secret put`); leave unset for a relay that needs no AUTH. */
  SMTP_USER?: string;
  SMTP_PASS?: string;
  /** The name the Worker gives in EHLO: Workers have no host name of their own. */
  EHLO_NAME: string;
  MAIL_FROM: string;
  MAIL_TO: string;
}

const FORM = `<!doctype html>
<form method="post">
  <label>Name <input name="name" required maxlength="100"></label>
  <label>Email <input name="email" type="email" required maxlength="200"></label>
  <label>Message <textarea name="message" required maxlength="5000"></textarea></label>
  <button>Send</button>
</form>`;

const html = (body: string, status = 200) =>
  new Response(body, { status, headers: { "content-type": "text/html; charset=utf-8" } });

/** The form's fields, trimmed, or why they are refused. */
function readForm(form: FormData): { name: string; email: string; message: string } | string {
  const field = (key: string, max: number) => {
    const value = form.get(key);
    return typeof value === "string" && value.trim() !== "" && value.length <= max
      ? value.trim()
      : undefined;
  };
  const name = field("name", 100);
  const email = field("email", 200);
  const message = field("message", 5000);
  if (!name || !email || !message) return "name, email and message are required";
  // One address, no line breaks: it becomes the Reply-To.
  if (!/^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/.test(email)) return "the email is not valid";
  return { name, email, message };
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    if (request.method === "GET") return html(FORM);
    if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
    const fields = readForm(await request.formData());
    if (typeof fields === "string") return html(`<p>${fields}</p>`, 400);

    const client = createClient({
      host: env.SMTP_HOST,
      port: Number(env.SMTP_PORT),
      name: env.EHLO_NAME,
      ...(env.SMTP_USER && env.SMTP_PASS
        ? { auth: { user: env.SMTP_USER, pass: env.SMTP_PASS } }
        : {}),
      timeouts: { connect: 10_000, command: 20_000 },
    });
    try {
      await client.send({
        from: env.MAIL_FROM,
        to: env.MAIL_TO,
        // The visitor's name goes into a header: @smtp refuses line breaks there.
        replyTo: { name: fields.name, address: fields.email },
        subject: `Contact form: ${fields.name}`,
        text: fields.message,
      });
      return html("<p>Thank you, your message was sent.</p>");
    } catch (error) {
      // The SMTP error stays in the Worker's log; the visitor gets a plain answer.
      console.error(error instanceof SmtpError ? `${error.kind}: ${error.message}` : error);
      const invalid = error instanceof SmtpError && error.kind === "invalid-input";
      return html("<p>Sorry, the message could not be sent.</p>", invalid ? 400 : 502);
    } finally {
      await client.close();
    }
  },
};
