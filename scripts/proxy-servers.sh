#!/usr/bin/env bash
# Real proxies for @smtp/proxy's tests: Debian's Dante (danted) for SOCKS5 and tinyproxy for
# HTTP CONNECT, each twice, without and with a user name and password, on 127.0.0.1 and free
# ports (never 1080/3128/8888: other programs on the machine may use them). They may connect
# to loopback only, where the test mail servers are.
#
#   bash scripts/proxy-servers.sh start   # installs dante-server and tinyproxy if missing
#                                         # (root + apt-get), starts the four, writes
#                                         # $PROXY_STATE/env (PROXY_SOCKS_PORT=... )
#   bash scripts/proxy-servers.sh stop    # stops the ones it started
#   bash scripts/proxy-servers.sh env     # prints the env file of the running ones
#
# Dante checks a user name and password against the system's accounts, so `start` creates
# the system account `smtpproxy` (no home, no shell) with the test password below; tinyproxy
# takes the same pair from its configuration. PROXY_STATE defaults to .proxy-state/ in the
# repository (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
state=${PROXY_STATE:-$PWD/.proxy-state}
env_file="$state/env"
# Test credentials (documented here and in packages/proxy/README.md). tinyproxy's BasicAuth
# takes [-a-z0-9._] only.
proxy_user=smtpproxy
proxy_pass=pr0xy-pass.test
daemons="socks socks-auth http http-auth"

pid_of() { cat "$state/$1.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(pid_of "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
running() { local d; for d in $daemons; do alive "$d" || return 1; done; [ -f "$env_file" ]; }

install() {
  command -v danted >/dev/null 2>&1 && command -v tinyproxy >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing dante-server and tinyproxy from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Keep the packages' maintainer scripts from starting their own daemons (1080, 8888).
    local own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
      printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      own_policy=1
    fi
    apt-get -o DPkg::Lock::Timeout=600 update >/dev/null
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends dante-server tinyproxy >/dev/null
    # An `if`, not `[ ] && rm`: as the function's last command, a false test would be its
    # status, and `set -e` would end the script on a machine whose image has a policy-rc.d.
    if [ -n "$own_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi
  else
    echo "danted and tinyproxy are not installed (as root: apt-get install dante-server tinyproxy)" >&2
    exit 1
  fi
}

account() {
  id "$proxy_user" >/dev/null 2>&1 ||
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$proxy_user"
  echo "$proxy_user:$proxy_pass" | chpasswd
}

free_port() {
  node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

dante_config() { # name port method
  cat <<CONF
logoutput: $state/$1.log
internal: 127.0.0.1 port = $2
external: lo
socksmethod: $3
clientmethod: none
user.privileged: root
user.unprivileged: nobody
client pass {
  from: 127.0.0.0/8 to: 0.0.0.0/0
  log: error
}
socks pass {
  from: 127.0.0.0/8 to: 127.0.0.0/8
  command: connect
  log: error
}
socks pass {
  from: 127.0.0.0/8 to: ::1/128
  command: connect
  log: error
}
socks block {
  from: 0.0.0.0/0 to: 0.0.0.0/0
  log: error
}
CONF
}

tinyproxy_config() { # name port [auth]
  cat <<CONF
User nobody
Group nogroup
Port $2
Listen 127.0.0.1
Timeout 120
MaxClients 64
Allow 127.0.0.1
DisableViaHeader Yes
PidFile "$state/$1.pid"
LogFile "$state/$1.log"
LogLevel Warning
CONF
  # No ConnectPort line: CONNECT may reach any port (the mail servers' are ephemeral).
  [ "${3:-}" = auth ] && echo "BasicAuth $proxy_user $proxy_pass"
  return 0
}

# Waits until something accepts connections on 127.0.0.1:$1.
listening() {
  local i
  for i in $(seq 1 50); do
    if node -e 'const s=require("node:net").connect(+process.argv[1],"127.0.0.1",()=>{s.destroy();process.exit(0)});s.on("error",()=>process.exit(1))' "$1"; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

start_one() { # name -> prints port
  local name=$1 port
  port=$(free_port)
  case $name in
    socks) dante_config "$name" "$port" none >"$state/$name.conf" ;;
    socks-auth) dante_config "$name" "$port" username >"$state/$name.conf" ;;
    http) tinyproxy_config "$name" "$port" >"$state/$name.conf" ;;
    http-auth) tinyproxy_config "$name" "$port" auth >"$state/$name.conf" ;;
  esac
  rm -f "$state/$name.pid"
  : >"$state/$name.log"
  chown nobody "$state/$name.log" 2>/dev/null || true
  case $name in
    socks*) danted -f "$state/$name.conf" -p "$state/$name.pid" -D >/dev/null 2>&1 || return 1 ;;
    http*) tinyproxy -c "$state/$name.conf" >/dev/null 2>&1 || return 1 ;;
  esac
  listening "$port" || return 1
  echo "$port"
}

start() {
  if running; then
    cat "$env_file"
    return 0
  fi
  stop
  install
  account
  mkdir -p "$state"
  # tinyproxy runs as nobody and writes its pid and log here.
  chmod 755 "$state"
  chown nobody "$state" 2>/dev/null || true
  local d port ports=()
  for d in $daemons; do
    port=""
    # A free port can be taken between the probe and the daemon's bind: try a few.
    for _ in 1 2 3 4 5; do
      if port=$(start_one "$d"); then break; fi
      port=""
      stop_one "$d"
    done
    if [ -z "$port" ]; then
      echo "$d did not start; see $state/$d.log" >&2
      stop
      exit 1
    fi
    ports+=("$port")
  done
  {
    echo "PROXY_HOST=127.0.0.1"
    echo "PROXY_SOCKS_PORT=${ports[0]}"
    echo "PROXY_SOCKS_AUTH_PORT=${ports[1]}"
    echo "PROXY_HTTP_PORT=${ports[2]}"
    echo "PROXY_HTTP_AUTH_PORT=${ports[3]}"
    echo "PROXY_USER=$proxy_user"
    echo "PROXY_PASS=$proxy_pass"
  } >"$env_file"
  cat "$env_file"
}

stop_one() {
  local pid
  pid=$(pid_of "$1")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$state/$1.pid"
}

stop() {
  local d
  for d in $daemons; do stop_one "$d"; done
  rm -f "$env_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) running && cat "$env_file" ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
