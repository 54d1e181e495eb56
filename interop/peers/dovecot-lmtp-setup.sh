#!/usr/bin/env bash
# interop/peers/dovecot-lmtp-setup.sh: Dovecot 2.3 LMTP (Debian's dovecot-lmtpd) as the
# interop matrix's LMTP server, delivering to Maildirs. It is a second Dovecot instance
# beside the one .ci/postfix-setup.sh runs for Postfix's SASL: its own configuration,
# instance_name, base_dir and pid file, so neither starts, stops nor reloads the other.
# Needs root and the user vmail of .ci/postfix-setup.sh. Idempotent: a re-run with the same
# configuration leaves a running instance alone; otherwise it restarts it.
#
# Listener: $LMTP_PORT on 127.0.0.1 and ::1, plaintext LMTP (PIPELINING, CHUNKING,
# 8BITMIME, ENHANCEDSTATUSCODES). Mailboxes: user@ and other@example.test ->
# $LMTP_DIR/mail/<user>/ (Maildir; Dovecot adds Return-Path with the envelope sender); any
# other local part gets 550 5.1.1.
# Writes its settings to $LMTP_DIR/env (LMTP_PORT, LMTP_MAILDIR, ...).
set -euo pipefail
PEER=dovecot-lmtp-setup
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
LMTP_DIR=${LMTP_DIR:-$INTEROP_STATE/dovecot-lmtp}
LMTP_PORT=${LMTP_PORT:-24025}
need_root
id vmail >/dev/null 2>&1 || die "run .ci/postfix-setup.sh first (needs user vmail)"

# The LMTP server of the same version as the dovecot-core that Postfix's Dovecot runs from:
# a newer dovecot-lmtpd would upgrade dovecot-core under that running instance.
apt_install dovecot-core
installed dovecot-lmtpd || apt_install "dovecot-lmtpd=$(dpkg-query -W -f='${Version}' dovecot-core)"
mkdir -p "$LMTP_DIR/run/state" "$LMTP_DIR/mail"
chmod 755 "$LMTP_DIR"
chown vmail:vmail "$LMTP_DIR/mail"
uid=$(id -u vmail)
gid=$(id -g vmail)
printf '%s::%s:%s::%s\n' user "$uid" "$gid" "$LMTP_DIR/mail/user" other "$uid" "$gid" "$LMTP_DIR/mail/other" \
  >"$LMTP_DIR/users"

cat >"$LMTP_DIR/dovecot.conf.next" <<CONF
# written by interop/peers/dovecot-lmtp-setup.sh
instance_name = smtp-interop-lmtp
protocols = lmtp
listen = 127.0.0.1, ::1
base_dir = $LMTP_DIR/run/
state_dir = $LMTP_DIR/run/state
log_path = $LMTP_DIR/dovecot.log
ssl = no
mail_location = maildir:$LMTP_DIR/mail/%n
mail_uid = vmail
mail_gid = vmail
first_valid_uid = $uid
last_valid_uid = $uid
auth_username_format = %Ln
passdb {
  driver = static
  args = nopassword=y
}
userdb {
  driver = passwd-file
  args = username_format=%n $LMTP_DIR/users
}
service lmtp {
  inet_listener lmtp {
    port = $LMTP_PORT
  }
}
CONF

pidfile=$LMTP_DIR/run/master.pid
if ! unchanged_and_up "$LMTP_DIR/dovecot.conf.next" "$LMTP_DIR/dovecot.conf" "$pidfile" "$LMTP_PORT"; then
  stop_pidfile "$pidfile"
  ports_free "$LMTP_PORT"
  # Detached from our output, or a caller's pipe would never see end-of-file.
  dovecot -c "$LMTP_DIR/dovecot.conf" </dev/null >"$LMTP_DIR/start.log" 2>&1 || {
    cat "$LMTP_DIR/start.log" >&2
    die "dovecot (LMTP) did not start"
  }
  wait_listening "$LMTP_DIR/dovecot.log" "$LMTP_PORT"
  say "Dovecot LMTP listening on 127.0.0.1 and ::1, port $LMTP_PORT"
fi
write_env "$LMTP_DIR/env" \
  "LMTP_HOST=127.0.0.1" \
  "LMTP_PORT=$LMTP_PORT" \
  "LMTP_MAILDIR=$LMTP_DIR/mail" \
  "LMTP_LOG=$LMTP_DIR/dovecot.log" \
  "LMTP_VERSION=$(dovecot --version | cut -d' ' -f1)"
