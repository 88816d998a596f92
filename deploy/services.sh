#!/usr/bin/env bash
# The Canopy service processes on the native stack: each API under uvicorn, each relay and worker.
# Usage: deploy/services.sh start|stop|status
source "$(dirname "$0")/lib.sh"

PY="$REPO/.venv/bin/python"
DIR="$STACK_DIR/services"
PG_PORT="${PG_PORT:-55432}"
KAFKA="127.0.0.1:${KAFKA_PORT:-19092}"

# name | command | port to wait for: an API's, or a relay's or worker's /metrics and /healthz
PROCESSES=(
  "inventory-api|-m inventory api --port 8001|8001"
  "inventory-relay|-m inventory relay --metrics-port 9101|9101"
  "inventory-worker|-m inventory worker --metrics-port 9105|9105"
  "compliance-api|-m compliance api --port 8002|8002"
  "compliance-relay|-m compliance relay --metrics-port 9102|9102"
  "compliance-worker|-m compliance worker --metrics-port 9103|9103"
  "reporting-api|-m reporting api --port 8003|8003"
  "reporting-worker|-m reporting worker --metrics-port 9104|9104"
  "gateway-api|-m gateway api --port 8000|8000"
)

IDENTITY_DIR="$STACK_DIR/identity"

# A development key pair for identity tokens: the gateway signs with the private key, services verify.
ensure_identity_keys() {
  "$PY" -m shared.identity_keys --dir "$IDENTITY_DIR" >/dev/null
}

env_for() {
  local svc=${1%%-*}
  echo "DATABASE_URL=postgresql+asyncpg://$svc:canopy-dev-$svc@127.0.0.1:$PG_PORT/$svc" \
       "KAFKA_BOOTSTRAP_SERVERS=$KAFKA OTEL_SERVICE_NAME=$svc" \
       "OTEL_TRACES_EXPORTER=${OTEL_TRACES_EXPORTER:-zipkin}" \
       "INVENTORY_URL=http://127.0.0.1:8001 COMPLIANCE_URL=http://127.0.0.1:8002" \
       "REPORTING_URL=http://127.0.0.1:8003 METRC_BASE_URL=http://127.0.0.1:${METRC_SANDBOX_PORT:-8090}" \
       "CANOPY_IDENTITY_PUBLIC_KEY_FILE=$IDENTITY_DIR/public.pem" \
       "GATEWAY_IDENTITY_PRIVATE_KEY_FILE=$IDENTITY_DIR/private.pem" \
       "GATEWAY_CORS_ORIGINS=$CORS_ORIGINS"
}

start() {
  mkdir -p "$DIR"
  with_lock services
  ensure_identity_keys
  local svc
  for svc in inventory compliance reporting gateway; do
    # shellcheck disable=SC2046
    env $(env_for "$svc") "$PY" -m "$svc" migrate >"$DIR/$svc-migrate.out" 2>&1 \
      || { tail -n 20 "$DIR/$svc-migrate.out" >&2; die "migrating $svc failed"; }
  done
  local entry name cmd port
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name cmd port <<<"$entry"
    if pid_alive "$DIR/$name.pid"; then continue; fi
    if [ "$port" != - ] && port_open 127.0.0.1 "$port"; then
      die "port $port, wanted by $name, is taken by $(port_holder "$port"): stop it, then run this again"
    fi
    # shellcheck disable=SC2046,SC2086
    nohup env $(env_for "$name") "$PY" $cmd >"$DIR/$name.out" 2>&1 9>&- &
    record_pid "$DIR/$name.pid" $!
  done
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name cmd port <<<"$entry"
    [ "$port" = - ] && continue
    wait_for_port 127.0.0.1 "$port" 60 "$DIR/$name.pid" "$DIR/$name.out" || die "$name did not start"
  done
  log "services ready"
}

stop() {
  local entry name
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name _ _ <<<"$entry"
    stop_pidfile "$DIR/$name.pid" 15
  done
}

status() {
  local entry name cmd port
  for entry in "${PROCESSES[@]}"; do
    IFS='|' read -r name cmd port <<<"$entry"
    if pid_alive "$DIR/$name.pid"; then echo "$name running"; else echo "$name stopped"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) die "usage: $0 start|stop|status" ;;
esac
