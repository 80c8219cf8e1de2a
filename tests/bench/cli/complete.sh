#!/bin/sh
# Completion latency benchmark (issue 14). Usage:
#   tests/bench/cli/complete.sh BUILD_DIR [WORK_DIR]
#
# Completing a lab name (`otto __complete lab show ""`) with the example
# backend selected and 100 other plugins installed (docs/examples/tiny_lab.c
# under distinct names, from the registry benchmark), registry cache warm,
# against `otto --version` measured in the same run: median of $RUNS runs,
# wall ms and CPU ms (command and its workers). Three completions: the
# answer cache holding the answer (a TAB pressed again: no worker starts),
# the answer cache off (the backend's worker starts and answers: the first
# TAB), and both the answer and the registry cache off, for scale. Nothing
# is asserted (the machine may be shared): the goal of issue 14 is
# complete <= 2 x --version.
set -eu
BUILD=$(cd "${1:?usage: complete.sh BUILD_DIR [WORK_DIR]}" && pwd)
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WORK=${2:-${TMPDIR:-/tmp}/otto-bench-complete}
RUNS=${RUNS:-11}
BIN=$BUILD/bin
OTTO=${OTTO:-$BIN/otto} # OTTO=other/otto: compare two builds in the same conditions
TIMEIT=$BIN/bench_registry_timeit
[ -x "$TIMEIT" ] && [ -x "$BIN/bench_registry_gen" ] ||
	{ echo "build bench_registry_timeit and bench_registry_gen first" >&2; exit 2; }

rm -rf "$WORK"
mkdir -p "$WORK/xdg"
chmod 755 "$WORK"
cp -r "$ROOT/docs/demo" "$WORK/project"
cd "$WORK/project"
export XDG_CACHE_HOME="$WORK/xdg"
unset OTTO_PLUGIN_CACHE || true
"$BIN/bench_registry_gen" "$BUILD/tests/bench/registry/tiny_template.so" "$WORK/plugins" 100
export OTTO_PLUGIN_PATH="$WORK/plugins"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
echo "candidates: $(OTTO_COMPLETE_CACHE_TTL=3600 "$OTTO" __complete lab show "" | tr '\n' ' ')"
set -- $("$TIMEIT" "$RUNS" "$OTTO" --version); ver_w=$1 ver_c=$2
# The answer cache's time limit is made long here so that a slow machine
# measures answers kept, not answers expiring between runs.
set -- $(OTTO_COMPLETE_CACHE_TTL=3600 "$TIMEIT" "$RUNS" "$OTTO" __complete lab show ""); hit_w=$1 hit_c=$2
set -- $(OTTO_COMPLETE_CACHE_TTL=0 "$TIMEIT" "$RUNS" "$OTTO" __complete lab show ""); warm_w=$1 warm_c=$2
set -- $(OTTO_COMPLETE_CACHE_TTL=0 OTTO_PLUGIN_CACHE=0 "$TIMEIT" "$RUNS" "$OTTO" __complete lab show ""); cold_w=$1 cold_c=$2
echo "otto --version:                                     $ver_w ms [$ver_c ms CPU]"
echo "otto __complete lab show '' (answer kept):           $hit_w ms [$hit_c ms CPU]"
echo "otto __complete lab show '' (worker, registry warm): $warm_w ms [$warm_c ms CPU]"
echo "otto __complete lab show '' (both caches off):       $cold_w ms [$cold_c ms CPU]"
echo "complete / --version, 100 plugins, answer kept: $(ratio "$hit_w" "$ver_w") wall, $(ratio "$hit_c" "$ver_c") CPU  (goal <= 2)"
echo "complete / --version, 100 plugins, worker:      $(ratio "$warm_w" "$ver_w") wall, $(ratio "$warm_c" "$ver_c") CPU"
