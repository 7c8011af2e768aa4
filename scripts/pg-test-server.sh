#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server for the tests, listening on
# 127.0.0.1 only, on a free port, with its data in DIR.
#   pg-test-server.sh start DIR   -> prints postgresql://ld@127.0.0.1:PORT/postgres (also in DIR/url)
#   pg-test-server.sh stop DIR
#   pg-test-server.sh pause DIR    stops the server, keeping its data and port
#   pg-test-server.sh resume DIR   starts it again on the same port
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/postgres" ] || { echo "PostgreSQL server binaries not found (install the postgresql package)" >&2; exit 1; }

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Below the kernel's ephemeral range (32768 and up here), so that no client
# connection of a running test holds the port as its local end.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
  echo "no free port" >&2; exit 1
}

case "$cmd" in
  start)
    if [ -f "$dir/url" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
      cat "$dir/url"; exit 0
    fi
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -A trust -U ld -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
    # A port free when probed can be taken before the server binds it (by
    # another test's server): try another, a few times, then show the log.
    started=0
    for _ in 1 2 3 4 5; do
      port=$(free_port)
      if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=128MB" \
        start >/dev/null; then
        started=1; break
      fi
    done
    if [ "$started" != 1 ]; then tail -20 "$dir/log" >&2; exit 1; fi
    echo "postgresql://ld@127.0.0.1:$port/postgres" > "$dir/url"
    cat "$dir/url"
    ;;
  pause)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    port=$(sed -E 's/.*:([0-9]+)\/.*/\1/' "$dir/url")
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=128MB" \
      start >/dev/null
    ;;
  stop)
    if [ -d "$dir/data" ]; then as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start|stop|pause|resume DIR" >&2; exit 2 ;;
esac
