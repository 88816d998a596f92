#!/usr/bin/env bash
# Docker only: run once by the postgres image's entrypoint (docker-entrypoint-initdb.d) on an empty
# data volume. Creates one login role and one database per service, as deploy/postgres.sh does for
# the native stack: the role owns its database and nobody else may connect to it.
# Passwords come from <SERVICE>_DB_PASSWORD (docker-compose.yml passes them with dev defaults).
# Safe to run again: existing roles get their password reset, existing databases are kept.
set -eo pipefail

for svc in inventory compliance reporting gateway; do
  var="${svc^^}_DB_PASSWORD"
  password="${!var:-canopy-dev-$svc}"
  # psql variables (:'x' quotes a literal, :"x" an identifier) keep the values out of the SQL text.
  psql -v ON_ERROR_STOP=1 -qAt --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v svc="$svc" -v password="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'svc')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'svc') \gexec
ALTER ROLE :"svc" WITH LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'svc', :'svc')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'svc') \gexec
REVOKE CONNECT ON DATABASE :"svc" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"svc" TO :"svc";
SQL
  echo "canopy: role and database '$svc' ready"
done
