#!/usr/bin/env bash
# Installs dkimpy (Debian's python3-dkim, with python3-nacl for Ed25519), the second DKIM
# verifier of @smtp/dkim's tests (tools/dkim-verify). Debian installs it for the system
# interpreter, /usr/bin/python3, which is what the tests run. Idempotent; needs root and
# apt-get. Other jobs may hold the dpkg lock: wait for it rather than fail.
set -euo pipefail
check() { /usr/bin/python3 -c "import dkim, nacl" 2>/dev/null; }
if check; then
  echo "dkimpy: present"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }
if ! apt_get install -y -q --no-install-recommends python3-dkim python3-nacl >/dev/null 2>&1; then
  apt_get update -q >/dev/null
  apt_get install -y -q --no-install-recommends python3-dkim python3-nacl >/dev/null
fi
check
echo "dkimpy: installed"
