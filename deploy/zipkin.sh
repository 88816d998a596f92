#!/usr/bin/env bash
# Zipkin, the trace UI for SREs, from its executable jar on Maven Central (in-memory storage).
# Usage: deploy/zipkin.sh build|start|stop|status     ZIPKIN_PORT (9411)
source "$(dirname "$0")/lib.sh"

PORT="${ZIPKIN_PORT:-9411}"
JAR="$REPO/deploy/zipkin/target/zipkin.jar"
DIR="$STACK_DIR/zipkin-$PORT"
PIDFILE="$DIR/zipkin.pid"
OUT="$DIR/zipkin.out"

build() {
  if [ ! -f "$JAR" ]; then
    need_java
    log "fetching the Zipkin server jar from Maven Central (first run only, ~130 MB)..."
    maven_fetch "$REPO/deploy/zipkin/pom.xml"
  fi
}

start() {
  with_lock "zipkin-$PORT"
  if pid_alive "$PIDFILE"; then log "zipkin already running on http://127.0.0.1:$PORT"; return 0; fi
  build
  if port_open 127.0.0.1 "$PORT"; then
    die "port $PORT is taken by another process; stop it or set ZIPKIN_PORT"
  fi
  mkdir -p "$DIR"
  QUERY_PORT="$PORT" STORAGE_TYPE=mem MEM_MAX_SPANS=200000 \
    nohup java -Xms128m -Xmx384m -XX:+UseSerialGC -jar "$JAR" >"$OUT" 2>&1 9>&- &
  record_pid "$PIDFILE" $!
  wait_for_port 127.0.0.1 "$PORT" 120 "$PIDFILE" "$OUT" || die "zipkin did not start"
  log "zipkin ready on http://127.0.0.1:$PORT"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop_pidfile "$PIDFILE" 10 ;;
  status) if pid_alive "$PIDFILE"; then echo "zipkin running on http://127.0.0.1:$PORT"; else echo "zipkin stopped"; exit 1; fi ;;
  *) die "usage: $0 build|start|stop|status" ;;
esac
