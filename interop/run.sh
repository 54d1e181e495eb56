#!/usr/bin/env bash
# `pnpm interop [--no-setup] [--servers a,b] [--cells x,y] [--concurrency n] [--no-write]`:
# sets up every peer (interop/peers/setup.sh, idempotent) unless --no-setup, then runs the
# matrix (interop/src/main.ts): the table on stdout and in interop/RESULTS.md, captures of
# failed cells in interop/captures/. Exit status 1 when any cell failed, or when a set-up
# failed under CI (any non-empty CI: then a missing server is a failure, never a skip).
set -euo pipefail
cd "$(dirname "$0")/.."
setup=yes
args=()
for arg in "$@"; do
  if [ "$arg" = --no-setup ]; then setup=no; else args+=("$arg"); fi
done
setup_rc=0
if [ "$setup" = yes ]; then
  started=$SECONDS
  bash interop/peers/setup.sh || setup_rc=$?
  echo "[interop] set-up took $((SECONDS - started)) s" >&2
fi
rc=0
node --conditions=source --import tsx interop/src/main.ts "${args[@]}" || rc=$?
# RESULTS.md in the repository's Markdown style, so that `pnpm lint` stays clean.
if [ -f interop/RESULTS.md ]; then node_modules/.bin/biome format --write interop/RESULTS.md >/dev/null 2>&1 || true; fi
if [ "$setup_rc" -ne 0 ] && [ -n "${CI:-}" ]; then rc=1; fi
exit $rc
