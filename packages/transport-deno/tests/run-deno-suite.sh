#!/usr/bin/env bash
# The Deno suite of @smtp/transport-deno (transport and @smtp/client on Deno), run by Deno
# itself with its resource and op sanitizers on, next to the smtp-server peers that
# with-smtp-peers.ts starts under Node. Needs `pnpm install`; no build (the `source` condition).
#   bash packages/transport-deno/tests/run-deno-suite.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
pkg=packages/transport-deno
env_names=SMTP_PEER_HOST,SMTP_PEER_STARTTLS_PORT,SMTP_PEER_SMTPS_PORT,SMTP_PEER_CA_PEM,SMTP_PEER_USER,SMTP_PEER_PASS,SMTP_PEER_RUN_ID
exec node --conditions=source --import tsx "$pkg/tests/with-smtp-peers.ts" --expect "${EXPECT_MESSAGES:-2}" -- \
  node_modules/.bin/deno test --conditions=source \
  --allow-net=127.0.0.1,localhost,[::1] --allow-env="$env_names" --allow-read="$pkg/tests" \
  "$pkg/tests/deno/"
