#!/usr/bin/env bash
# The Metrc sandbox (an emulator of the Metrc v2 API subset Canopy uses) on loopback.
# Usage: deploy/metrc-sandbox.sh start|stop|status
#   METRC_SANDBOX_PORT (8090) picks the port; METRC_SANDBOX_SEED_FILE (deploy/metrc-sandbox/demo-seed.json)
#   the seed; any METRC_SANDBOX_<CONFIG> variable (e.g. METRC_SANDBOX_LATENCY_MS) is passed through.
source "$(dirname "$0")/lib.sh"

PORT="${METRC_SANDBOX_PORT:-8090}"
SEED_FILE="${METRC_SANDBOX_SEED_FILE:-$REPO/deploy/metrc-sandbox/demo-seed.json}"
PYTHON="$REPO/.venv/bin/python"
DIR="$STACK_DIR/metrc-sandbox-$PORT"
PIDFILE="$DIR/metrc-sandbox.pid"
OUT="$DIR/metrc-sandbox.out"

start() {
  if pid_alive "$PIDFILE"; then log "metrc sandbox already running on 127.0.0.1:$PORT"; return 0; fi
  [ -x "$PYTHON" ] || die "no virtualenv at $REPO/.venv: run 'uv sync' first"
  [ -f "$SEED_FILE" ] || die "seed file $SEED_FILE not found"
  port_open 127.0.0.1 "$PORT" && die "port $PORT is taken by another process; stop it or set METRC_SANDBOX_PORT"
  mkdir -p "$DIR"
  nohup "$PYTHON" -m metrc_sandbox serve --host 127.0.0.1 --port "$PORT" --seed-file "$SEED_FILE" \
    --log-level "${METRC_SANDBOX_LOG_LEVEL:-warning}" >"$OUT" 2>&1 9>&- &
  record_pid "$PIDFILE" $!
  wait_for_port 127.0.0.1 "$PORT" 30 "$PIDFILE" "$OUT" || die "metrc sandbox did not start"
  log "metrc sandbox ready on http://127.0.0.1:$PORT (admin API under /_sandbox)"
}

case "${1:-}" in
  start) start ;;
  stop) stop_pidfile "$PIDFILE" 10; log "metrc sandbox on :$PORT stopped" ;;
  status)
    if pid_alive "$PIDFILE"; then echo "metrc sandbox running on 127.0.0.1:$PORT"
    else echo "metrc sandbox stopped"; exit 1; fi ;;
  *) die "usage: $0 start|stop|status" ;;
esac
