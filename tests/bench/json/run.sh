#!/bin/sh
# json backend benchmark. Usage: tests/bench/json/run.sh BUILD_DIR [WORK_DIR]
#
# Times each command (CPU seconds, user + system, best of 3 runs; wall time
# is shown too but the machine may be shared) and prints it as a ratio to the floor
# measured in the same run: a bare yajl streaming pass (no-op callbacks)
# over the same file(s). Peak memory is the child's ru_maxrss over the size
# of the file it reads. Goal: time <= 2x floor, memory <= 3x file size.
# CPU includes the backend's worker process (its parent reaps it, so its
# time is in the parent's rusage).
#
# Then the cost of the worker: the same libotto work with the backend in
# its worker (the default, what otto does) and in the calling process
# (OTTO_ISOLATION_IN_PROCESS), as a ratio (goal <= 1.3x), for loading every
# lab of the 100,000-host file and for the reservation check against the
# 100,000-entry reservations.json.
set -eu
BUILD=$(cd "${1:?usage: run.sh BUILD_DIR [WORK_DIR]}" && pwd)
WORK=${2:-${TMPDIR:-/tmp}/otto-bench-json}
BIN=$BUILD/bin
OTTO=$BIN/otto
PLUGINS=$BUILD/lib/otto/plugins
FIXTURE=$(cd "$(dirname "$0")/../.." && pwd)/fixtures/upstream-lab-data/tech1/lab.json
RUNS=${RUNS:-3}

mkdir -p "$WORK/big/.otto" "$WORK/check/.otto"
[ -s "$WORK/lab.json" ] || "$BIN/bench_json_gen_lab" "$WORK/lab.json" 100000 1000
[ -s "$WORK/reservations.json" ] || "$BIN/bench_json_gen_reservations" "$WORK/reservations.json" 100000
cat > "$WORK/big/.otto/settings.toml" <<TOML
[lab]
backend = "json"
[lab.json]
paths = ["$WORK/lab.json"]
TOML
cat > "$WORK/check/.otto/settings.toml" <<TOML
[lab]
backend = "json"
[lab.json]
paths = ["$FIXTURE"]
[reservations]
backend = "json"
[reservations.json]
path = "$WORK/reservations.json"
TOML

# best DIR CMD...: "<cpu seconds> <maxrss KiB> <wall seconds>" of the fastest of $RUNS runs.
best() {
	dir=$1
	shift
	i=0
	out=""
	while [ $i -lt "$RUNS" ]; do
		line=$(cd "$dir" && "$BIN/bench_json_measure" "$@")
		out="$out$line
"
		i=$((i + 1))
	done
	printf '%s' "$out" | sort -n | head -n 1
}

size() { stat -c %s "$1"; }

report() { # name floor_line line bytes
	echo "$2 $3 $4" | awk -v name="$1" '{ printf "%-32s cpu %6.3f s (wall %6.3f)  floor %6.3f s  time %5.2fx  peak %6.1f MiB  memory %4.2fx file\n", name, $4, $6, $1, $4 / $1, $5 / 1024, $5 * 1024 / $7 }'
}

LAB_BYTES=$(size "$WORK/lab.json")
RES_BYTES=$(size "$WORK/reservations.json")
CHECK_BYTES=$((RES_BYTES + $(size "$FIXTURE")))
echo "lab.json: $LAB_BYTES bytes (100000 hosts, 1000 labs); reservations.json: $RES_BYTES bytes (100000 entries)"

FLOOR_LAB=$(best "$WORK" "$BIN/bench_json_floor" "$WORK/lab.json")
report "floor (yajl pass, lab.json)" "$FLOOR_LAB" "$FLOOR_LAB" "$LAB_BYTES"
report "otto lab show lab0042" "$FLOOR_LAB" "$(best "$WORK/big" "$OTTO" lab show lab0042)" "$LAB_BYTES"
report "load_lab of all 1000 labs" "$FLOOR_LAB" "$(best "$WORK" "$BIN/bench_json_load_all" "$PLUGINS" "$WORK/lab.json")" "$LAB_BYTES"
report "otto lab hosts (summaries)" "$FLOOR_LAB" "$(best "$WORK/big" "$OTTO" lab hosts)" "$LAB_BYTES"

FLOOR_RES=$(best "$WORK" "$BIN/bench_json_floor" "$FIXTURE" "$WORK/reservations.json")
report "floor (yajl pass, both files)" "$FLOOR_RES" "$FLOOR_RES" "$CHECK_BYTES"
report "otto reservation check" "$FLOOR_RES" "$(best "$WORK/check" "$OTTO" --as-user user7 reservation check --lab veggies)" "$CHECK_BYTES"

# ratio NAME IN_PROCESS_LINE WORKER_LINE: worker / in process, CPU and wall.
ratio() {
	echo "$2 $3" | awk -v name="$1" '{ printf "%-32s in process cpu %6.3f s (wall %6.3f)  worker cpu %6.3f s (wall %6.3f)  worker/in-process cpu %5.2fx wall %5.2fx\n", name, $1, $3, $4, $6, $4 / $1, $6 / $3 }'
}

echo
echo "the worker's cost (the same libotto calls, backend in its worker vs in this process):"
# best_pair DIR CMD...: runs CMD --in-process and CMD alternately $RUNS times
# each (so that a change in the machine's load hits both alike) and sets
# PAIR_IN and PAIR_WK to the fastest line of each.
best_pair() {
	dir=$1
	shift
	i=0
	ins=""
	wks=""
	while [ $i -lt "$RUNS" ]; do
		ins="$ins$(cd "$dir" && "$BIN/bench_json_measure" "$@" --in-process)
"
		wks="$wks$(cd "$dir" && "$BIN/bench_json_measure" "$@")
"
		i=$((i + 1))
	done
	PAIR_IN=$(printf '%s' "$ins" | sort -n | head -n 1)
	PAIR_WK=$(printf '%s' "$wks" | sort -n | head -n 1)
}
best_pair "$WORK" "$BIN/bench_json_load_all" "$PLUGINS" "$WORK/lab.json"
report "load_lab x1000, in process" "$FLOOR_LAB" "$PAIR_IN" "$LAB_BYTES"
report "load_lab x1000, worker" "$FLOOR_LAB" "$PAIR_WK" "$LAB_BYTES"
ratio "load_lab of all 1000 labs" "$PAIR_IN" "$PAIR_WK"
best_pair "$WORK" "$BIN/bench_json_check" "$PLUGINS" "$WORK/check/.otto/settings.toml" user7 veggies
report "reservation check, in process" "$FLOOR_RES" "$PAIR_IN" "$CHECK_BYTES"
report "reservation check, worker" "$FLOOR_RES" "$PAIR_WK" "$CHECK_BYTES"
ratio "reservation check" "$PAIR_IN" "$PAIR_WK"
