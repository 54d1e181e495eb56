#!/usr/bin/env bash
# interop/peers/haraka-setup.sh: Haraka 3.3.4 (npm) as an interop peer. Haraka and its
# dependencies come from interop/peers/haraka/package-lock.json (`npm ci`, into $HARAKA_DIR,
# never into the project's workspace); its configuration and the project's two plugins
# (mailboxes.js, capture.js) from interop/peers/haraka/. Needs node, npm and the TLS files of
# .ci/postfix-setup.sh. Idempotent: a re-run with the same configuration leaves a running
# Haraka alone; otherwise it restarts it.
#
# Listeners (127.0.0.1 and ::1): $HARAKA_PORT offers STARTTLS (and AUTH, also before TLS, to
# loopback clients), $HARAKA_SMTPS_PORT is implicit TLS. PIPELINING, 8BITMIME, SMTPUTF8,
# SIZE 10 MiB; no CHUNKING. Users: user@example.test / password (PLAIN, LOGIN, CRAM-MD5).
# Mail: user@ and sink@example.test and anything @catchall.test is accepted, other
# example.test users get 550 5.1.1, other domains need AUTH. Every accepted message is
# stored as $HARAKA_CAPTURE/<uuid>.eml plus <uuid>.json ({from, to, user, tls}).
# Writes its settings to $HARAKA_DIR/env (HARAKA_PORT, HARAKA_SMTPS_PORT, HARAKA_CAPTURE ...).
set -euo pipefail
PEER=haraka-setup
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"
HARAKA_DIR=${HARAKA_DIR:-$INTEROP_STATE/haraka}
HARAKA_PORT=${HARAKA_PORT:-27525}
HARAKA_SMTPS_PORT=${HARAKA_SMTPS_PORT:-27465}
HARAKA_CAPTURE=${HARAKA_CAPTURE:-$HARAKA_DIR/captured}
need_tls
command -v npm >/dev/null || die "needs node and npm"

# 1. Haraka from the lockfile, reinstalled only when the lockfile changed.
APP=$HARAKA_DIR/app
mkdir -p "$APP" "$HARAKA_CAPTURE"
if ! cmp -s "$HERE/haraka/package-lock.json" "$APP/package-lock.json" || [ ! -x "$APP/node_modules/.bin/haraka" ]; then
  say "installing Haraka from interop/peers/haraka/package-lock.json"
  cp "$HERE/haraka/package.json" "$HERE/haraka/package-lock.json" "$APP/"
  (cd "$APP" && npm ci --no-audit --no-fund --loglevel=error >"$HARAKA_DIR/npm-install.log" 2>&1) || {
    tail -20 "$HARAKA_DIR/npm-install.log" >&2
    rm -f "$APP/package-lock.json"
    die "npm ci failed"
  }
fi
version=$(node -p "require('$APP/node_modules/Haraka/package.json').version")

# 2. The instance folder: configuration and plugins copied afresh, ports and TLS filled in.
INST=$HARAKA_DIR/instance
rm -rf "$INST/config" "$INST/plugins"
mkdir -p "$INST/config" "$INST/plugins" "$INST/queue"
cp "$HERE"/haraka/config/* "$INST/config/"
cp "$HERE"/haraka/plugins/*.js "$INST/plugins/"
listen="127.0.0.1:$HARAKA_PORT,[::1]:$HARAKA_PORT,127.0.0.1:$HARAKA_SMTPS_PORT,[::1]:$HARAKA_SMTPS_PORT"
sed -i -e "s/^listen=.*/listen=$listen/" -e "s/^smtps_port=.*/smtps_port=$HARAKA_SMTPS_PORT/" \
  "$INST/config/smtp.ini"
install -m 600 "$TLS_DIR/key.pem" "$INST/config/tls_key.pem"
install -m 644 "$TLS_DIR/fullchain.pem" "$INST/config/tls_cert.pem"
# Without dhparams.pem Haraka runs `openssl dhparam 2048`, which outlives a stopped Haraka.
[ -s "$HARAKA_DIR/dhparams.pem" ] ||
  openssl genpkey -genparam -algorithm DH -pkeyopt group:ffdhe2048 -out "$HARAKA_DIR/dhparams.pem" 2>/dev/null
cp "$HARAKA_DIR/dhparams.pem" "$INST/config/dhparams.pem"
[ -s "$HARAKA_DIR/internalcmd_key" ] || openssl rand -hex 32 >"$HARAKA_DIR/internalcmd_key"
cp "$HARAKA_DIR/internalcmd_key" "$INST/config/internalcmd_key"

# 3. (Re)start it when anything changed, detached, and wait for its ports.
(cd "$INST" && cat config/* plugins/* && echo "$version $HARAKA_CAPTURE") | sha256sum >"$HARAKA_DIR/instance.sum.next"
PIDFILE=$HARAKA_DIR/haraka.pid
if ! unchanged_and_up "$HARAKA_DIR/instance.sum.next" "$HARAKA_DIR/instance.sum" "$PIDFILE" \
  "$HARAKA_PORT" "$HARAKA_SMTPS_PORT"; then
  stop_pidfile "$PIDFILE"
  ports_free "$HARAKA_PORT" "$HARAKA_SMTPS_PORT"
  # A plain command in the background, so $! is Haraka's own pid.
  (cd "$INST" || exit 1
    # capture.js reads HARAKA_CAPTURE; Haraka's temporary files go there too.
    export HARAKA_CAPTURE TMPDIR=$HARAKA_CAPTURE
    setsid "$APP/node_modules/.bin/haraka" -c "$INST" </dev/null >>"$HARAKA_DIR/haraka.log" 2>&1 &
    echo $! >"$PIDFILE")
  # Haraka loads its plugins before listening: allow it 30 s.
  LISTEN_WAIT=30 wait_listening "$HARAKA_DIR/haraka.log" "$HARAKA_PORT" "$HARAKA_SMTPS_PORT"
  say "Haraka $version listening on 127.0.0.1 and ::1, ports $HARAKA_PORT (STARTTLS) and $HARAKA_SMTPS_PORT (implicit TLS)"
fi
write_env "$HARAKA_DIR/env" \
  "HARAKA_HOST=127.0.0.1" \
  "HARAKA_PORT=$HARAKA_PORT" \
  "HARAKA_SMTPS_PORT=$HARAKA_SMTPS_PORT" \
  "HARAKA_CA=$TLS_DIR/ca.pem" \
  "HARAKA_USER=user@example.test" \
  "HARAKA_PASS=password" \
  "HARAKA_SIZE_LIMIT=10485760" \
  "HARAKA_CAPTURE=$HARAKA_CAPTURE" \
  "HARAKA_LOG=$HARAKA_DIR/haraka.log" \
  "HARAKA_VERSION=$version"
