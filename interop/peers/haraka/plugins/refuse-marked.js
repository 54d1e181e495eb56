// refuse-marked.js: the interop Haraka's content rule. Once a message's data is in, one with
// an X-Interop-Refuse header field is refused (550 5.7.1), before capture.js could store it
// (the interop cell data-refused-next).
exports.hook_data_post = (next, connection) => {
  const header = connection?.transaction?.header;
  if (!header?.get("X-Interop-Refuse")) return next();
  return next(DENY, "5.7.1 Message refused at end of data: it carries X-Interop-Refuse");
};
