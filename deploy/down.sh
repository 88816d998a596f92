#!/usr/bin/env bash
# `make down`: stop the services and the infrastructure (data is kept; `make clean` wipes it).
source "$(dirname "$0")/lib.sh"

"$REPO/deploy/services.sh" stop || true
if [ -x "$REPO/deploy/metrc-sandbox.sh" ]; then "$REPO/deploy/metrc-sandbox.sh" stop || true; fi
"$REPO/deploy/zipkin.sh" stop || true
"$REPO/deploy/kafka.sh" stop || true
"$REPO/deploy/postgres.sh" stop || true
# The test stack, started by `make test` on its own ports.
CANOPY_STACK_DIR="$REPO/.stack/test" KAFKA_PORT=29092 "$REPO/deploy/kafka.sh" stop || true
CANOPY_STACK_DIR="$REPO/.stack/test" PG_PORT=55433 "$REPO/deploy/postgres.sh" stop || true
log "stopped"
