#!/usr/bin/env bash
# Benchmarks licensedesk against the physical limits of this machine and
# records the results table in docs/benchmarks.md (newest first).
#
#   bench/run.sh              default run (under ~10 minutes on 2 cores)
#   bench/run.sh --quick      under a minute (CI)
#   bench/run.sh --big        also the 1,000,000-user scenarios
#   bench/run.sh --pg         also PostgreSQL's raw commit rate (a throwaway server)
#   bench/run.sh --no-doc     print the table only, leave docs/benchmarks.md alone
# Any other option goes to ld-bench (bench/main.cpp; ld-bench --help), e.g.
# --seconds 20, --clients 64, --users 200000, --only limits,checkout.
#
# Environment:
#   LD_BINARY      the licensedesk binary to measure. When unset, the script
#                  builds the target licensedesk in LD_BUILD_DIR (default
#                  build/, configured like `make build` if needed) and uses it.
#   LD_BENCH_BUILD_DIR  where the benchmark programs are built (build-bench/)
#   JOBS           parallel build jobs (default: nproc)
#
# Servers listen on 127.0.0.1 only, on free ports, with databases in a
# temporary directory; everything started here is stopped on exit, also on
# failure or Ctrl-C. Exit status: 0, or ld-bench's (3: a scenario saw errors
# or a crash; the table is still written).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command_line="bench/run.sh${*:+ $*}"
jobs=${JOBS:-$(nproc)}
bench_build=${LD_BENCH_BUILD_DIR:-$root/build-bench}
build_dir=${LD_BUILD_DIR:-$root/build}

write_doc=1
start_pg=0
mode=default
args=()
for a in "$@"; do
  case "$a" in
    --no-doc) write_doc=0 ;;
    --pg) start_pg=1 ;;
    --quick) mode=quick; args+=("$a") ;;
    --big) mode=big; args+=("$a") ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) args+=("$a") ;;
  esac
done

# ---- build ----
if [ -z "${LD_BINARY:-}" ]; then
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
  fi
  cmake --build "$build_dir" --target licensedesk -j"$jobs" >&2
  LD_BINARY=$build_dir/licensedesk
fi
[ -x "$LD_BINARY" ] || { echo "bench/run.sh: no licensedesk binary at $LD_BINARY" >&2; exit 1; }
if [ ! -f "$bench_build/CMakeCache.txt" ]; then
  cmake -S "$root/bench" -B "$bench_build" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
cmake --build "$bench_build" -j"$jobs" >&2

# ---- run, and always clean up ----
work=$(mktemp -d "${TMPDIR:-/tmp}/ld-bench.XXXXXX")
pg_dir="${TMPDIR:-/tmp}/ld-bench-pg.$$"
bench_pid=""
cleanup() {
  local rc=$?
  if [ -n "$bench_pid" ] && kill -0 "$bench_pid" 2>/dev/null; then
    kill -TERM "$bench_pid" 2>/dev/null || true  # ld-bench kills its servers on SIGTERM
    wait "$bench_pid" 2>/dev/null || true
  fi
  if [ "$start_pg" = 1 ]; then bash "$root/scripts/pg-test-server.sh" stop "$pg_dir" || true; fi
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# A copy, so a rebuild while the benchmark runs cannot swap the binary.
cp "$LD_BINARY" "$work/licensedesk"
if [ "$start_pg" = 1 ]; then
  pg_url=$(bash "$root/scripts/pg-test-server.sh" start "$pg_dir")
  args+=(--pg-url "$pg_url")
fi

set +e
"$bench_build/ld-bench" --server "$work/licensedesk" --hello "$bench_build/ld-bench-hello" \
  --source-dir "$root" --work-dir "$work/run" --markdown "$work/table.md" \
  ${args[@]+"${args[@]}"} >/dev/null &
bench_pid=$!
wait "$bench_pid"
bench_rc=$?
bench_pid=""
set -e
[ -s "$work/table.md" ] || { echo "bench/run.sh: ld-bench produced no results (exit $bench_rc)" >&2; exit "${bench_rc/#0/1}"; }

# ---- the record ----
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
ram=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null)" ] ||
   [ -n "$(git -C "$root" ls-files --others --exclude-standard -- src 2>/dev/null)" ]; then
  rev="$rev with uncommitted changes"
fi
section="$work/section.md"
{
  echo "### $(date -u '+%Y-%m-%d %H:%M UTC') ($mode)"
  echo
  echo "- Machine: $(nproc) cores ($cpu), $ram RAM, Linux $(uname -r)"
  echo "- licensedesk: $rev"
  echo "- Command: \`$command_line\`"
  echo
  cat "$work/table.md"
  echo
} > "$section"
cat "$section"

if [ "$write_doc" = 1 ]; then
  doc=$root/docs/benchmarks.md
  marker='<!-- bench/run.sh inserts each run below this line, newest first -->'
  if [ ! -f "$doc" ] || ! grep -qF "$marker" "$doc"; then
    { [ -f "$doc" ] && cat "$doc"; echo; echo "$marker"; } > "$work/doc.new"
    cp "$work/doc.new" "$doc"
  fi
  awk -v marker="$marker" -v file="$section" '
    { print }
    $0 == marker { print ""; while ((getline line < file) > 0) print line }
  ' "$doc" > "$work/doc.new"
  cp "$work/doc.new" "$doc"
  echo "bench/run.sh: results added to docs/benchmarks.md" >&2
fi
exit "$bench_rc"
