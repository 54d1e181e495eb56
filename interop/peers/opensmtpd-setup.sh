#!/usr/bin/env bash
# interop/peers/opensmtpd-setup.sh: OpenSMTPD 7.4 as an interop peer, next to Postfix.
# Not `apt-get install opensmtpd`: it conflicts with Postfix (mail-transport-agent), and
# bookworm's 6.8 fails every TLS handshake with OpenSSL 3. The 7.4 .deb comes from
# bookworm-backports through a private apt list (the machine's sources stay untouched; the
# mirror is the one those sources use) and is unpacked below $OSMTPD_DIR.
# Needs root and the TLS files and user vmail of .ci/postfix-setup.sh. Idempotent: a re-run
# with the same configuration leaves a running daemon alone; otherwise it restarts it.
#
# Listeners: $OSMTPD_PORT (127.0.0.1 and ::1) offers STARTTLS, AUTH optional after TLS;
# $OSMTPD_SMTPS_PORT (127.0.0.1 and ::1) is implicit TLS with AUTH required.
# No PIPELINING, CHUNKING or SMTPUTF8. SIZE 10 MiB.
# Users: user@example.test / password (PLAIN, LOGIN). Mail: user@ and sink@example.test ->
# Maildir $OSMTPD_DIR/maildir/<user>; other example.test users are refused; other domains
# only after AUTH, then dropped.
# Writes its settings to $OSMTPD_DIR/env (OSMTPD_PORT, OSMTPD_SMTPS_PORT, OSMTPD_MAILDIR, ...).
set -euo pipefail
PEER=opensmtpd-setup
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
OSMTPD_DIR=${OSMTPD_DIR:-$INTEROP_STATE/opensmtpd}
OSMTPD_PORT=${OSMTPD_PORT:-25525}
OSMTPD_SMTPS_PORT=${OSMTPD_SMTPS_PORT:-25465}
OSMTPD_PACKAGE=opensmtpd=7.4.0p1-1~bpo12+1
SIZE_LIMIT=10485760
need_root
need_tls
id vmail >/dev/null 2>&1 || die "run .ci/postfix-setup.sh first (needs user vmail)"

# The Debian mirror the machine's own sources use for $1 (e.g. bookworm).
mirror_for() {
  # shellcheck disable=SC2016 # $(...) is apt's field syntax, not the shell's
  apt-get indextargets --format '$(RELEASE) $(REPO_URI)' 2>/dev/null |
    awk -v suite="$1" '$1 == suite { print $2; exit }'
}

