#!/usr/bin/env bash
# .ci/postfix-setup.sh — the Postfix test peer of @smtp's real-server tests.
#
# Installs Postfix and Dovecot (as the SASL service only) from Debian's packages, writes a
# loopback-only configuration and (re)starts both. Debian 12, root, no systemd needed.
# Idempotent: a re-run rewrites the same configuration and restarts in a few seconds.
#
# Listeners (127.0.0.1 and ::1; nothing else):
#   PORT_SMTP        STARTTLS offered, AUTH only after TLS, local mail without AUTH   (12525)
#   PORT_SUBMISSION  STARTTLS and AUTH required                                      (12587)
#   PORT_SMTPS       implicit TLS, AUTH required                                      (14465)
#   PORT_PLAIN       no TLS; AUTH offered in cleartext (to test refusing to use it)  (12526)
# Mail: user@, sink@, utf8user@ $TEST_DOMAIN and anything @$CATCHALL_DOMAIN land in Maildirs
# under $SMTP_STATE/maildir/<domain>/<user>/ (catch-all: <domain>/all/); other local parts
# get 550 5.1.1; other domains are accepted only after AUTH and then discarded, never sent.
# SIZE $SIZE_LIMIT, CHUNKING and SMTPUTF8 on; no tarpit after errors. A message with an
# X-Interop-Refuse header is refused at its end of data (header_checks; the interop matrix).
#
# Prints the KEY=VALUE settings and writes them to $SMTP_STATE/env:
#   set -a; . "$SMTP_STATE/env"; set +a
# Records what it set up in $SMTP_STATE/postfix/setup.sum (see record_setup).
set -euo pipefail
SCRIPT=${BASH_SOURCE[0]}

SMTP_STATE=${SMTP_STATE:-/var/lib/smtp-test-peer}
PORT_SMTP=${PORT_SMTP:-12525}
PORT_SUBMISSION=${PORT_SUBMISSION:-12587}
PORT_SMTPS=${PORT_SMTPS:-14465}
PORT_PLAIN=${PORT_PLAIN:-12526}
SIZE_LIMIT=${SIZE_LIMIT:-10485760}
TEST_DOMAIN=${TEST_DOMAIN:-example.test}
CATCHALL_DOMAIN=${CATCHALL_DOMAIN:-catchall.test}
TEST_USER=${TEST_USER:-user@example.test}
TEST_PASS=${TEST_PASS:-password}
UTF8_USER=utf8user@$TEST_DOMAIN
UTF8_PASS='pässwörd'

TLS_DIR=$SMTP_STATE/tls
DOVECOT_DIR=$SMTP_STATE/dovecot
LOG_DIR=$SMTP_STATE/log
PORTS="$PORT_SMTP $PORT_SUBMISSION $PORT_SMTPS $PORT_PLAIN"

