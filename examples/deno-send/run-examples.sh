#!/usr/bin/env bash
# Runs examples/deno-send (under Deno) and examples/bun-send (under Bun), each over
# STARTTLS + AUTH and over implicit TLS, against the local server: Postfix when .ci/run has
# exported its settings (SMTP_SUBMISSION_PORT …), otherwise the smtp-server peers of
# packages/transport-deno/tests/with-smtp-peers.ts. Each run must also end by itself
# (`timeout`): a leaked socket or timer would keep the process alive.
#   bash examples/deno-send/run-examples.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${SMTP_PEER_HOST:-}" ] && [ -z "${SMTP_SUBMISSION_PORT:-}" ]; then
  # No Postfix: start the smtp-server peers and run this script again inside them.
  exec node --conditions=source --import tsx packages/transport-deno/tests/with-smtp-peers.ts \
    --expect 4 -- bash "$0"
fi

if [ -n "${SMTP_PEER_HOST:-}" ]; then
  host=$SMTP_PEER_HOST starttls_port=$SMTP_PEER_STARTTLS_PORT smtps_port=$SMTP_PEER_SMTPS_PORT
  user=$SMTP_PEER_USER pass=$SMTP_PEER_PASS ca=$SMTP_PEER_CA_FILE to=rcpt@example.test
else
  host=$SMTP_HOST starttls_port=$SMTP_SUBMISSION_PORT smtps_port=$SMTPS_PORT
  user=$SMTP_USER pass=$SMTP_PASS ca=$SMTP_CA to=sink@example.test
fi

for mode in starttls implicit; do
  if [ "$mode" = starttls ]; then port=$starttls_port secure=false; else port=$smtps_port secure=true; fi
  export MAIL_HOST=$host MAIL_PORT=$port MAIL_SECURE=$secure MAIL_USER=$user MAIL_PASS=$pass \
    MAIL_CA_FILE=$ca MAIL_TO=$to MAIL_TEST_RUN=${SMTP_PEER_RUN_ID:-}
  echo "-- deno-send ($mode, port $port)"
  timeout 60 node_modules/.bin/deno run --check --allow-net --allow-env --allow-read="$ca" \
    --allow-sys=hostname examples/deno-send/main.ts
  echo "-- bun-send ($mode, port $port)"
  (cd examples/bun-send && timeout 60 ../../node_modules/.bin/bun --conditions=source src/main.ts)
done
