#!/bin/sh
# Run otto-conformance under valgrind against the whole broken-plugin corpus
# and the shipped example plugin. Fails (exit 1) on any valgrind error or
# leak (valgrind's exit 99) or on an exit code the runner may not give
# (anything but 0, 1, 2).
#   tests/conformance/valgrind.sh BUILD_DIR
set -u
build=${1:?usage: valgrind.sh BUILD_DIR}
bin="$build/bin/otto-conformance"
corpus="$build/tests/plugins/conformance"
log=$(mktemp -d "${TMPDIR:-/tmp}/otto-conformance-valgrind-XXXXXX")
# OTTO_TEST_TIME_SCALE, rounded up to a whole number (default 1).
scale=$(awk -v k="${OTTO_TEST_TIME_SCALE:-1}" 'BEGIN { s = int(k); if (s < k) s++; if (s < 1) s = 1; print s }')
status=0
count=0
for so in "$corpus"/*.so "$build/lib/otto/plugins/example.so"; do
	# Limits per plugin call, scaled like every limit in the tests
	# (tests/support/testutil.h): the hang cases hang whatever the limit.
	timeout=$((5 * scale))
	case "$so" in *hang*) timeout=2 ;; esac
	name=$(basename "$so" .so)
	# The runner's children are itself started again (traced); the scan's
	# otto-worker is libotto's, checked by the worker stage of .ci/test.
	NO_COLOR=1 valgrind -q --trace-children=yes --trace-children-skip='*/otto-worker' \
		--leak-check=full --error-exitcode=99 \
		--log-file="$log/$name.%p.log" \
		"$bin" "$so" --format tap --timeout "$timeout" >"$log/$name.tap" 2>"$log/$name.err"
	rc=$?
	count=$((count + 1))
	# A child's valgrind error shows up as its exit status 99 (reported as a
	# violation, so the runner's own exit code stays 0-3): look for it too.
	if grep -q "exit status 99" "$log/$name.tap" ||
		grep -Eq "Invalid (read|write|free)|uninitialised|definitely lost in|indirectly lost in|Mismatched free" \
			"$log/$name".*.log; then
		rc=99
	fi
	case $rc in
	0 | 1 | 2 | 3) ;;
	*)
		echo "FAIL $name: exit $rc (logs in $log)"
		cat "$log/$name".*.log
		status=1
		;;
	esac
done
if [ $status -eq 0 ]; then
	echo "valgrind: $count runs clean"
	rm -rf "$log"
fi
exit $status
