#!/usr/bin/env bash
# interop/peers/setup.sh: sets up every server of the interop matrix on loopback, each with
# the project's own script, idempotently (a server already running with the same settings is
# left alone), and as fast as a fresh machine allows: the npm-installed peers (Haraka,
# smtp-server) start in parallel with the apt-installed ones (Exim, OpenSMTPD, Dovecot LMTP),
# which run one after the other (apt's lock). Postfix (.ci/postfix-setup.sh) comes first, since
# the others use its test CA and its vmail user; it is set up only when it is not already up
# with the configuration of the current script, because other suites use it too.
# Each peer's env file is removed when its set-up fails, so the matrix sees it as missing.
# Without root only Haraka and smtp-server can run; the others are reported missing.
# Exit status: 1 when any set-up failed.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
export SMTP_STATE=${SMTP_STATE:-/var/lib/smtp-test-peer}
export INTEROP_STATE=${INTEROP_STATE:-$SMTP_STATE/interop}
LOGS=$INTEROP_STATE/logs
say() { printf '[interop setup] %s\n' "$*" >&2; }
root=$([ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && echo yes || echo no)
status=0

postfix_up() {
  [ -s "$SMTP_STATE/env" ] || return 1
  local port
  # shellcheck disable=SC2013 # one port number per line
  for port in $(sed -n 's/^\(SMTP_PORT\|SMTP_PLAIN_PORT\|SMTPS_PORT\)=//p' "$SMTP_STATE/env"); do
    ss -Hltn "sport = :$port" | grep -q . || return 1
  done
}

# Whether the running Postfix was set up by this .ci/postfix-setup.sh (its record_setup) and
# its main.cf has not been rewritten since.
postfix_current() {
  local recorded
  recorded=$(cat "$SMTP_STATE/postfix/setup.sum" 2>/dev/null) || return 1
  [ "$recorded" = "$(cat "$ROOT/.ci/postfix-setup.sh" /etc/postfix/main.cf 2>/dev/null | sha256sum)" ]
}

# run_peer NAME: runs interop/peers/NAME-setup.sh with its output in $LOGS, and reports.
run_peer() {
  local name=$1 started=$SECONDS
  if bash "$HERE/$name-setup.sh" >"$LOGS/$name.out" 2>"$LOGS/$name.err"; then
    say "$name ready ($((SECONDS - started)) s)"
  else
    say "$name FAILED ($((SECONDS - started)) s); its log:"
    tail -15 "$LOGS/$name.err" >&2
    rm -f "$INTEROP_STATE/$name/env"
    return 1
  fi
}

mkdir -p "$LOGS"
if postfix_up && postfix_current; then
  say "postfix already up"
elif [ "$root" = yes ]; then
  postfix_up && say "postfix is up with another configuration than .ci/postfix-setup.sh's: setting it up again"
  started=$SECONDS
  if bash "$ROOT/.ci/postfix-setup.sh" >"$LOGS/postfix.out" 2>"$LOGS/postfix.err"; then
    say "postfix ready ($((SECONDS - started)) s)"
  else
    say "postfix FAILED; its log:"
    tail -15 "$LOGS/postfix.err" >&2
    exit 1 # every other peer needs its CA
  fi
elif postfix_up; then
  say "postfix is up with another configuration than .ci/postfix-setup.sh's; without root it stays so"
else
  say "postfix is not set up and cannot be without root and apt-get: nothing to run"
  exit 1
fi

pids=()
for name in haraka smtp-server; do
  run_peer "$name" &
  pids+=($!)
done
if [ "$root" = yes ]; then
  for name in exim opensmtpd dovecot-lmtp; do run_peer "$name" || status=1; done
else
  say "not root: exim, opensmtpd and dovecot-lmtp are not set up"
  status=1
fi
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
exit $status
