// mailboxes.js: the interop Haraka's mailbox list. At example.test only `user` and `sink`
// exist: any other local part is refused with 550 5.1.1, as the other peers do. Other domains
// are left to rcpt_to.in_host_list (catchall.test: accepted) and to the relaying rules.
const MAILBOXES = new Set(["user", "sink"]);
const DOMAIN = "example.test";

exports.hook_rcpt = (next, _connection, params) => {
  const rcpt = params[0];
  const domain = String(rcpt?.host ?? "").toLowerCase();
  if (domain !== DOMAIN) return next();
  const local = String(rcpt.user ?? "").toLowerCase();
  if (MAILBOXES.has(local)) return next();
  return next(DENY, `5.1.1 <${rcpt.user}@${rcpt.host}>: no such user here`);
};
