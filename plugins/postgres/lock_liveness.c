/*
 * Whether a lock's holder process is alive, from this machine's /proc, for
 * the postgres lock store (lock_store.c). Only an otto on the holder's own
 * host (same host name, same boot, same PID namespace) can tell: anywhere
 * else the answer is "unknown", and an unknown holder keeps its lock.
 */
#include "pg_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Field 22 of /proc/<pid>/stat (the start time in clock ticks); -1 when
 * the process is gone (or a zombie), -2 when /proc cannot tell. */
static int start_time_of(int64_t pid, uint64_t *start)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT || errno == ESRCH ? -1 : -2;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return n == 0 ? -1 : -2;
	buf[n] = '\0';
	/* The command name (field 2) may hold ')' and spaces: fields go on
	 * after the last ')'. Field 3 is the state. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return -2;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return -1;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -2;
		p++;
	}
	char *end;
	*start = strtoull(p, &end, 10);
	return end == p ? -2 : 0;
}

pg_liveness pg_holder_liveness(const pg_lock_row *row, const otto_lock_holder *here)
{
	if (!here || !here->host[0] || !here->boot_id[0] || !here->pidns[0])
		return PG_HOLDER_UNKNOWN;
	if (strcmp(row->host, here->host) != 0 || strcmp(row->boot_id, here->boot_id) != 0 ||
	    strcmp(row->pidns, here->pidns) != 0)
		return PG_HOLDER_UNKNOWN; /* another machine, boot or PID namespace */
	if (row->pid <= 0)
		return PG_HOLDER_UNKNOWN;
	uint64_t start = 0;
	int rc = start_time_of(row->pid, &start);
	if (rc == -1)
		return PG_HOLDER_DEAD;
	if (rc != 0)
		return PG_HOLDER_UNKNOWN;
	/* The PID was reused by another process: the holder is dead. */
	return start == row->pid_start ? PG_HOLDER_ALIVE : PG_HOLDER_DEAD;
}
