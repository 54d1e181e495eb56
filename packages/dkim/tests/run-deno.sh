#!/usr/bin/env bash
# The Deno suite of @smtp/dkim, run by Deno itself with its sanitizers on:
#   1. tests/deno: signing with Deno's WebCrypto (RSA and Ed25519), and @smtp/client's
#      `dkim` option on Deno (against an in-test SMTP sink, with and without a spool folder);
#      every signature is checked by mailauth and dkimpy, run under Node with the test keys
#      (tools/dkim-verify, never DNS);
#   2. tests/deno-isolation: the client signs and spools with every node:* module made
#      unloadable (transport-deno's poison map).
# Needs `pnpm install`; no build (the `source` export condition).
#   bash packages/dkim/tests/run-deno.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."
export DENO_NO_UPDATE_CHECK=1
tmp=${TMPDIR:-/tmp}
deno_test="node_modules/.bin/deno test --conditions=source --allow-net=127.0.0.1 --allow-run=node"
deno_test+=" --allow-read=$tmp,packages --allow-write=$tmp"
rc=0
$deno_test packages/dkim/tests/deno/ || rc=1
# Again with every node:* module made unloadable (transport-deno's poison map); type-checked above.
$deno_test --no-check --import-map=packages/transport-deno/tests/deno-isolation/poison-node.json \
  packages/dkim/tests/deno-isolation/ || rc=1
exit $rc
