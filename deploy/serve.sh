#!/usr/bin/env bash
# Start the self-hosted deployment on this machine (docs/deploy.md): Postgres, Redis and
# WORKERS LangGraph Agent Server workers on ports PORT, PORT+1, ... (127.0.0.1 only).
#
# DATABASE_URI / REDIS_URI: use those servers; unset, a throwaway Postgres and Redis are started
# under STATE (Debian: apt-get install postgresql redis-server) and stopped on exit.
# Several workers share one index through a Qdrant server (CLH_QDRANT_URL); without one, each
# worker gets its own copy of the Qdrant Edge index (it serves one process at a time) under
# STATE, the rest of the cache (release artifact, weights) linked, not copied.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv-server}
WORKERS=${WORKERS:-1}
PORT=${PORT:-8123}
JOBS=${JOBS:-2}
STATE=${STATE:-$PWD/.serve}
LANGHOST="$VENV/bin/langhost"
[ -x "$LANGHOST" ] || { echo "serve: $LANGHOST missing: make serve-setup" >&2; exit 2; }
CACHE=${CLH_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/clh}
if [ "$WORKERS" -gt 1 ] && [ -z "${CLH_QDRANT_URL:-}" ] && [ ! -d "$CACHE/index" ]; then
  echo "serve: no index in $CACHE: run clh index build (or set CLH_QDRANT_URL)" >&2
  exit 2
fi
worker_cache() {  # worker_cache I: the CLH_CACHE_DIR of worker I
  if [ "$WORKERS" -eq 1 ] || [ -n "${CLH_QDRANT_URL:-}" ]; then echo "$CACHE"; return; fi
  local own="$STATE/cache-$1"
  mkdir -p "$own"
  for entry in "$CACHE"/*; do
    [ "$(basename "$entry")" = index ] || ln -sfn "$(realpath "$entry")" "$own/"
  done
  rm -rf "$own/index" && cp -a "$CACHE/index" "$own/index"  # fresh: the index may be rebuilt
  echo "$own"
}
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
wait_port() {  # wait_port NAME PORT: at most 60 s
  for _ in $(seq 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "serve: $1 did not answer on port $2 (log: $STATE/$1.log)" >&2
  exit 1
}
free_port() { "$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mkdir -p "$STATE"
if [ -z "${DATABASE_URI:-}" ]; then
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || { echo "serve: no Postgres: apt-get install postgresql, or set DATABASE_URI" >&2; exit 2; }
  as=(); [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)  # postgres refuses to run as root
  if [ ${#as[@]} -gt 0 ]; then
    chown postgres "$STATE"
    "${as[@]}" test -x "$STATE" || {
      echo "serve: the postgres user cannot reach $STATE (a private folder above it):" \
        "set STATE to another folder, e.g. STATE=/var/tmp/clh-serve, or DATABASE_URI" >&2
      exit 2
    }
  fi
  [ -d "$STATE/pg" ] || "${as[@]}" "$bin/initdb" -D "$STATE/pg" -U postgres --auth=trust -E UTF8 >"$STATE/initdb.log"
  pg_port=$(free_port)
  "${as[@]}" "$bin/postgres" -D "$STATE/pg" -p "$pg_port" -h 127.0.0.1 -k "$STATE" >"$STATE/postgres.log" 2>&1 &
  pids+=($!)
  wait_port postgres "$pg_port"
  export DATABASE_URI="postgresql://postgres@127.0.0.1:$pg_port/postgres"
fi
if [ -z "${REDIS_URI:-}" ]; then
  command -v redis-server >/dev/null || { echo "serve: no redis-server: apt-get install redis-server, or set REDIS_URI" >&2; exit 2; }
  redis_port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$redis_port" --save "" --appendonly no --dir "$STATE" >"$STATE/redis.log" 2>&1 &
  pids+=($!)
  wait_port redis "$redis_port"
  export REDIS_URI="redis://127.0.0.1:$redis_port/0"
fi
export LANGGRAPH_CLI_NO_ANALYTICS=1 N_JOBS_PER_WORKER="$JOBS"
for i in $(seq 0 $((WORKERS - 1))); do
  cache=$(worker_cache "$i")
  CLH_CACHE_DIR="$cache" "$LANGHOST" serve --host 127.0.0.1 --port $((PORT + i)) --no-browser \
    >"$STATE/worker-$i.log" 2>&1 &
  pids+=($!)
  # the first worker creates the tables: two at once on a new database collide
  [ "$i" -eq 0 ] && wait_port worker-0 "$PORT"
done
for i in $(seq 0 $((WORKERS - 1))); do wait_port "worker-$i" $((PORT + i)); done
echo "serve: $WORKERS worker(s) on http://127.0.0.1:$PORT.. ($JOBS runs each); logs in $STATE"
echo "serve: code a folder with: clh batch NOTES --out RUN --server http://127.0.0.1:$PORT"
wait -n "${pids[@]}"
echo "serve: a process stopped (logs in $STATE); stopping the rest" >&2
