# shellcheck shell=bash
# A throwaway PostgreSQL 15 server for the storage tests. Source this file, then:
#   start_postgres   # initdb in a temp dir, start on a free 127.0.0.1 port, create `sentiment_test`,
#                    # export SENTIMENT_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/sentiment_test
#   stop_postgres    # stop the server and delete the temp dir (safe to call twice)
# If SENTIMENT_TEST_PG_URL is already set (e.g. a CI service container), start_postgres leaves it alone.
# PostgreSQL refuses to run as root, so as root every server command runs as the `postgres` user.

_PG_TMP=""
_PG_BIN=""

_pg_find_bin() {
  # The binaries live in /usr/local/bin on this machine, /usr/lib/postgresql/15/bin on Debian.
  local dir
  for dir in "${PG_BIN:-}" /usr/local/bin /usr/lib/postgresql/15/bin; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      # /usr/local/bin holds symlinks to the server binaries only; createdb sits next to the targets.
      _PG_BIN="$(dirname "$(readlink -f "$dir/initdb")")"
      return 0
    fi
  done
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
    _PG_BIN="$(pg_config --bindir)"
    return 0
  fi
  echo "postgres.sh: initdb/pg_ctl not found (set PG_BIN)" >&2
  return 1
}

_pg_as_owner() {
  # Run a command as the owner of the data directory: `postgres` when we are root, else ourselves.
  if [ "$(id -u)" = "0" ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

_pg_free_port() {
  # Ask the kernel for a free port (bind to 0), with a plain-bash fallback scanning a range.
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return 0
  fi
  local port
  for port in $(seq 55432 55532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

start_postgres() {
  if [ -n "${SENTIMENT_TEST_PG_URL:-}" ]; then
    echo "postgres.sh: using existing SENTIMENT_TEST_PG_URL" >&2
    return 0
  fi
  _pg_find_bin || return 1
  _PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/sentiment-pg.XXXXXX")"
  chmod 755 "$_PG_TMP"
  if [ "$(id -u)" = "0" ]; then
    chown postgres: "$_PG_TMP"
  fi
  local port
  port="$(_pg_free_port)" || { echo "postgres.sh: no free port" >&2; return 1; }
  # A UTF-8 locale, as managed servers use: ILIKE folds the case of non-ASCII letters ("É" = "é")
  # only under one. Falls back to the C locale where C.UTF-8 does not exist.
  if ! _pg_as_owner "$_PG_BIN/initdb" -D "$_PG_TMP/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$_PG_TMP/initdb.log" 2>&1; then
    rm -rf "$_PG_TMP/data"
    _pg_as_owner "$_PG_BIN/initdb" -D "$_PG_TMP/data" -U postgres --auth=trust --encoding=UTF8 --no-locale \
      >"$_PG_TMP/initdb.log" 2>&1 || { cat "$_PG_TMP/initdb.log" >&2; stop_postgres; return 1; }
  fi
  # Durability is pointless for a throwaway test server; turning it off makes CREATE DATABASE fast.
  _pg_as_owner "$_PG_BIN/pg_ctl" -D "$_PG_TMP/data" -l "$_PG_TMP/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $_PG_TMP -c fsync=off -c synchronous_commit=off \
-c full_page_writes=off -c max_connections=200" start >/dev/null \
    || { cat "$_PG_TMP/server.log" >&2; stop_postgres; return 1; }
  if ! _pg_as_owner "$_PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres sentiment_test; then
    cat "$_PG_TMP/server.log" >&2
    stop_postgres
    return 1
  fi
  export SENTIMENT_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$port/sentiment_test"
  echo "postgres.sh: PostgreSQL $("$_PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
}

stop_postgres() {
  if [ -z "${_PG_TMP:-}" ] || [ ! -d "$_PG_TMP" ]; then
    return 0
  fi
  if [ -f "$_PG_TMP/data/postmaster.pid" ]; then
    _pg_as_owner "$_PG_BIN/pg_ctl" -D "$_PG_TMP/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$_PG_TMP"
  _PG_TMP=""
  unset SENTIMENT_TEST_PG_URL
}
