#!/usr/bin/env bash
# Makes this machine ready for Ledgerflow: dependencies installed, the local PostgreSQL ready for
# logical replication, Redis answering. Idempotent: on a ready machine it changes nothing and
# restarts nothing. Used by `npm run demo`, `npm test` and .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

log() { printf '[prepare] %s\n' "$*"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund
fi

psql_q() { psql -X -v ON_ERROR_STOP=1 -d postgres -Atc "$1"; }

wait_for_pg() {
  for _ in $(seq 1 60); do
    if pg_isready -q -h "$PGHOST" -p "$PGPORT"; then return 0; fi
    sleep 0.5
  done
  return 1
}

if ! wait_for_pg; then
  log "PostgreSQL is not answering; starting it"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start || true
  wait_for_pg || { log "PostgreSQL did not start"; exit 1; }
fi

# Settings logical replication needs; a restart happens only when one of them actually changes.
needs_restart=0
ensure_setting() {
  local name=$1 wanted=$2 op=${3:-eq} current
  current=$(psql_q "show $name")
  if [ "$op" = ge ]; then
    [ "$current" -ge "$wanted" ] && return 0
  else
    [ "$current" = "$wanted" ] && return 0
  fi
  log "setting $name = $wanted (was $current)"
  psql_q "alter system set $name = '$wanted'" >/dev/null
  needs_restart=1
}
ensure_setting wal_level logical
ensure_setting max_replication_slots 64 ge
ensure_setting max_wal_senders 64 ge
ensure_setting max_connections 300 ge

if [ "$needs_restart" = 1 ]; then
  version=$(psql_q "show server_version_num" | cut -c1-2)
  log "restarting PostgreSQL $version to apply settings"
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  wait_for_pg || { log "PostgreSQL did not come back"; exit 1; }
fi
[ "$(psql_q 'show wal_level')" = logical ] || { log "wal_level is still not logical"; exit 1; }

REDIS_PORT=${REDIS_PORT:-6379}
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  log "Redis is not answering; starting it"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 40); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.25; done
fi
redis-cli -p "$REDIS_PORT" ping >/dev/null || { log "Redis did not start"; exit 1; }
# promtool (Debian's prometheus package) checks the apps' /metrics output in the tests.
if ! command -v promtool >/dev/null 2>&1; then
  log "installing promtool (Debian package prometheus)"
  if ! (apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 || (apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1)); then
    log "could not install promtool; the metrics format test will fail in CI"
  fi
  # The package starts a Prometheus server we do not need.
  (command -v systemctl >/dev/null && systemctl stop prometheus >/dev/null 2>&1) || pkill -x prometheus >/dev/null 2>&1 || true
fi
log "ready: PostgreSQL (wal_level=logical), Redis$(command -v promtool >/dev/null && echo ', promtool')"
