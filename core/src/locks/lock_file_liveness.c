/*
 * Is a lock's holder still alive? Same host, same boot, and a process with
 * the recorded PID whose start time (clock ticks since boot) is the
 * recorded one: a PID reused by another process after the holder died has a
 * different start time, and after a reboot the boot id differs.
 */
#include "locks/lock_file.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int otto__proc_start_time(int64_t pid, uint64_t *start)
{
	char path[64], stat[1024], *p, *end;
	int field;

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	if (read_small(path, stat, sizeof stat) <= 0)
		return -1;
	/* The command name (field 2) may hold spaces and ')': fields restart
	 * after the last ')'. Field 3 is the state, field 22 the start time. */
	p = strrchr(stat, ')');
	if (!p || p[1] != ' ')
		return -1;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return -1;
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	*start = strtoull(p, &end, 10);
	return end == p ? -1 : 0;
}

void otto__boot_id(char *buf, size_t size)
{
	char id[64];
	buf[0] = '\0';
	if (read_small("/proc/sys/kernel/random/boot_id", id, sizeof id) > 0) {
		id[strcspn(id, "\n")] = '\0';
		snprintf(buf, size, "%s", id);
	}
}

void otto__host_name(char *buf, size_t size)
{
	if (gethostname(buf, size) != 0 || !buf[0])
		snprintf(buf, size, "localhost");
	buf[size - 1] = '\0';
}

bool otto__lockrec_holder_alive(const otto__lockrec *rec, const otto__lock_eval *ev)
{
	uint64_t start;
	if (strcmp(rec->host, ev->host) != 0)
		return true;
	if (rec->boot_id[0] && ev->boot_id[0] && strcmp(rec->boot_id, ev->boot_id) != 0)
		return false;
	return otto__proc_start_time(rec->pid, &start) == 0 && start == rec->pid_start;
}

int otto__lockrec_state(const otto__lockrec *rec, const otto__lock_eval *ev)
{
	bool unexpired;
	if (rec->kind == OTTO__LOCKREC_RELEASED)
		return OTTO__LOCK_FREE;
	unexpired = rec->expiry == 0 || ev->now < rec->expiry;
	if (!ev->check_pid)
		return unexpired ? OTTO__LOCK_HELD : OTTO__LOCK_EXPIRED;
	if (rec->expiry != 0 && unexpired)
		return OTTO__LOCK_HELD;
	if (otto__lockrec_holder_alive(rec, ev))
		return OTTO__LOCK_HELD;
	return rec->expiry == 0 ? OTTO__LOCK_STALE : OTTO__LOCK_EXPIRED;
}
