#!/usr/bin/env bash
# The Deno suite of @smtp/transport-deno, run by Deno itself with its resource and op
# sanitizers on, next to the smtp-server peers that with-smtp-peers.ts starts under Node:
#   1. tests/deno: the transport (in-test servers and raw SMTP with the peers) and
#      @smtp/client on Deno (STARTTLS + AUTH, implicit TLS, refused recipients, greeting
#      time-out, clean close);
#      and, when .ci/run has set up Postfix, the client against it too;
#   2. tests/deno-isolation: @smtp/client sends with every node:* module and
#      @smtp/transport-node replaced by a module that throws when loaded.
# Needs `pnpm install`; no build (the `source` export condition).
#   bash packages/transport-deno/tests/run-deno-suite.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
tests=packages/transport-deno/tests
export DENO_NO_UPDATE_CHECK=1
deno_test="node_modules/.bin/deno test --conditions=source --allow-net=127.0.0.1,localhost,[::1]"
deno_test+=" --allow-env=SMTP_PEER_HOST,SMTP_PEER_STARTTLS_PORT,SMTP_PEER_SMTPS_PORT,SMTP_PEER_CA_PEM,SMTP_PEER_USER,SMTP_PEER_PASS,SMTP_PEER_RUN_ID"
# The Postfix peer's settings, when .ci/run exported them (tests/deno/postfix.test.ts).
deno_test+=",SMTP_HOST,SMTP_SUBMISSION_PORT,SMTPS_PORT,SMTP_CA,SMTP_USER,SMTP_PASS"
deno_test+=" --allow-read=$tests${SMTP_CA:+,$SMTP_CA}"
# Messages the suites deliver (each carries the run's X-Test-Run header); the runner checks they arrived.
expected=6
exec node --conditions=source --import tsx "$tests/with-smtp-peers.ts" --expect "$expected" -- bash -c "
  rc=0
  $deno_test $tests/deno/ || rc=1
  # Type-checked by the run above; here the poison map would make the checker follow it.
  $deno_test --no-check --import-map=$tests/deno-isolation/poison-node.json $tests/deno-isolation/ || rc=1
  exit \$rc"