apt_install libevent-2.1-7 libssl3 libdb5.3 libpam0g zlib1g libcrypt1
mkdir -p "$OSMTPD_DIR"/{apt/lists/partial,debs,tls,maildir}
SMTPD=$OSMTPD_DIR/root/usr/sbin/smtpd
if [ ! -x "$SMTPD" ]; then
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  mirror=${DEBIAN_MIRROR:-$(mirror_for "$codename")}
  if [ -z "$mirror" ]; then
    "${APT[@]}" update -q >/dev/null
    mirror=$(mirror_for "$codename")
  fi
  [ -n "$mirror" ] || die "no Debian mirror for $codename in the apt sources; set DEBIAN_MIRROR"
  say "downloading $OSMTPD_PACKAGE from $codename-backports"
  echo "deb $mirror $codename-backports main" >"$OSMTPD_DIR/apt/backports.list"
  private=(-o "Dir::Etc::sourcelist=$OSMTPD_DIR/apt/backports.list" -o Dir::Etc::sourceparts=-
    -o "Dir::State::Lists=$OSMTPD_DIR/apt/lists")
  "${APT[@]}" "${private[@]}" update -q >/dev/null
  rm -f "$OSMTPD_DIR"/debs/*.deb
  (cd "$OSMTPD_DIR/debs" && "${APT[@]}" "${private[@]}" -o APT::Sandbox::User=root download "$OSMTPD_PACKAGE" >/dev/null)
  rm -rf "$OSMTPD_DIR/root"
  mkdir -p "$OSMTPD_DIR/root"
  dpkg-deb -x "$OSMTPD_DIR"/debs/opensmtpd_*.deb "$OSMTPD_DIR/root"
fi
system_user opensmtpd
system_user opensmtpq
# Compiled-in paths: the privilege-separation chroot, and the delivery helpers
# (without them every delivery fails with "mail.maildir: not found" and bounces).
mkdir -p /var/lib/opensmtpd/empty
if [ ! -e /usr/libexec/opensmtpd ] || [ -L /usr/libexec/opensmtpd ]; then
  ln -sfn "$OSMTPD_DIR/root/usr/libexec/opensmtpd" /usr/libexec/opensmtpd
fi
install -m 644 "$TLS_DIR/fullchain.pem" "$OSMTPD_DIR/tls/fullchain.pem"
install -m 600 "$TLS_DIR/key.pem" "$OSMTPD_DIR/tls/key.pem"
chown vmail:vmail "$OSMTPD_DIR/maildir"
# A stable hash (same salt every run), so an unchanged configuration is recognised.
printf 'user@example.test %s\n' "$(openssl passwd -6 -salt interoppeer password)" >"$OSMTPD_DIR/secrets"
chgrp opensmtpd "$OSMTPD_DIR/secrets"
chmod 640 "$OSMTPD_DIR/secrets"
printf 'user@example.test vmail\nsink@example.test vmail\n' >"$OSMTPD_DIR/mailboxes"
# Relayed mail (after AUTH) is mapped to vmail too, whatever the address, and then dropped.
printf '@ vmail\n' >"$OSMTPD_DIR/anyone"

cat >"$OSMTPD_DIR/smtpd.conf.next" <<CONF
# written by interop/peers/opensmtpd-setup.sh
pki localhost cert "$OSMTPD_DIR/tls/fullchain.pem"
pki localhost key "$OSMTPD_DIR/tls/key.pem"
table secrets file:$OSMTPD_DIR/secrets
table mailboxes file:$OSMTPD_DIR/mailboxes
table anyone file:$OSMTPD_DIR/anyone
smtp max-message-size $SIZE_LIMIT
listen on 127.0.0.1 port $OSMTPD_PORT tls pki localhost auth-optional <secrets> hostname localhost
listen on ::1 port $OSMTPD_PORT tls pki localhost auth-optional <secrets> hostname localhost
listen on 127.0.0.1 port $OSMTPD_SMTPS_PORT smtps pki localhost auth <secrets> hostname localhost
listen on ::1 port $OSMTPD_SMTPS_PORT smtps pki localhost auth <secrets> hostname localhost
action "mailbox" mda "/usr/libexec/opensmtpd/mail.maildir $OSMTPD_DIR/maildir/%{rcpt.user}" virtual <mailboxes>
action "drop" mda "/bin/sh -c 'cat >/dev/null'" virtual <anyone>
match from any for domain "example.test" action "mailbox"
match auth from any for any action "drop"
CONF

if ! unchanged_and_up "$OSMTPD_DIR/smtpd.conf.next" "$OSMTPD_DIR/smtpd.conf" "$OSMTPD_DIR/smtpd.pid" \
  "$OSMTPD_PORT" "$OSMTPD_SMTPS_PORT"; then
  stop_pidfile "$OSMTPD_DIR/smtpd.pid"
  ports_free "$OSMTPD_PORT" "$OSMTPD_SMTPS_PORT"
  "$SMTPD" -n -f "$OSMTPD_DIR/smtpd.conf" >/dev/null 2>&1 || {
    "$SMTPD" -n -f "$OSMTPD_DIR/smtpd.conf" || true
    die "OpenSMTPD refuses its configuration"
  }
  # -d: foreground, logging to stderr (its log file); setsid and redirects: no pipe held.
  setsid "$SMTPD" -d -f "$OSMTPD_DIR/smtpd.conf" </dev/null >>"$OSMTPD_DIR/smtpd.log" 2>&1 &
  echo $! >"$OSMTPD_DIR/smtpd.pid"
  wait_listening "$OSMTPD_DIR/smtpd.log" "$OSMTPD_PORT" "$OSMTPD_SMTPS_PORT"
  say "OpenSMTPD listening on 127.0.0.1 and ::1, ports $OSMTPD_PORT (STARTTLS) and $OSMTPD_SMTPS_PORT (implicit TLS)"
fi
version=$(dpkg-deb -f "$(ls "$OSMTPD_DIR"/debs/opensmtpd_*.deb)" Version)
write_env "$OSMTPD_DIR/env" \
  "OSMTPD_HOST=127.0.0.1" \
  "OSMTPD_PORT=$OSMTPD_PORT" \
  "OSMTPD_SMTPS_PORT=$OSMTPD_SMTPS_PORT" \
  "OSMTPD_CA=$TLS_DIR/ca.pem" \
  "OSMTPD_USER=user@example.test" \
  "OSMTPD_PASS=password" \
  "OSMTPD_SIZE_LIMIT=$SIZE_LIMIT" \
  "OSMTPD_MAILDIR=$OSMTPD_DIR/maildir" \
  "OSMTPD_LOG=$OSMTPD_DIR/smtpd.log" \
  "OSMTPD_VERSION=$version"
