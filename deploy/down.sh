#!/usr/bin/env bash
# `make down`: stop the services and the infrastructure (data is kept; `make clean` wipes it).
source "$(dirname "$0")/lib.sh"

"$REPO/deploy/services.sh" stop || true
if [ -x "$REPO/deploy/metrc-sandbox.sh" ]; then "$REPO/deploy/metrc-sandbox.sh" stop || true; fi
"$REPO/deploy/zipkin.sh" stop || true
"$REPO/deploy/kafka.sh" stop || true
"$REPO/deploy/postgres.sh" stop || true
# The test stacks `make test` and the benchmarks started (or kept, CANOPY_TEST_KEEP_STACK=1), on
# whatever ports they used.
CANOPY_STACK_DIR="$REPO/.stack/test" "$REPO/deploy/kafka.sh" stop-all || true
CANOPY_STACK_DIR="$REPO/.stack/test" "$REPO/deploy/postgres.sh" stop-all || true
log "stopped"
