#!/usr/bin/env bash
# interop/peers/exim-setup.sh: Exim 4.96 (Debian 12's exim4-daemon-light) as an interop peer,
# next to Postfix. Debian's MTAs conflict with each other (mail-transport-agent), so Exim is
# not installed: its .debs are downloaded, unpacked below $EXIM_DIR and run with -C.
# Needs root and the TLS files of .ci/postfix-setup.sh. Idempotent: a re-run with the same
# configuration leaves a running daemon alone; otherwise it restarts it.
#
# Listeners (127.0.0.1 and ::1): $EXIM_PORT offers STARTTLS (AUTH only after TLS),
# $EXIM_SMTPS_PORT is implicit TLS. CHUNKING, PIPELINING, SMTPUTF8, 8BITMIME, DSN, SIZE.
# Users: user@example.test / password (PLAIN, LOGIN, CRAM-MD5).
# Mail: user@ and sink@example.test -> Maildir $EXIM_DIR/maildir/<local part>; anything
# @catchall.test -> maildir/catchall; anything @discard.test is accepted and dropped (for the
# bench); other example.test users get "550 unknown user"; other
# domains "550 relay not permitted" unless authenticated, then dropped (:blackhole:). A message
# with an X-Interop-Refuse header gets 550 5.7.1 at its end of data (acl_smtp_data).
# Every delivered file starts with Return-Path: the envelope sender as Exim recorded it.
# Writes its settings to $EXIM_DIR/env (EXIM_PORT, EXIM_SMTPS_PORT, EXIM_MAILDIR, ...).
set -euo pipefail
PEER=exim-setup
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
EXIM_DIR=${EXIM_DIR:-$INTEROP_STATE/exim}
EXIM_PORT=${EXIM_PORT:-23525}
EXIM_SMTPS_PORT=${EXIM_SMTPS_PORT:-23465}
EXIM_VERSION=4.96
SIZE_LIMIT=${SIZE_LIMIT:-10485760}
need_root
need_tls

# Libraries exim4 links against (not the conflicting MTA package itself).
apt_install libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libpcre2-8-0 libdb5.3 libcrypt1
mkdir -p "$EXIM_DIR"/{debs,spool,log,tls,maildir}
EXIM_BIN=$EXIM_DIR/root/usr/sbin/exim4
if [ ! -x "$EXIM_BIN" ]; then
  say "downloading and unpacking exim4 $EXIM_VERSION"
  rm -f "$EXIM_DIR"/debs/*.deb
  apt_download "$EXIM_DIR/debs" exim4-daemon-light exim4-base exim4-config
  rm -rf "$EXIM_DIR/root"
  mkdir -p "$EXIM_DIR/root"
  for deb in "$EXIM_DIR"/debs/*.deb; do dpkg-deb -x "$deb" "$EXIM_DIR/root"; done
fi
# The binary has this user name compiled in (it fails without it). With -C Exim drops root,
# so the key must be readable by that user and deliveries run as it.
id Debian-exim >/dev/null 2>&1 || system_user Debian-exim
version=$("$EXIM_BIN" -bV -C /dev/null 2>&1 | sed -n 's/^Exim version \([^ ]*\).*/\1/p' || true)
[ "$version" = "$EXIM_VERSION" ] || die "expected Exim $EXIM_VERSION, unpacked '$version'"
install -m 644 "$TLS_DIR/fullchain.pem" "$EXIM_DIR/tls/fullchain.pem"
install -m 640 -g Debian-exim "$TLS_DIR/key.pem" "$EXIM_DIR/tls/key.pem"
chown Debian-exim:Debian-exim "$EXIM_DIR"/{spool,log,maildir}

cat >"$EXIM_DIR/exim.conf.next" <<CONF
# written by interop/peers/exim-setup.sh
primary_hostname = localhost
exim_path = $EXIM_BIN
spool_directory = $EXIM_DIR/spool
log_file_path = $EXIM_DIR/log/%slog
pid_file_path = $EXIM_DIR/exim.pid
keep_environment =
daemon_smtp_ports = $EXIM_PORT : $EXIM_SMTPS_PORT
tls_on_connect_ports = $EXIM_SMTPS_PORT
local_interfaces = <; 127.0.0.1.$EXIM_PORT ; 127.0.0.1.$EXIM_SMTPS_PORT ; ::1.$EXIM_PORT ; ::1.$EXIM_SMTPS_PORT
tls_certificate = $EXIM_DIR/tls/fullchain.pem
tls_privatekey = $EXIM_DIR/tls/key.pem
tls_advertise_hosts = *
message_size_limit = $SIZE_LIMIT
smtputf8_advertise_hosts = *
chunking_advertise_hosts = *
pipelining_advertise_hosts = *
dsn_advertise_hosts = *
# Tests make many errors and many messages per connection: no disconnect, and every message
# delivered at once (by default the 11th message of a connection waits for a queue run).
smtp_max_synprot_errors = 1000
smtp_accept_max_nonmail = 10000
smtp_accept_queue_per_connection = 0
host_lookup =
rfc1413_hosts =
smtp_banner = \$smtp_active_hostname ESMTP Exim \$version_number (interop peer) \$tod_full
domainlist local_domains = example.test : catchall.test : discard.test
never_users =
acl_smtp_rcpt = acl_check_rcpt
acl_smtp_data = acl_check_data

