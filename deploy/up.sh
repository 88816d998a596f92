#!/usr/bin/env bash
# `make up`: install what is missing, start the whole stack, print where everything is.
source "$(dirname "$0")/lib.sh"

"$REPO/deploy/bootstrap.sh"
"$REPO/deploy/postgres.sh" start
"$REPO/deploy/kafka.sh" start
"$REPO/.venv/bin/python" -m shared.kafka_topics --bootstrap "127.0.0.1:${KAFKA_PORT:-19092}" \
  --file "$REPO/deploy/kafka/topics.yaml" >&2
"$REPO/deploy/zipkin.sh" start
if [ -x "$REPO/deploy/metrc-sandbox.sh" ]; then "$REPO/deploy/metrc-sandbox.sh" start; fi
"$REPO/deploy/services.sh" start

cat <<INFO

Canopy is up.
  Web application        http://127.0.0.1:8000/     (sign in with a demo user below)
  Gateway (public API)   http://127.0.0.1:8000/api  docs: http://127.0.0.1:8000/docs
  CORS origins allowed   ${CORS_ORIGINS:-none}   (GATEWAY_CORS_ORIGINS, comma-separated)
  Trace UI (Zipkin)      http://127.0.0.1:9411
  Metrc sandbox          http://127.0.0.1:${METRC_SANDBOX_PORT:-8090}
  Inventory / compliance / reporting (internal)   :8001 / :8002 / :8003
  Metrics (Prometheus)   every API's /metrics: :8000 :8001 :8002 :8003
                         relays and workers, /metrics and /healthz on a port each:
                         inventory-relay :9101  compliance-relay :9102
                         compliance-worker :9103  reporting-worker :9104
                         inventory-worker :9105
  Kafka                  127.0.0.1:${KAFKA_PORT:-19092}
  PostgreSQL             127.0.0.1:${PG_PORT:-55432}  (one database and role per service)
  Logs                   $STACK_DIR/*/
Stop everything with: make down

INFO
# Demo users, one per role (idempotent: existing ones are left as they are), and how to log in.
DATABASE_URL="postgresql+asyncpg://gateway:canopy-dev-gateway@127.0.0.1:${PG_PORT:-55432}/gateway" \
  "$REPO/.venv/bin/python" -m gateway seed-demo --base-url http://127.0.0.1:8000
