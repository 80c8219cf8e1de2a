#!/usr/bin/env bash
# A real PostgreSQL 15 server for the tests (docs/testing.md, "PostgreSQL"):
# initdb into a fresh folder under $TMPDIR (or /tmp), run by a non-root
# system user, listening on a Unix socket in that folder only (no TCP), with
# peer authentication: an OS user connects as the role of the same name,
# and root also as the superuser and as the schema owner otto_dba.
#
#   pgserver.sh start STATE     initdb, start, create the database `otto`
#                               and the role otto_dba (its owner); write
#                               STATE, a shell file of OTTO_PG_* variables
#   pgserver.sh stop STATE      pg_ctl stop -m fast, remove the folder and STATE
#   pgserver.sh halt STATE      pg_ctl stop -m fast, keep everything (start again with `resume`)
#   pgserver.sh resume STATE    pg_ctl start again after `halt`
#   pgserver.sh restart STATE   pg_ctl restart -m fast
#
# Run as root (CTest's FIXTURES_SETUP/CLEANUP pair in tests/postgres, and
# tests/support/pgtest.c for tests that need a server of their own). The
# socket path stays short (/tmp/otto-pg-XXXXXX/.s.PGSQL.5432): Unix socket
# paths are limited to 107 bytes.
set -euo pipefail
bin=${OTTO_PG_BIN:-/usr/lib/postgresql/15/bin}
os_user=otto-pg
superuser=otto_pgsuper

die() { echo "pgserver: $*" >&2; exit 1; }
[ $# -eq 2 ] || die "usage: pgserver.sh start|stop|halt|resume|restart STATE"
action=$1
state=$2
[ "$(id -u)" -eq 0 ] || die "run as root (the server runs as the system user $os_user)"
[ -x "$bin/initdb" ] || die "no $bin/initdb: install postgresql (.ci/install-deps)"

as_pg() { (cd / && runuser -u "$os_user" -- "$@"); }

pg_ctl_do() {
	# pg_ctl -w waits for the server; its log goes to the folder's server.log.
	as_pg "$bin/pg_ctl" -D "$OTTO_PG_DIR/data" -l "$OTTO_PG_DIR/server.log" -w -t 60 "$@" >/dev/null ||
		{ tail -n 30 "$OTTO_PG_DIR/server.log" >&2 || true; die "pg_ctl $* failed (log: $OTTO_PG_DIR/server.log)"; }
}

if [ "$action" = start ]; then
	if ! getent passwd "$os_user" >/dev/null; then
		# Another engineer's fixture may create it at the same moment.
		useradd -M -r -s /usr/sbin/nologin "$os_user" 2>/dev/null || getent passwd "$os_user" >/dev/null ||
			die "useradd $os_user failed"
	fi
	dir=$(mktemp -d "${TMPDIR:-/tmp}/otto-pg-XXXXXX")
	chmod 0755 "$dir" # every test user reaches the socket
	chown "$os_user:" "$dir"
	as_pg "$bin/initdb" -D "$dir/data" -U "$superuser" --auth=peer -E UTF8 --locale=C.UTF-8 --no-sync \
		>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
	cat >>"$dir/data/postgresql.conf" <<EOF
# tests/support/pgserver.sh: a Unix socket in the test folder, no TCP.
listen_addresses = ''
unix_socket_directories = '$dir'
unix_socket_permissions = 0777
port = 5432
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
log_min_messages = warning
log_connections = off
EOF
	cat >"$dir/data/pg_hba.conf" <<EOF
# tests/support/pgserver.sh: peer authentication on the socket, nothing else.
local all all peer map=otto
EOF
	# The map: root may be the superuser and the schema owner; every
	# other OS user is the role of its own name (a test user created with
	# useradd and a role created by pgtest.c).
	cat >"$dir/data/pg_ident.conf" <<EOF
otto root $superuser
otto $os_user $superuser
otto root otto_dba
otto /^(.*)\$ \1
EOF
	chown "$os_user:" "$dir/data/postgresql.conf" "$dir/data/pg_hba.conf" "$dir/data/pg_ident.conf"
	OTTO_PG_DIR=$dir
	pg_ctl_do start
	psql_super() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -U "$superuser" "$@"; }
	psql_super -d postgres -c "CREATE ROLE otto_dba LOGIN CREATEROLE" -c "CREATE DATABASE otto OWNER otto_dba" >/dev/null
	{
		echo "# written by tests/support/pgserver.sh start"
		echo "OTTO_PG_DIR=$dir"
		echo "OTTO_PG_SOCKET=$dir"
		echo "OTTO_PG_PORT=5432"
		echo "OTTO_PG_DATABASE=otto"
		echo "OTTO_PG_SUPERUSER=$superuser"
		echo "OTTO_PG_OWNER=otto_dba"
		echo "OTTO_PG_OS_USER=$os_user"
		echo "OTTO_PG_BIN=$bin"
	} >"$state.tmp"
	mv "$state.tmp" "$state"
	echo "pgserver: started in $dir (socket $dir/.s.PGSQL.5432)"
	exit 0
fi

[ -f "$state" ] || die "no state file $state (was the server started?)"
# shellcheck disable=SC1090
. "$state"
case "$action" in
stop)
	if [ -f "$OTTO_PG_DIR/data/postmaster.pid" ]; then pg_ctl_do stop -m fast; fi
	rm -rf "$OTTO_PG_DIR" "$state"
	;;
halt) pg_ctl_do stop -m fast ;;
resume) pg_ctl_do start ;;
restart) pg_ctl_do restart -m fast ;;
*) die "unknown action '$action'" ;;
esac
