# PostgreSQL for the database adapter tests: a throwaway cluster on 127.0.0.1, started from
# the Debian packages (installed when missing), run as the `postgres` user (it refuses root).
# Sourced by scripts/setup (bash, set -euo pipefail); idempotent: a running cluster is reused.
# Exports AUTH_TEST_DATABASE_URL (the admin database; each test creates its own database)
# and AUTH_TEST_PG_BIN (the server binaries, for tests that run a cluster of their own).
auth_pg_port="${AUTH_TEST_PG_PORT:-54329}"
auth_pg_data="${AUTH_TEST_PG_DATA:-/tmp/authrs-test-pg-$auth_pg_port}"
auth_pg_password="authrs-test" # test-only cluster on loopback
auth_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

auth_pg_bindir="$(auth_pg_bin)"
if [ -z "$auth_pg_bindir" ] || [ ! -x "$auth_pg_bindir/initdb" ] || [ ! -x "$auth_pg_bindir/pg_ctl" ]; then
  echo "setup: installing PostgreSQL (apt-get install postgresql)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  auth_pg_bindir="$(auth_pg_bin)"
  if [ -z "$auth_pg_bindir" ]; then
    echo "setup: PostgreSQL installed but no /usr/lib/postgresql/*/bin found" >&2
    return 1 2>/dev/null || exit 1
  fi
fi

# Run a server binary as `postgres` when we are root, as ourselves otherwise.
auth_pg_as() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

if "$auth_pg_bindir/pg_isready" -q -h 127.0.0.1 -p "$auth_pg_port"; then
  echo "setup: PostgreSQL already running on 127.0.0.1:$auth_pg_port"
else
  if [ ! -s "$auth_pg_data/PG_VERSION" ]; then
    echo "setup: creating a test cluster in $auth_pg_data"
    rm -rf "$auth_pg_data"
    mkdir -p "$auth_pg_data"
    auth_pg_pwfile="$(mktemp)"
    printf '%s\n' "$auth_pg_password" >"$auth_pg_pwfile"
    if [ "$(id -u)" = 0 ]; then
      chown postgres:postgres "$auth_pg_data" "$auth_pg_pwfile"
    fi
    chmod 700 "$auth_pg_data"
    auth_pg_as "$auth_pg_bindir/initdb" -D "$auth_pg_data" -U postgres --pwfile="$auth_pg_pwfile" \
      --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C --no-sync >/dev/null
    rm -f "$auth_pg_pwfile"
  fi
  echo "setup: starting PostgreSQL on 127.0.0.1:$auth_pg_port"
  # Test settings: durability off (throwaway data), room for many parallel test pools.
  # A few attempts: after a crash the old server's processes may take a moment to exit.
  auth_pg_started=no
  for auth_pg_try in 1 2 3; do
    if auth_pg_as "$auth_pg_bindir/pg_ctl" -D "$auth_pg_data" -l "$auth_pg_data/server.log" -w -t 60 \
      -o "-p $auth_pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$auth_pg_data \
-c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null 2>&1; then
      auth_pg_started=yes
      break
    fi
    sleep "$auth_pg_try"
  done
  if [ "$auth_pg_started" != yes ]; then
    echo "setup: PostgreSQL did not start on 127.0.0.1:$auth_pg_port; see $auth_pg_data/server.log" >&2
    tail -n 20 "$auth_pg_data/server.log" >&2 || true
    return 1 2>/dev/null || exit 1
  fi
fi

export AUTH_TEST_DATABASE_URL="postgres://postgres:$auth_pg_password@127.0.0.1:$auth_pg_port/postgres"
export AUTH_TEST_PG_BIN="$auth_pg_bindir"
