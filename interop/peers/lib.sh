# interop/peers/lib.sh: helpers shared by the interop peers' set-up scripts (sourced, not run).
# Each script sets PEER (its name, for messages) before sourcing this file.
# shellcheck shell=bash

SMTP_STATE=${SMTP_STATE:-/var/lib/smtp-test-peer}
# Every interop peer keeps its files below this folder, one sub-folder per server.
INTEROP_STATE=${INTEROP_STATE:-$SMTP_STATE/interop}
TLS_DIR=$SMTP_STATE/tls
# Others may run apt at the same time on this machine: wait for the lock, never fail on it.
APT=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

say() { printf '[%s] %s\n' "$PEER" "$*" >&2; }
die() {
  say "$*"
  exit 1
}

need_root() { [ "$(id -u)" = 0 ] || die "run me as root (apt-get, users, daemons)"; }

# The test CA and the localhost certificate come from .ci/postfix-setup.sh.
need_tls() { [ -s "$TLS_DIR/fullchain.pem" ] || die "run .ci/postfix-setup.sh first (needs $TLS_DIR)"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# apt_install PKG...: installs the missing ones; refreshes the package lists once if that fails.
# A temporary policy-rc.d keeps maintainer scripts from starting system daemons.
apt_install() {
  local missing="" p own_policy=""
  for p in "$@"; do installed "$p" || missing="$missing $p"; done
  [ -z "$missing" ] && return 0
  say "installing:$missing"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    own_policy=1
  fi
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -q --no-install-recommends $missing >/dev/null 2>&1 || {
    "${APT[@]}" update -q >/dev/null
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -q --no-install-recommends $missing >/dev/null
  }
  [ -z "$own_policy" ] || rm -f /usr/sbin/policy-rc.d
}

# apt_download DIR PKG...: fetches the .debs into DIR without installing them (the MTAs
# conflict with Postfix); refreshes the package lists once if that fails.
apt_download() {
  local dir=$1
  shift
  # The folder belongs to root: apt's sandbox user could not write there.
  local get=("${APT[@]}" -o APT::Sandbox::User=root download "$@")
  (cd "$dir" && "${get[@]}" >/dev/null 2>&1) || {
    "${APT[@]}" update -q >/dev/null
    (cd "$dir" && "${get[@]}" >/dev/null)
  }
}

system_user() { # system_user NAME: a system user and group without a login
  id "$1" >/dev/null 2>&1 ||
    useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$1"
}

listening() { ss -Hltn "sport = :$1" | grep -q .; }

# wait_listening LOG PORT...: until every port accepts connections (LISTEN_WAIT seconds,
# default 10), else show the end of LOG and fail.
wait_listening() {
  local log=$1 port i tries=$((${LISTEN_WAIT:-10} * 10))
  shift
  for port in "$@"; do
    for i in $(seq "$tries"); do
      listening "$port" && break
      if [ "$i" = "$tries" ]; then
        tail -20 "$log" >&2 2>/dev/null || true
        die "port $port is not listening"
      fi
      sleep 0.1
    done
  done
}

# running PIDFILE: prints the pid when that process is alive.
running() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null && cat "$1"; }

# stop_pidfile PIDFILE: stops the process of an earlier run (SIGTERM, up to 10 s).
stop_pidfile() {
  local pid i
  pid=$(running "$1") || return 0
  kill "$pid" 2>/dev/null || true
  for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && die "process $pid ($1) does not stop"
  rm -f "$1"
}

# ports_free PORT...: refuse to start when a port is taken by something else.
ports_free() {
  local port
  for port in "$@"; do
    listening "$port" && die "port $port is taken: $(ss -Hltnp "sport = :$port" | head -1)"
  done
  return 0
}

# unchanged_and_up NEW OLD PIDFILE PORT...: true when the daemon of an earlier run still
# runs with exactly this configuration and listens: then it is left alone (a warm run costs
# nothing). Otherwise NEW replaces OLD and the caller (re)starts the daemon.
unchanged_and_up() {
  local new=$1 old=$2 pidfile=$3
  shift 3
  if cmp -s "$new" "$old" && running "$pidfile" >/dev/null && all_listening "$@"; then
    rm -f "$new"
    return 0
  fi
  mv "$new" "$old"
  return 1
}

all_listening() {
  local port
  for port in "$@"; do listening "$port" || return 1; done
}

# write_env FILE KEY=VALUE...: the peer's settings, printed and written for `set -a; . FILE`.
write_env() {
  local file=$1
  shift
  printf '%s\n' "$@" >"$file.next"
  mv "$file.next" "$file"
  cat "$file"
}
