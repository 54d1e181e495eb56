// capture.js: stores every message Haraka accepts in $HARAKA_CAPTURE as <uuid>.eml, with its
// envelope (sender, recipients, AUTH user, TLS) in <uuid>.json written after the .eml is
// complete; nothing is ever relayed. It answers both queue hooks: `queue` (local domains)
// and `queue_outbound` (authenticated clients, which Haraka would otherwise deliver itself).
// A failure to store answers 451, so nothing is reported accepted that was not stored.
const fs = require("node:fs");
const path = require("node:path");

// Haraka 3 exposes Address#address as a getter; older versions as a method.
const addressOf = (a) =>
  typeof a?.address === "function" ? a.address() : String(a?.address ?? "");

exports.register = function () {
  this.folder = process.env.HARAKA_CAPTURE || path.join(process.cwd(), "captured");
  fs.mkdirSync(this.folder, { recursive: true });
  this.register_hook("queue", "store");
  this.register_hook("queue_outbound", "store");
};

exports.store = function (next, connection) {
  const txn = connection?.transaction;
  if (!txn) return next(DENYSOFT, "no transaction");
  const base = path.join(this.folder, txn.uuid);
  const envelope = {
    from: addressOf(txn.mail_from),
    to: txn.rcpt_to.map(addressOf),
    user: connection.notes?.auth_user ?? null,
    tls: Boolean(connection.tls?.enabled),
  };
  let answered = false;
  const answer = (code, text) => {
    if (answered) return;
    answered = true;
    next(code, text);
  };
  const fail = (err) => {
    connection.logerror(this, `capture failed: ${err.message}`);
    answer(DENYSOFT, "capture failed");
  };
  const out = fs.createWriteStream(`${base}.eml`);
  out.once("error", fail);
  out.once("close", () => {
    fs.writeFile(`${base}.json`, `${JSON.stringify(envelope)}\n`, (err) =>
      err ? fail(err) : answer(OK),
    );
  });
  txn.message_stream.pipe(out);
};
