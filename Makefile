# Canopy: the two commands are `make up` (run) and `make test` (test). See README.md.
SHELL := /bin/bash
# uv may have been installed for the user only (see deploy/bootstrap.sh).
export PATH := $(HOME)/.local/bin:$(PATH)
PY := .venv/bin/python
SRC := shared/src services/inventory/src services/compliance/src services/reporting/src services/gateway/src services/metrc_sandbox/src

.PHONY: up down clean test lint typecheck imports unit bootstrap schemas asyncapi topics-file \
        bench-outbox bench-consumer bench-inventory bench-inventory-scale bench-metrc-pull bench-metrc-sync bench-metrc-push fault-metrc-push bench-metrc-cultivation \
        bench-gateway web web-client bench-web bench-reporting-read-models bench-reporting

up:  ## install what is missing, start the whole stack, print where everything is
	@deploy/up.sh

down:  ## stop everything (data is kept)
	@deploy/down.sh

clean: down  ## stop everything and wipe all local data
	rm -rf .stack

bootstrap:
	@deploy/bootstrap.sh

WEB := services/gateway/web
NPM := cd $(WEB) && PATH="$(CURDIR)/.venv/bin:$$PATH" npm run --silent

lint: bootstrap
	uv run ruff check .
	uv run ruff format --check .
	$(NPM) typecheck
	$(NPM) lint

web: bootstrap  ## build the web application (npm ci and vite build, each only when its inputs changed)

web-client:  ## regenerate the web application's API client from the gateway's OpenAPI document
	uv run python $(WEB)/scripts/generate_client.py

typecheck: bootstrap
	uv run mypy $(SRC)

imports: bootstrap
	uv run lint-imports

test: lint typecheck imports  ## ruff, mypy, import-linter, then the whole suite on real Kafka and PostgreSQL
	uv run pytest

schemas: asyncapi  ## refresh the committed JSON Schema snapshots of the event types (and the AsyncAPI document)
	uv run python -m shared.events.compatibility

asyncapi:  ## regenerate shared/src/shared/events/asyncapi.json from the topics and the event registry
	uv run python -m shared.events.asyncapi --write

topics-file:  ## regenerate deploy/kafka/topics.yaml from shared/events/topics.py
	uv run python -m shared.kafka_topics --write deploy/kafka/topics.yaml

bench-outbox: bootstrap  ## relay throughput and commit-to-consume latency for 20,000 events
	uv run python shared/bench/outbox_bench.py

bench-consumer: bootstrap  ## inbox consumer: events/s into PostgreSQL in batches of 500 and one per transaction
	uv run python shared/bench/consumer_bench.py

bench-metrc-pull: bootstrap  ## full pull of 5,000 packages from the sandbox under Metrc's limits
	uv run python services/compliance/bench/metrc_pull.py

bench-metrc-sync: bootstrap  ## full pull sync of 5,000 packages, 2,000 plants and 200 harvests into the mirror, under Metrc's GET limits, then reconciliation of 5,000 linked batches
	uv run python services/compliance/bench/metrc_sync_bench.py

bench-metrc-push: bootstrap  ## 1,000 packages and 1,000 adjustments pushed to the sandbox at 300 ms, 10 in flight
	uv run python services/compliance/bench/metrc_push_bench.py

fault-metrc-push: bootstrap  ## exactly once under lost answers, 429s, 5xx and SIGKILLs: 200 intakes, 1,000 adjustments, 100 plant batches and 400 changes to them, 10 harvests packaged, 10 plantings from a package, 10 outgoing transfers and their receiver's pull (ARGS="--faults lost_response,kill --blends 10": another blend)
	uv run python services/compliance/bench/metrc_fault_run.py $(ARGS)

bench-metrc-cultivation: bootstrap  ## 1,000 plant submissions (plantings, growth phase changes) pushed to the sandbox at 300 ms, 10 in flight
	uv run python services/compliance/bench/metrc_cultivation_bench.py

bench-web: bootstrap  ## the inventory page in headless Chromium with 1,000,000 batches: first rows, filter change, bundle
	uv run python $(WEB)/bench/web_bench.py

bench-gateway: bootstrap  ## adjustments/s through the gateway vs straight to inventory, 64 clients
	uv run python services/gateway/bench/gateway_bench.py

bench-inventory: bootstrap  ## adjustments/s through the inventory API (64 clients) vs pgbench on the same transaction
	uv run python services/inventory/bench/adjust_bench.py

bench-inventory-scale: bootstrap  ## enhanced list and batch detail p95 with 1,000,000 batches loaded
	uv run python services/inventory/bench/scale_bench.py

bench-reporting: bootstrap  ## event-to-read-model lag p99 under the inventory's benchmark load, the reports' p95 with 1,000,000 batches over HTTP, a rebuild's rate
	uv run python services/reporting/bench/reporting_bench.py

bench-reporting-read-models: bootstrap  ## folding 1,000-event transactions, and the reports' p95 with 1,000,000 batches
	uv run python services/reporting/bench/read_model_bench.py
