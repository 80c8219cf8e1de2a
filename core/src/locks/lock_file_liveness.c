/*
 * Is a lock's holder still alive? Same host, same boot, same PID namespace,
 * and a process with the recorded PID whose start time (clock ticks since
 * boot) is the recorded one: a PID reused by another process after the
 * holder died has a different start time, and after a reboot the boot id
 * differs.
 *
 * Death must be shown, never assumed: when this process cannot see the
 * holder's PID namespace (another host, another namespace, a /proc mounted
 * for another namespace) or /proc hides the holder (hidepid), liveness is
 * unknown and the lock counts as held. A lock that cannot be taken over is a
 * nuisance; a lock taken over from a live holder puts two people on one
 * board.
 */
#include "locks/lock_file.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

static ssize_t read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	int e = errno;
	close(fd);
	if (n < 0)
		return -e;
	buf[n] = '\0';
	return n;
}

int otto__proc_start_time(int64_t pid, uint64_t *start)
{
	char path[64], stat[1024], *p, *end;
	ssize_t n;
	int field;

	*start = 0;
	if (pid <= 0)
		return -ESRCH;
	snprintf(path, sizeof path, "/proc/%lld/stat", (long long)pid);
	n = read_small(path, stat, sizeof stat);
	if (n < 0)
		return (int)n;
	/* The command name (field 2) may hold spaces and ')': fields restart
	 * after the last ')'. Field 3 is the state, field 22 the start time. */
	p = strrchr(stat, ')');
	if (!p || p[1] != ' ')
		return -EIO;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return -ESRCH; /* exited, not yet reaped: its work is over */
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -EIO;
		p++;
	}
	*start = strtoull(p, &end, 10);
	return end == p ? -EIO : 0;
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

void otto__pidns(char *buf, size_t size)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/pid", link, sizeof link - 1);
	buf[0] = '\0';
	if (n <= 0)
		return;
	link[n] = '\0';
	/* "pid:[4026531836]" */
	char *open = strchr(link, '['), *close_ = strchr(link, ']');
	if (!open || !close_ || close_ <= open + 1)
		return;
	*close_ = '\0';
	if (strspn(open + 1, "0123456789") == strlen(open + 1))
		snprintf(buf, size, "%s", open + 1);
}

bool otto__proc_is_ours(void)
{
	char link[32];
	ssize_t n = readlink("/proc/self", link, sizeof link - 1);
	if (n <= 0)
		return false;
	link[n] = '\0';
	return strtoll(link, NULL, 10) == (long long)getpid();
}

void otto__lock_here_read(otto__lock_here *here)
{
	otto__host_name(here->host, sizeof here->host);
	otto__boot_id(here->boot_id, sizeof here->boot_id);
	otto__pidns(here->pidns, sizeof here->pidns);
	here->proc_ours = otto__proc_is_ours();
}

otto__lock_eval otto__lock_eval_of(const otto__lock_here *here, bool check_pid, int64_t now)
{
	otto__lock_eval ev = {check_pid, now, here->host, here->boot_id, here->pidns, here->proc_ours};
	return ev;
}

otto__liveness otto__lockrec_liveness(const otto__lockrec *rec, const otto__lock_eval *ev)
{
	uint64_t start;
	if (strcmp(rec->host, ev->host) != 0)
		return OTTO__HOLDER_UNKNOWN;
	if (!rec->boot_id[0] || !ev->boot_id[0])
		return OTTO__HOLDER_UNKNOWN;
	if (strcmp(rec->boot_id, ev->boot_id) != 0)
		return OTTO__HOLDER_DEAD; /* same host, rebooted since */
	if (!rec->pidns[0] || !ev->pidns[0] || strcmp(rec->pidns, ev->pidns) != 0 || !ev->proc_ours)
		return OTTO__HOLDER_UNKNOWN;
	int rc = otto__proc_start_time(rec->pid, &start);
	if (rc == 0)
		return start == rec->pid_start ? OTTO__HOLDER_ALIVE : OTTO__HOLDER_DEAD;
	if (rc == -ESRCH)
		return OTTO__HOLDER_DEAD;
	if (rc == -ENOENT) {
		/* Gone, or hidden by hidepid: kill(2) does not look at /proc. */
		if (kill((pid_t)rec->pid, 0) != 0 && errno == ESRCH)
			return OTTO__HOLDER_DEAD;
		return OTTO__HOLDER_UNKNOWN;
	}
	return OTTO__HOLDER_UNKNOWN;
}

otto_lock_state otto__lockrec_state(const otto__lockrec *rec, const otto__lock_eval *ev)
{
	bool unexpired;
	if (rec->kind == OTTO__LOCKREC_RELEASED)
		return OTTO_LOCK_FREE;
	unexpired = rec->expiry == 0 || ev->now < rec->expiry;
	if (!ev->check_pid)
		return unexpired ? OTTO_LOCK_HELD : OTTO_LOCK_EXPIRED;
	if (rec->expiry != 0 && unexpired)
		return OTTO_LOCK_HELD;
	if (otto__lockrec_liveness(rec, ev) != OTTO__HOLDER_DEAD)
		return OTTO_LOCK_HELD;
	return rec->expiry == 0 ? OTTO_LOCK_STALE : OTTO_LOCK_EXPIRED;
}
