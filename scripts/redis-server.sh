#!/usr/bin/env bash
# Redis for @smtp/queue's tests, examples and benchmarks: Debian's redis-server on 127.0.0.1
# and a free port (never the fixed 6379: other programs on the machine may use it), no
# persistence, `noeviction` (BullMQ's requirement).
#
#   bash scripts/redis-server.sh start   # installs redis-server if missing (root + apt-get),
#                                        # starts it, writes $REDIS_STATE/env (REDIS_URL=...)
#   bash scripts/redis-server.sh stop    # stops the one it started
#   bash scripts/redis-server.sh env     # prints the env file of the running one
#   bash scripts/redis-server.sh url     # prints its URL alone
#
# REDIS_STATE defaults to .redis-state/ in the repository (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
state=${REDIS_STATE:-$PWD/.redis-state}
env_file="$state/env"
pid_file="$state/redis.pid"

running() { [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }

install() {
  command -v redis-server >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing redis-server from Debian's packages" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update >/dev/null
    # policy-rc.d keeps the package from starting its own server on 6379.
    apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends redis-server >/dev/null
  else
    echo "redis-server is not installed (as root: apt-get install redis-server)" >&2
    exit 1
  fi
}

free_port() {
  node -e 'const s=require("node:net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

start() {
  if running; then
    cat "$env_file"
    return 0
  fi
  install
  mkdir -p "$state"
  # A free port can be taken between the probe and redis-server's bind: try a few.
  for _ in 1 2 3 4 5; do
    port=$(free_port)
    rm -f "$pid_file"
    if redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
      --save "" --appendonly no --maxmemory-policy noeviction \
      --dir "$state" --logfile "$state/redis.log" --pidfile "$pid_file" \
      --daemonize yes >/dev/null; then
      for _ in $(seq 1 50); do
        if redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null | grep -q PONG; then
          printf 'REDIS_URL=redis://127.0.0.1:%s\n' "$port" >"$env_file"
          cat "$env_file"
          return 0
        fi
        sleep 0.1
      done
      stop
    fi
  done
  echo "redis-server did not start; see $state/redis.log" >&2
  exit 1
}

stop() {
  if running; then
    pid=$(cat "$pid_file")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$pid_file" "$env_file"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) running && cat "$env_file" ;;
  url) running && sed -n 's/^REDIS_URL=//p' "$env_file" ;;
  *)
    echo "usage: $0 start|stop|env|url" >&2
    exit 2
    ;;
esac
