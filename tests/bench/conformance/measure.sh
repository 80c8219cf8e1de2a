#!/bin/sh
# Time a full otto-conformance run against 1,000 labs of 100 hosts, with the
# child-process isolation and without it (--no-isolation), and print the
# ratio.   tests/bench/conformance/measure.sh BUILD_DIR [LABS] [HOSTS]
set -eu
build=${1:?usage: measure.sh BUILD_DIR [LABS] [HOSTS]}
labs=${2:-1000}
hosts=${3:-100}
bin="$build/bin/otto-conformance"
so="$build/tests/plugins/conformance_bench/benchlab.so"
run() {
	start=$(date +%s.%N)
	"$bin" "$so" --set labs="$labs" --set hosts_per_lab="$hosts" --format tap "$@" >/dev/null || {
		echo "otto-conformance failed: $*" >&2
		exit 1
	}
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}
# Best of three, each way.
best() {
	b=""
	for i in 1 2 3; do
		t=$(run "$@")
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
	done
	echo "$b"
}
isolated=$(best)
inproc=$(best --no-isolation)
echo "labs=$labs hosts_per_lab=$hosts"
echo "isolated:     ${isolated} s"
echo "no isolation: ${inproc} s"
echo "ratio:        $(echo "scale=3; $isolated / $inproc" | bc)"
