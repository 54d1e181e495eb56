#!/usr/bin/env bash
# Deno users can import the npm packages: pack the packages as npm would publish them,
# install the tarballs offline into a scratch project, and have Deno import
# `npm:@smtp/client` there and send three messages (checking that the default transport
# is the Deno one). Run after `pnpm build`.
#   bash packages/transport-deno/tests/npm-on-deno/run.sh
set -euo pipefail
cd "$(dirname "$0")/../../../.."
root=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/tgz"
# The client and everything it depends on.
packages="core mime dkim proxy transport-node transport-deno transport-cloudflare client"
for pkg in $packages; do
  (cd "packages/$pkg" && pnpm pack --pack-destination "$work/tgz" >/dev/null)
done
cp packages/transport-deno/tests/npm-on-deno/probe.ts "$work/"
cd "$work"
echo '{ "name": "npm-on-deno-probe", "private": true, "type": "module" }' > package.json
# Zero third-party dependencies: everything comes from the local tarballs.
npm install --offline --no-audit --no-fund --silent ./tgz/*.tgz
env_names=SMTP_PEER_HOST,SMTP_PEER_STARTTLS_PORT,SMTP_PEER_SMTPS_PORT,SMTP_PEER_CA_PEM,SMTP_PEER_USER,SMTP_PEER_PASS,SMTP_PEER_RUN_ID
cd "$root"
node --conditions=source --import tsx packages/transport-deno/tests/with-smtp-peers.ts --expect 3 -- \
  bash -c "cd '$work' && timeout 60 '$root/node_modules/.bin/deno' run --check \
    --allow-net=127.0.0.1,localhost --allow-env=$env_names probe.ts"
