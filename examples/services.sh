#!/usr/bin/env bash
# Private servers for the examples that use Redis and PostgreSQL:
#   examples/services.sh start    Redis on 127.0.0.1:6390 and PostgreSQL on 127.0.0.1:5440 (installed first when
#                                 missing, as test.sh does); prints the connection settings; starting twice is fine
#   examples/services.sh stop     stops both, keeping their data
#   examples/services.sh status   says which run, and the connection settings
# Their data is in examples/.services/ (not in git); delete that folder, stopped, to start over. Never the system-wide
# services: the machine's binaries, run with their own data, ports and logs.
# SLUICE_SERVICES_DIR, SLUICE_REDIS_PORT and SLUICE_PG_PORT choose another folder and ports (bench/services.sh
# keeps its own servers that way).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
data="${SLUICE_SERVICES_DIR:-$here/.services}"
redis_dir="$data/redis" redis_port="${SLUICE_REDIS_PORT:-6390}"
pg_dir="$data/postgres" pg_port="${SLUICE_PG_PORT:-5440}"

settings() {
  echo "REDIS=127.0.0.1:$redis_port"
  echo "PG=Host=127.0.0.1;Port=$pg_port;Username=sluice;Password=sluice;Database=sluice"
}

# --- Redis: daemonized, appending every write to its log file once a second ---

redis_pid() {
  local pid
  pid=$(cat "$redis_dir/redis.pid" 2>/dev/null) || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == redis-server ]] && echo "$pid"
}

start_redis() {
  if redis_pid >/dev/null; then
    echo "redis: already running"
    return
  fi
  mkdir -p "$redis_dir"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir" --appendonly yes --appendfsync everysec \
    --daemonize yes --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log"
  for _ in $(seq 100); do
    [[ $(redis-cli -p "$redis_port" ping 2>/dev/null) == PONG ]] && { echo "redis: started"; return; }
    sleep 0.1
  done
  echo "redis did not answer on port $redis_port within 10 s; its log ends with:" >&2
  tail -n 20 "$redis_dir/redis.log" >&2
  exit 1
}

stop_redis() {
  local pid
  if ! pid=$(redis_pid); then
    echo "redis: not running"
    return
  fi
  kill -TERM "$pid" # a clean shutdown: Redis writes what it holds and exits
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || { echo "redis: stopped"; return; }
    sleep 0.1
  done
  echo "redis (pid $pid) did not stop within 30 s of SIGTERM; see $redis_dir/redis.log" >&2
  exit 1
}

# --- PostgreSQL: refuses to run as root, so root runs it as the postgres user its package created ---

# The folder of pg_ctl and its siblings (psql among them), newest version first; empty when not installed.
pg_bin() {
  local pg_ctl
  pg_ctl=$(command -v pg_ctl || compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' | sort -V | tail -n 1 || true)
  [[ -n $pg_ctl ]] && dirname "$(readlink -f "$pg_ctl")"
  return 0
}

as_postgres_user() {
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

give_to_postgres_user() {
  if [[ $(id -u) == 0 ]]; then chown postgres: "$@"; fi
}

run_pg_ctl() { as_postgres_user "$(pg_bin)/pg_ctl" -D "$pg_dir/data" "$@"; }

pg_running() { [[ -f $pg_dir/data/PG_VERSION ]] && run_pg_ctl status >/dev/null 2>&1; }

sluice_psql() { PGPASSWORD=sluice "$(pg_bin)/psql" -h 127.0.0.1 -p "$pg_port" -U sluice -X -q -v ON_ERROR_STOP=1 "$@"; }

init_postgres() {
  mkdir -p "$pg_dir"
  give_to_postgres_user "$pg_dir"
  if ! as_postgres_user test -w "$pg_dir"; then
    echo "the postgres user cannot write $pg_dir: a folder above it is closed to other users" >&2
    exit 1
  fi
  # The superuser is sluice itself, with a password; only TCP on 127.0.0.1, no Unix socket to place anywhere.
  local password_file="$pg_dir/password"
  echo sluice >"$password_file"
  give_to_postgres_user "$password_file"
  as_postgres_user "$(pg_bin)/initdb" -D "$pg_dir/data" -U sluice --pwfile="$password_file" --auth=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$pg_dir/initdb.log"
  rm "$password_file"
  printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n" "$pg_port" \
    >>"$pg_dir/data/postgresql.conf"
}

start_postgres() {
  if pg_running; then
    echo "postgres: already running"
    return
  fi
  [[ -f $pg_dir/data/PG_VERSION ]] || init_postgres
  if ! run_pg_ctl -l "$pg_dir/postgres.log" -w -t 30 start >/dev/null; then
    echo "postgres did not start on port $pg_port; its log ends with:" >&2
    tail -n 20 "$pg_dir/postgres.log" >&2
    exit 1
  fi
  if [[ -z $(sluice_psql -d postgres -tAc "select 1 from pg_database where datname = 'sluice'") ]]; then
    sluice_psql -d postgres -c "create database sluice"
  fi
  echo "postgres: started"
}

stop_postgres() {
  if ! pg_running; then
    echo "postgres: not running"
    return
  fi
  run_pg_ctl -m fast -w stop >/dev/null
  echo "postgres: stopped"
}

case "${1:-}" in
  start)
    "$here/../scripts/install-services.sh" redis-server postgresql
    start_redis
    start_postgres
    settings
    ;;
  stop)
    stop_redis
    if [[ -n $(pg_bin) ]]; then stop_postgres; fi
    ;;
  status)
    if redis_pid >/dev/null; then echo "redis: running"; else echo "redis: not running"; fi
    if [[ -n $(pg_bin) ]] && pg_running; then echo "postgres: running"; else echo "postgres: not running"; fi
    settings
    ;;
  *)
    echo "usage: examples/services.sh start|stop|status" >&2
    exit 2
    ;;
esac
