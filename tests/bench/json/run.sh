#!/bin/sh
# json backend benchmark. Usage: tests/bench/json/run.sh BUILD_DIR [WORK_DIR]
#
# Times each command (CPU seconds, user + system, best of 3 runs; wall time
# is shown too but the machine may be shared) and prints it as a ratio to the floor
# measured in the same run: a bare yajl streaming pass (no-op callbacks)
# over the same file(s). Peak memory is the child's ru_maxrss over the size
# of the file it reads. Goal: time <= 2x floor, memory <= 3x file size.
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