say() { printf '[postfix-setup] %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

install_packages() {
  local wanted="postfix dovecot-core openssl ca-certificates iproute2" missing="" p
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  say "installing:$missing"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix's postinst would otherwise write an Internet-site config (we write our own).
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  # Keep maintainer scripts from starting daemons (port 25) while installing.
  local own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  # shellcheck disable=SC2086
  if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $missing >/dev/null
  fi
  [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
  return 0
}

prepare_dirs() {
  id vmail >/dev/null 2>&1 ||
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin vmail
  mkdir -p "$TLS_DIR" "$LOG_DIR" "$SMTP_STATE/postfix" "$DOVECOT_DIR/run/state" "$SMTP_STATE/maildir"
  chmod 755 "$SMTP_STATE"
  chown vmail:vmail "$SMTP_STATE/maildir"
}

# A test CA and a CA:FALSE serverAuth leaf for localhost/127.0.0.1/::1 (rustls, used by
# Deno, refuses a CA certificate as the server's own). Kept between runs while valid.
make_certificates() {
  if [ -s "$TLS_DIR/fullchain.pem" ] &&
    openssl verify -CAfile "$TLS_DIR/ca.pem" "$TLS_DIR/cert.pem" >/dev/null 2>&1; then
    return 0
  fi
  say "making a test CA and a localhost certificate in $TLS_DIR"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=@smtp Postfix test CA" \
    -keyout "$TLS_DIR/ca-key.pem" -out "$TLS_DIR/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/leaf.csr" 2>/dev/null
  cat >"$TLS_DIR/leaf.ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
EOF
  openssl x509 -req -days 3650 -in "$TLS_DIR/leaf.csr" -CA "$TLS_DIR/ca.pem" \
    -CAkey "$TLS_DIR/ca-key.pem" -CAcreateserial -extfile "$TLS_DIR/leaf.ext" \
    -out "$TLS_DIR/cert.pem" 2>/dev/null
  cat "$TLS_DIR/cert.pem" "$TLS_DIR/ca.pem" >"$TLS_DIR/fullchain.pem"
  rm -f "$TLS_DIR/leaf.csr" "$TLS_DIR/leaf.ext"
  chmod 600 "$TLS_DIR/key.pem" "$TLS_DIR/ca-key.pem"
  chmod 644 "$TLS_DIR/ca.pem" "$TLS_DIR/cert.pem" "$TLS_DIR/fullchain.pem"
}

dovecot_pid() {
  local file=$DOVECOT_DIR/run/master.pid
  [ -s "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null && cat "$file"
}

wait_gone() {
  local pid=$1 i
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  return 1
}

# Dovecot serves only Postfix's SASL requests: no IMAP/POP, plaintext passwords so
# CRAM-MD5 works, and no delay after a failed login.
start_dovecot() {
  printf '%s:{PLAIN}%s\n' "$TEST_USER" "$TEST_PASS" "$UTF8_USER" "$UTF8_PASS" >"$DOVECOT_DIR/users"
  chown root:dovecot "$DOVECOT_DIR/users"
  chmod 640 "$DOVECOT_DIR/users"
  cat >"$DOVECOT_DIR/dovecot.conf.next" <<EOF
# written by .ci/postfix-setup.sh
protocols =
base_dir = $DOVECOT_DIR/run/
state_dir = $DOVECOT_DIR/run/state
log_path = $LOG_DIR/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
auth_cache_size = 0
auth_failure_delay = 0
auth_verbose = yes
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_DIR/users
}
userdb {
  driver = static
  args = uid=vmail gid=vmail home=$SMTP_STATE/maildir/%d/%n
}
service auth {
  unix_listener /var/spool/postfix/private/auth {
    mode = 0660
    user = postfix
    group = postfix
  }
}
EOF
  # One peer per machine (/etc/postfix and the auth socket are global): stop the Dovecot
  # an earlier run started from another state directory.
  local marker=/run/smtp-test-peer.state previous pid
  if [ -s "$marker" ] && [ "$(cat "$marker")" != "$SMTP_STATE" ]; then
    previous=$(cat "$marker")/dovecot/run/master.pid
    if [ -s "$previous" ] && kill -0 "$(cat "$previous")" 2>/dev/null; then
      pid=$(cat "$previous")
      say "stopping the Dovecot of $(cat "$marker")"
      kill "$pid"
      wait_gone "$pid" || true
    fi
  fi
  echo "$SMTP_STATE" >"$marker"
  if pid=$(dovecot_pid) && cmp -s "$DOVECOT_DIR/dovecot.conf.next" "$DOVECOT_DIR/dovecot.conf"; then
    # Unchanged: a reload is enough (a restart costs about 3 s).
    kill -HUP "$pid"
    rm -f "$DOVECOT_DIR/dovecot.conf.next"
    return 0
  fi
  if pid=$(dovecot_pid); then
    kill "$pid"
    wait_gone "$pid" || die "dovecot (pid $pid) does not stop"
  fi
  mv "$DOVECOT_DIR/dovecot.conf.next" "$DOVECOT_DIR/dovecot.conf"
  # Detached from our stdout/stderr, or a caller's pipe would never see end-of-file.
  dovecot -c "$DOVECOT_DIR/dovecot.conf" </dev/null >"$LOG_DIR/dovecot-start.log" 2>&1 || {
    cat "$LOG_DIR/dovecot-start.log" >&2
    die "dovecot did not start"
  }
}

write_postfix_config() {
  local uid gid
  uid=$(id -u vmail)
  gid=$(id -g vmail)
  printf '%s %s\n' \
    "$TEST_USER" "$TEST_DOMAIN/${TEST_USER%@*}/" \
    "sink@$TEST_DOMAIN" "$TEST_DOMAIN/sink/" \
    "$UTF8_USER" "$TEST_DOMAIN/utf8user/" \
    "@$CATCHALL_DOMAIN" "$CATCHALL_DOMAIN/all/" >"$SMTP_STATE/postfix/vmailbox"
  # The interop cell data-refused-next: refused once the data is in (cleanup reads the
  # headers; smtpd answers after the final dot or BDAT ... LAST). regexp: tables are built in.
  echo '/^X-Interop-Refuse:/ REJECT Message refused at end of data: it carries X-Interop-Refuse' \
    >"$SMTP_STATE/postfix/header_checks"
  cat >/etc/postfix/main.cf <<EOF
# written by .ci/postfix-setup.sh: a loopback-only test peer
compatibility_level = 3.6
myhostname = localhost
mydomain = localdomain
myorigin = \$myhostname
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 local delivery disabled
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = all
# Nobody is trusted by address: relaying needs AUTH.
mynetworks =
smtpd_banner = \$myhostname ESMTP Postfix (SMTP test peer)
biff = no
append_dot_mydomain = no
# No syslog in containers: Postfix logs to a file.
maillog_file = $LOG_DIR/postfix.log
maillog_file_prefixes = /var, /dev/stdout, $SMTP_STATE
message_size_limit = $SIZE_LIMIT
mailbox_size_limit = 0
virtual_mailbox_limit = 0
virtual_mailbox_domains = $TEST_DOMAIN, $CATCHALL_DOMAIN
virtual_mailbox_maps = texthash:$SMTP_STATE/postfix/vmailbox
virtual_mailbox_base = $SMTP_STATE/maildir
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
header_checks = regexp:$SMTP_STATE/postfix/header_checks
# Mail for other domains is dropped here, never sent over the network.
default_transport = discard:relay disabled on the test peer
relay_transport = discard:relay disabled on the test peer
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = private/auth
smtpd_sasl_authenticated_header = no
smtpd_tls_chain_files = $TLS_DIR/key.pem, $TLS_DIR/fullchain.pem
smtpd_tls_security_level = may
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
smtputf8_enable = yes
# CHUNKING (BDAT) is on unless listed here.
smtpd_discard_ehlo_keywords =
# Negative tests must be fast and must not get the client disconnected.
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 1000
smtpd_junk_command_limit = 1000
delay_warning_time = 0
EOF
  {
    echo "# written by .ci/postfix-setup.sh (no chroot: started by hand, not by the init script)"
    local host
    for host in 127.0.0.1 '[::1]'; do
      echo "$host:$PORT_SMTP inet n - n - - smtpd"
      echo "$host:$PORT_SUBMISSION inet n - n - - smtpd"
      echo "  -o syslog_name=postfix/submission"
      echo "  -o smtpd_tls_security_level=encrypt"
      echo "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
      echo "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject"
      echo "$host:$PORT_SMTPS inet n - n - - smtpd"
      echo "  -o syslog_name=postfix/smtps"
      echo "  -o smtpd_tls_wrappermode=yes"
      echo "  -o smtpd_tls_security_level=encrypt"
      echo "  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject"
      echo "  -o smtpd_recipient_restrictions=permit_sasl_authenticated,reject"
      echo "$host:$PORT_PLAIN inet n - n - - smtpd"
      echo "  -o syslog_name=postfix/plain"
      echo "  -o smtpd_tls_security_level=none"
      echo "  -o smtpd_tls_auth_only=no"
    done
    cat <<'EOF'
pickup     unix  n - n 60    1 pickup
cleanup    unix  n - n -     0 cleanup
qmgr       unix  n - n 300   1 qmgr
tlsmgr     unix  - - n 1000? 1 tlsmgr
rewrite    unix  - - n -     - trivial-rewrite
bounce     unix  - - n -     0 bounce
defer      unix  - - n -     0 bounce
trace      unix  - - n -     0 bounce
verify     unix  - - n -     1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -     - proxymap
proxywrite unix  - - n -     1 proxymap
smtp       unix  - - n -     - smtp
relay      unix  - - n -     - smtp
showq      unix  n - n -     - showq
error      unix  - - n -     - error
retry      unix  - - n -     - error
discard    unix  - - n -     - discard
local      unix  - n n -     - local
virtual    unix  - n n -     - virtual
lmtp       unix  - - n -     - lmtp
anvil      unix  - - n -     1 anvil
scache     unix  - - n -     1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
  } >/etc/postfix/master.cf
}

listening() { ss -Hltn "sport = :$1" | grep -q .; }

start_postfix() {
  if postfix status >/dev/null 2>&1; then
    postfix stop >/dev/null 2>&1 || true
    local i
    for i in $(seq 100); do postfix status >/dev/null 2>&1 || break; sleep 0.1; done
  fi
  local port
  for port in $PORTS; do
    # Something else on our port would make master fail after `postfix start` returned.
    listening "$port" && die "port $port is taken: $(ss -Hltnp "sport = :$port" | head -1)"
  done
  postfix start </dev/null >/dev/null 2>&1 || {
    tail -20 "$LOG_DIR/postfix.log" >&2 || true
    die "postfix did not start"
  }
  local i
  for port in $PORTS; do
    for i in $(seq 100); do
      ss -Hltnp "sport = :$port" | grep -q '"master"' && break
      if [ "$i" = 100 ]; then
        tail -20 "$LOG_DIR/postfix.log" >&2 || true
        die "port $port is not listening"
      fi
      sleep 0.1
    done
  done
  for i in $(seq 100); do [ -S /var/spool/postfix/private/auth ] && break; sleep 0.1; done
}

# A hash of this script and of the main.cf it wrote, once Postfix runs with them: the
# interop set-up (interop/peers/setup.sh) sets Postfix up again when it finds another one,
# so a changed script reaches a Postfix that is already up.
record_setup() {
  cat "$SCRIPT" /etc/postfix/main.cf | sha256sum >"$SMTP_STATE/postfix/setup.sum"
}

write_env() {
  cat >"$SMTP_STATE/env" <<EOF
SMTP_HOST=127.0.0.1
SMTP_HOST6=::1
SMTP_PORT=$PORT_SMTP
SMTP_SUBMISSION_PORT=$PORT_SUBMISSION
SMTPS_PORT=$PORT_SMTPS
SMTP_PLAIN_PORT=$PORT_PLAIN
SMTP_CA=$TLS_DIR/ca.pem
SMTP_USER=$TEST_USER
SMTP_PASS=$TEST_PASS
SMTP_DOMAIN=$TEST_DOMAIN
SMTP_CATCHALL_DOMAIN=$CATCHALL_DOMAIN
SMTP_SIZE_LIMIT=$SIZE_LIMIT
SMTP_MAILDIR=$SMTP_STATE/maildir
SMTP_LOG=$LOG_DIR/postfix.log
EOF
  cat "$SMTP_STATE/env"
}

[ "$(id -u)" = 0 ] || die "run me as root"
install_packages
prepare_dirs
make_certificates
start_dovecot
write_postfix_config
start_postfix
record_setup
write_env
say "Postfix $(postconf -h mail_version) listening on 127.0.0.1 and ::1, ports $PORTS"
