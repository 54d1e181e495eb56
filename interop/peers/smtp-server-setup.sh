#!/usr/bin/env bash
# interop/peers/smtp-server-setup.sh: smtp-server (npm, the project's pinned dev dependency)
# as an interop peer, run as a daemon by interop/peers/smtp-server-peer.ts. Needs
# `pnpm install` and the TLS files of .ci/postfix-setup.sh. Idempotent: a re-run with the same
# code and settings leaves a running peer alone; otherwise it restarts it.
#
# Listeners (127.0.0.1): $SMTPSERVER_PORT offers STARTTLS (AUTH also before TLS, to loopback),
# $SMTPSERVER_SMTPS_PORT is implicit TLS. PIPELINING, 8BITMIME, SMTPUTF8, DSN, SIZE 10 MiB,
# ENHANCEDSTATUSCODES; no CHUNKING. Users: user@example.test / password (PLAIN, LOGIN,
# CRAM-MD5, XOAUTH2). Mail to example.test and catchall.test is accepted (no-such-user@ gets
# 550 5.1.1), other domains need AUTH. Every accepted message is stored as
# $SMTPSERVER_CAPTURE/<name>.eml plus <name>.json ({from, to, user, tls, mailParams}).
# Writes its settings to $SMTPSERVER_DIR/env.
set -euo pipefail
PEER=smtp-server-setup
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
SMTPSERVER_DIR=${SMTPSERVER_DIR:-$INTEROP_STATE/smtp-server}
SMTPSERVER_PORT=${SMTPSERVER_PORT:-26525}
SMTPSERVER_SMTPS_PORT=${SMTPSERVER_SMTPS_PORT:-26465}
SMTPSERVER_CAPTURE=${SMTPSERVER_CAPTURE:-$SMTPSERVER_DIR/captured}
need_tls
[ -d "$ROOT/node_modules/smtp-server" ] || die "run pnpm install first"
version=$(node -p "require('$ROOT/node_modules/smtp-server/package.json').version")
mkdir -p "$SMTPSERVER_DIR" "$SMTPSERVER_CAPTURE"

PIDFILE=$SMTPSERVER_DIR/peer.pid
cat "$HERE/smtp-server-peer.ts" "$ROOT/tools/test-peer/src/"*.ts |
  { cat; echo "$version $SMTPSERVER_PORT $SMTPSERVER_SMTPS_PORT $SMTPSERVER_CAPTURE $TLS_DIR"; } |
  sha256sum >"$SMTPSERVER_DIR/peer.sum.next"
if ! unchanged_and_up "$SMTPSERVER_DIR/peer.sum.next" "$SMTPSERVER_DIR/peer.sum" "$PIDFILE" \
  "$SMTPSERVER_PORT" "$SMTPSERVER_SMTPS_PORT"; then
  stop_pidfile "$PIDFILE"
  ports_free "$SMTPSERVER_PORT" "$SMTPSERVER_SMTPS_PORT"
  # A plain command in the background, so $! is the peer's own pid.
  (cd "$ROOT" || exit 1
    SMTP_STATE=$SMTP_STATE setsid node --conditions=source --import tsx \
    "$HERE/smtp-server-peer.ts" "$SMTPSERVER_PORT" "$SMTPSERVER_SMTPS_PORT" "$SMTPSERVER_CAPTURE" \
    </dev/null >>"$SMTPSERVER_DIR/peer.log" 2>&1 &
    echo $! >"$PIDFILE")
  LISTEN_WAIT=30 wait_listening "$SMTPSERVER_DIR/peer.log" "$SMTPSERVER_PORT" "$SMTPSERVER_SMTPS_PORT"
  say "smtp-server $version listening on 127.0.0.1, ports $SMTPSERVER_PORT (STARTTLS) and $SMTPSERVER_SMTPS_PORT (implicit TLS)"
fi
write_env "$SMTPSERVER_DIR/env" \
  "SMTPSERVER_HOST=127.0.0.1" \
  "SMTPSERVER_PORT=$SMTPSERVER_PORT" \
  "SMTPSERVER_SMTPS_PORT=$SMTPSERVER_SMTPS_PORT" \
  "SMTPSERVER_CA=$TLS_DIR/ca.pem" \
  "SMTPSERVER_USER=user@example.test" \
  "SMTPSERVER_PASS=password" \
  "SMTPSERVER_SIZE_LIMIT=10485760" \
  "SMTPSERVER_CAPTURE=$SMTPSERVER_CAPTURE" \
  "SMTPSERVER_LOG=$SMTPSERVER_DIR/peer.log" \
  "SMTPSERVER_VERSION=$version"
