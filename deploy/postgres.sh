#!/usr/bin/env bash
# PostgreSQL from Debian's packages: a private cluster on loopback with one role and one database per service.
# Usage: deploy/postgres.sh start|stop|stop-all|kill|status|wipe|psql|logfile [ARGS]
#   PG_PORT (55432) picks the port; PG_FAST=1 trades durability for speed (tests only).
#   Data lives in $CANOPY_STACK_DIR/pg-$PG_PORT and survives stop/start.
source "$(dirname "$0")/lib.sh"

PORT="${PG_PORT:-55432}"
DIR="$STACK_DIR/pg-$PORT"
if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$STACK_DIR" 2>/dev/null; then
  # The cluster belongs to the postgres user, who cannot enter a private home such as /root:
  # keep it where postgres can, one directory per stack.
  DIR="/var/lib/canopy/$(printf '%s' "$STACK_DIR" | sha1sum | cut -c1-12)/pg-$PORT"
fi
DATA="$DIR/data"
SERVICES=(inventory compliance reporting gateway)
SUPERPASS="${PG_SUPERUSER_PASSWORD:-postgres}"

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/postgres" ]; then
    [ "$(id -u)" = 0 ] || die "PostgreSQL server is missing: sudo apt-get install -y postgresql"
    log "installing PostgreSQL from Debian's packages..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql postgresql-contrib >&2
    bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  echo "$bin"
}

# initdb refuses to run as root, so the cluster belongs to the postgres system user when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

psql_super() { "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }

init_cluster() {
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
  local pwfile="$DIR/.pw"
  trap 'rm -f "$DIR/.pw"' EXIT
  (umask 077; printf '%s\n' "$SUPERPASS" >"$pwfile")
  [ "$(id -u)" = 0 ] && chown postgres: "$pwfile"
  as_owner "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$pwfile" --auth-local=trust \
    --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$DIR/initdb.out" 2>&1 \
    || { cat "$DIR/initdb.out" >&2; die "initdb failed"; }
  rm -f "$pwfile"
}

ensure_service_databases() {
  local svc
  for svc in "${SERVICES[@]}"; do
    local pass="canopy-dev-$svc"
    if [ "$(psql_super -c "select 1 from pg_roles where rolname='$svc'")" != 1 ]; then
      psql_super -c "create role $svc login password '$pass'"
    fi
    if [ "$(psql_super -c "select 1 from pg_database where datname='$svc'")" != 1 ]; then
      psql_super -c "create database $svc owner $svc"
      psql_super -c "revoke connect on database $svc from public"
    fi
  done
}

start() {
  with_lock "pg-$PORT"
  BIN=$(pg_bin)
  if [ -f "$DATA/PG_VERSION" ] && as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; then
    log "postgres already running on 127.0.0.1:$PORT"
  else
    refuse_taken_port "$PORT" "PostgreSQL" PG_PORT
    [ -f "$DATA/PG_VERSION" ] || init_cluster
    local opts="-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=400"
    # terse: no DETAIL lines in the server's log, which quote values ("Key (email)=(...)").
    opts+=" -c log_error_verbosity=terse"
    opts+=" -c shared_buffers=256MB -c max_locks_per_transaction=256"
    if [ "${PG_FAST:-0}" = 1 ]; then
      opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    as_owner "$BIN/pg_ctl" -D "$DATA" -l "$DIR/postgres.log" -w -t 60 -o "$opts" start >/dev/null 9>&- \
      || { tail -n 30 "$DIR/postgres.log" >&2; die "postgres did not start"; }
    log "postgres ready on 127.0.0.1:$PORT"
  fi
  ensure_service_databases
}

stop() {
  BIN=$(pg_bin)
  [ -f "$DATA/PG_VERSION" ] || return 0
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w status >/dev/null 2>&1 || return 0
  as_owner "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
  log "postgres on :$PORT stopped"
}

# stop_all: stop every cluster of this stack directory, whatever its port (`make down`).
stop_all() {
  local data
  for data in "$(dirname "$DIR")"/pg-*/data; do
    [ -f "$data/PG_VERSION" ] || continue
    PORT=${data%/data}; PORT=${PORT##*/pg-}; DIR=${data%/data}; DATA=$data
    stop
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  stop-all) stop_all ;;
  logfile) echo "$DIR/postgres.log" ;;
  kill) [ -f "$DATA/postmaster.pid" ] && kill -KILL "$(head -n 1 "$DATA/postmaster.pid")" 2>/dev/null || true ;;
  status) BIN=$(pg_bin); as_owner "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1 \
            && echo "postgres running on 127.0.0.1:$PORT" || { echo "postgres stopped"; exit 1; } ;;
  wipe) stop; rm -rf "$DIR" ;;
  psql) shift; BIN=$(pg_bin); psql_super "$@" ;;
  *) die "usage: $0 start|stop|stop-all|kill|status|wipe|psql|logfile" ;;
esac