begin acl
acl_check_rcpt:
  accept  authenticated = *
  accept  domains = +local_domains
          verify = recipient
  deny    domains = +local_domains
          message = unknown user
  deny    message = relay not permitted

# The interop cell data-refused-next: a message with an X-Interop-Refuse header is refused
# once its data is in (after the final dot, or BDAT ... LAST).
acl_check_data:
  deny    condition = \${if def:h_X-Interop-Refuse:}
          message = 5.7.1 Message refused at end of data: it carries X-Interop-Refuse
  accept

begin routers
# Accepted without AUTH and thrown away: what the bench sends (bench/real-servers.ts).
discard:
  driver = redirect
  domains = discard.test
  data = :blackhole:
mailboxes:
  driver = accept
  domains = example.test
  local_parts = user : sink
  transport = mailbox_delivery
catchall:
  driver = accept
  domains = catchall.test
  transport = mailbox_delivery
drop_remote:
  driver = redirect
  domains = ! +local_domains
  data = :blackhole:

begin transports
mailbox_delivery:
  driver = appendfile
  # \$local_part is tainted (Exim >= 4.94): the folder is the router's listed local part, or
  # "catchall" for the catch-all domain (\$domain is only compared, never used in the path).
  directory = $EXIM_DIR/maildir/\${if eq{\$domain}{catchall.test}{catchall}{\$local_part_data}}
  maildir_format
  create_directory
  user = Debian-exim
  group = Debian-exim
  envelope_to_add
  return_path_add

begin retry
*   *   F,1h,5m

begin authenticators
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and{{eq{\$auth2}{user@example.test}}{eq{\$auth3}{password}}}}
  server_set_id = \$auth2
  server_advertise_condition = \${if def:tls_in_cipher}
login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = Username:: : Password::
  server_condition = \${if and{{eq{\$auth1}{user@example.test}}{eq{\$auth2}{password}}}}
  server_set_id = \$auth1
  server_advertise_condition = \${if def:tls_in_cipher}
cram:
  driver = cram_md5
  public_name = CRAM-MD5
  server_secret = \${if eq{\$auth1}{user@example.test}{password}fail}
  server_set_id = \$auth1
  server_advertise_condition = \${if def:tls_in_cipher}
CONF

EXIM=("$EXIM_BIN" -C "$EXIM_DIR/exim.conf")
if ! unchanged_and_up "$EXIM_DIR/exim.conf.next" "$EXIM_DIR/exim.conf" "$EXIM_DIR/exim.pid" \
  "$EXIM_PORT" "$EXIM_SMTPS_PORT"; then
  stop_pidfile "$EXIM_DIR/exim.pid"
  ports_free "$EXIM_PORT" "$EXIM_SMTPS_PORT"
  "${EXIM[@]}" -bV >/dev/null || die "Exim refuses its configuration"
  # Daemonises; -q1m retries deferred mail. Detached from our output so no pipe stays open.
  "${EXIM[@]}" -bd -q1m </dev/null >/dev/null 2>&1
  wait_listening "$EXIM_DIR/log/paniclog" "$EXIM_PORT" "$EXIM_SMTPS_PORT"
  say "Exim $version listening on 127.0.0.1 and ::1, ports $EXIM_PORT (STARTTLS) and $EXIM_SMTPS_PORT (implicit TLS)"
fi
write_env "$EXIM_DIR/env" \
  "EXIM_HOST=127.0.0.1" \
  "EXIM_PORT=$EXIM_PORT" \
  "EXIM_SMTPS_PORT=$EXIM_SMTPS_PORT" \
  "EXIM_CA=$TLS_DIR/ca.pem" \
  "EXIM_USER=user@example.test" \
  "EXIM_PASS=password" \
  "EXIM_SIZE_LIMIT=$SIZE_LIMIT" \
  "EXIM_MAILDIR=$EXIM_DIR/maildir" \
  "EXIM_LOG=$EXIM_DIR/log/mainlog" \
  "EXIM_VERSION=$version"
