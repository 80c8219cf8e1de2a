#!/bin/sh
# libotto's exported symbols, core/libotto.sym and the OTTO_API definitions
# in core/src must name the same functions, every export carrying a version
# node and no otto__ internal among them. Says which list to fix.
#   check_symbols.sh LIBOTTO CORE_DIR
set -u
lib=${1:?usage: check_symbols.sh LIBOTTO CORE_DIR}
core=${2:?usage: check_symbols.sh LIBOTTO CORE_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/otto-symbols-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

sed -n 's/^[[:space:]]*\(otto_[a-z0-9_]*\);$/\1/p' "$core/libotto.sym" | sort >"$tmp/listed"
grep -rhoE '^OTTO_API [^(]*[^a-z0-9_]otto_[a-z0-9_]+\(' "$core/src" |
	sed -E 's/.*[^a-z0-9_](otto_[a-z0-9_]+)\($/\1/' | sort -u >"$tmp/api"
nm -D --defined-only "$lib" | awk '{print $3}' | grep -v '^OTTO_[0-9.]*$' >"$tmp/dynamic"
sed 's/@.*//' "$tmp/dynamic" | sort >"$tmp/exported"

if [ ! -s "$tmp/listed" ] || [ ! -s "$tmp/exported" ]; then
	echo "FAIL: no symbols read from $core/libotto.sym or $lib"
	exit 1
fi
unversioned=$(grep -v '@@OTTO_[0-9]' "$tmp/dynamic")
if [ -n "$unversioned" ]; then
	echo "FAIL: exported without a version node: $unversioned"
	status=1
fi
internal=$(grep '^otto__' "$tmp/exported")
if [ -n "$internal" ]; then
	echo "FAIL: otto__ internals exported (tests reach them through otto_internal): $internal"
	status=1
fi
missing=$(comm -23 "$tmp/api" "$tmp/listed")
if [ -n "$missing" ]; then
	echo "FAIL: OTTO_API functions missing from core/libotto.sym (add them to the node of this release): $missing"
	status=1
fi
stale=$(comm -13 "$tmp/api" "$tmp/listed")
if [ -n "$stale" ]; then
	echo "FAIL: core/libotto.sym lists functions no OTTO_API definition provides: $stale"
	status=1
fi
unexpected=$(comm -13 "$tmp/listed" "$tmp/exported")
if [ -n "$unexpected" ]; then
	echo "FAIL: $lib exports symbols core/libotto.sym does not list: $unexpected"
	status=1
fi
[ $status -eq 0 ] && echo "libotto exports $(wc -l <"$tmp/exported") symbols, all in core/libotto.sym"
exit $status
