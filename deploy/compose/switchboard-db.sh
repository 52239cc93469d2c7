#!/bin/sh
# Makes the PostgreSQL role and database Switchboard keeps its shared state in (SWITCHBOARD_STATE_URL),
# beside Temporal's databases on the same server. Run by docker-compose.yml's `switchboard-db` job at
# every `up`, so it must be idempotent: the role and the database are created when missing, and the
# password is set each time, so changing SWITCHBOARD_DB_PASSWORD in .env takes effect at the next `up`
# (the server's own POSTGRES_PASSWORD, by contrast, is read only when its volume is first made).
#
# Connects with libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD) as a role that may create
# roles and databases. The database is owned by its own role, which is not a superuser: Switchboard
# creates its tables in it (migrations at start-up) and can touch nothing of Temporal's.
set -eu

name="${SWITCHBOARD_DB_NAME:-switchboard}"
: "${SWITCHBOARD_DB_PASSWORD:?SWITCHBOARD_DB_PASSWORD must be set (the password of the ${name} role)}"

# psql variables (:'x' quotes a literal, :"x" an identifier) keep the name and password out of the SQL
# text; \gexec runs the CREATE only when the SELECT returns it, as CREATE DATABASE has no IF NOT EXISTS.
psql --no-psqlrc --quiet --dbname="${PGDATABASE:-postgres}" -v ON_ERROR_STOP=1 \
  -v name="$name" -v password="$SWITCHBOARD_DB_PASSWORD" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'name') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT ALL ON DATABASE :"name" TO :"name";
SQL
echo "switchboard-db: role and database \"$name\" ready"
