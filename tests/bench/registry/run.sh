#!/bin/sh
# Registry benchmark (issue 13). Usage:
#   tests/bench/registry/run.sh BUILD_DIR [WORK_DIR] [BEFORE_BUILD_DIR]
#
# For N = 1, 10, 100, 1000 plugins (docs/examples/tiny_lab.c under distinct
# names, one folder), in one run, median of $RUNS runs each (wall ms, and
# CPU ms of the command and its workers, which stays meaningful on a shared
# machine):
#   floor     bench_registry_floor: dlopen+dlsym+dlclose of every file in
#             one process
#   cold      otto plugins with OTTO_PLUGIN_CACHE=0 (every file inspected)
#   warm      otto lab list, cache warm (backend tiny0000 used)
#   nocache   otto lab list with OTTO_PLUGIN_CACHE=0
#   before    otto lab list of BEFORE_BUILD_DIR (a build without the cache),
#             when given
# then otto --version against a hello-world C binary. Ratios are printed;
# nothing is asserted (the machine may be shared): the goals of issue 13
# are warm(1000) <= 1.5 x warm(1), cold(1000) <= 2 x floor(1000),
# otto --version <= 1.5 x hello.
set -eu
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR [WORK_DIR] [BEFORE_BUILD_DIR]}" && pwd)
WORK=${2:-${TMPDIR:-/tmp}/otto-bench-registry}
BEFORE=${3:-}
RUNS=${RUNS:-7}
BIN=$BUILD/bin
OTTO=$BIN/otto
TIMEIT=$BIN/bench_registry_timeit
TEMPLATE=$BUILD/tests/bench/registry/tiny_template.so

rm -rf "$WORK"
mkdir -p "$WORK/project/.otto" "$WORK/xdg"
chmod 755 "$WORK" "$WORK/project"
cat > "$WORK/project/.otto/settings.toml" <<TOML
[lab]
backend = "tiny0000"
[lab.tiny0000]
ips = ["10.9.0.1"]
TOML
cd "$WORK/project"
export XDG_CACHE_HOME="$WORK/xdg"
unset OTTO_PLUGIN_CACHE || true

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
t() { "$TIMEIT" "$RUNS" "$@"; }

echo "N     floor(ms)  cold plugins(ms) cold/floor  warm lab list(ms)  no-cache lab list(ms)  before lab list(ms)   (wall; cpu in brackets)"
warm1=
for n in 1 10 100 1000; do
	dir="$WORK/plugins-$n"
	"$BIN/bench_registry_gen" "$TEMPLATE" "$dir" "$n"
	export OTTO_PLUGIN_PATH="$dir"
	set -- $(t "$BIN/bench_registry_floor" "$dir"); floor_w=$1 floor_c=$2
	set -- $(OTTO_PLUGIN_CACHE=0 t "$OTTO" plugins); cold_w=$1 cold_c=$2
	"$OTTO" lab list >/dev/null # warms the cache
	set -- $(t "$OTTO" lab list); warm_w=$1 warm_c=$2
	set -- $(OTTO_PLUGIN_CACHE=0 t "$OTTO" lab list); nc_w=$1 nc_c=$2
	before="-"
	if [ -n "$BEFORE" ]; then
		set -- $(t "$BEFORE/bin/otto" lab list); before="$1 [$2]"
	fi
	[ -n "$warm1" ] || warm1=$warm_w
	printf "%-5s %-10s %-16s %-10s %-18s %-22s %s\n" "$n" "$floor_w [$floor_c]" "$cold_w [$cold_c]" \
		"$(ratio "$cold_w" "$floor_w")" "$warm_w [$warm_c]" "$nc_w [$nc_c]" "$before"
	last_warm=$warm_w last_cold=$cold_w last_floor=$floor_w
done
unset OTTO_PLUGIN_PATH
set -- $(t "$OTTO" --version); ver=$1
set -- $(t "$BIN/bench_registry_hello"); hello=$1
echo
echo "warm otto lab list, 1000 plugins / 1 plugin:   $(ratio "$last_warm" "$warm1")  (goal <= 1.5)"
echo "cold otto plugins / dlopen floor, 1000 plugins: $(ratio "$last_cold" "$last_floor")  (goal <= 2)"
echo "otto --version / hello world:                   $(ratio "$ver" "$hello")  ($ver ms vs $hello ms; goal <= 1.5)"
