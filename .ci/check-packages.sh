#!/usr/bin/env bash
# Package hygiene: publint on each package folder and "are the types wrong" on the packed
# tarball (pnpm pack rewrites workspace: ranges, which attw needs). Run after the build.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in packages/*/; do
  dir=${dir%/}
  echo "-- $dir"
  pnpm exec publint --strict "$dir"
  tgz=$(cd "$dir" && pnpm pack --pack-destination "$out" 2>/dev/null | grep -E '\.tgz$' | tail -1)
  pnpm exec attw --profile esm-only --format ascii "$tgz"
done
