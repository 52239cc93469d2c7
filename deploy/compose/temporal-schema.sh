#!/bin/sh
# Creates or updates Temporal's schema in PostgreSQL: the `temporal` (persistence) and
# `temporal_visibility` databases, as Temporal's own Compose examples do with the admin-tools image
# (temporalio/samples-server, compose/scripts/setup-postgres.sh). Run by docker-compose.yml's
# `temporal-schema` job before the server starts, at every `up`, and safe to repeat:
#   create         does nothing when the database exists;
#   setup-schema   -v 0.0 only initialises the version table of an empty database;
#   update-schema  applies the versioned migrations the database has not had yet, so moving the
#                  admin-tools and server images to a newer release upgrades the schema first.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the PostgreSQL host) must be set}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${SQL_PASSWORD:?SQL_PASSWORD (the password of POSTGRES_USER) must be set}"
SCHEMA=/etc/temporal/schema/postgresql/v12

sql() { temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"; }

for pair in temporal:temporal temporal_visibility:visibility; do
  db="${pair%%:*}"
  dir="$SCHEMA/${pair#*:}/versioned"
  [ -d "$dir" ] || { echo "temporal-schema: $dir is missing from this admin-tools image" >&2; exit 1; }
  echo "temporal-schema: $db"
  sql --db "$db" create
  sql --db "$db" setup-schema -v 0.0
  sql --db "$db" update-schema -d "$dir"
done
echo "temporal-schema: done"
