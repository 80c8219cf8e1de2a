#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

char *lt_folder(char **lock_dir)
{
	char *dir = tu_mkdtemp();
	*lock_dir = tu_fmt("%s/locks", dir);
	return dir;
}

pid_t lt_sleeper(void)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* a failed test must not leave it behind */
		for (;;)
			pause();
	}
	return pid;
}

void lt_kill(pid_t pid)
{
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

uint64_t lt_start_time(pid_t pid)
{
	char *path = tu_fmt("/proc/%ld/stat", (long)pid);
	char *stat = tu_read(path);
	char *p = strrchr(stat, ')');
	cr_assert(p);
	p += 2;
	for (int field = 3; field < 22; field++)
		p = strchr(p, ' ') + 1;
	uint64_t start = strtoull(p, NULL, 10);
	free(stat);
	free(path);
	return start;
}

char *lt_host(void)
{
	char buf[256];
	cr_assert(gethostname(buf, sizeof buf) == 0);
	return strdup(buf);
}

char *lt_boot_id(void)
{
	char *id = tu_read("/proc/sys/kernel/random/boot_id");
	id[strcspn(id, "\n")] = '\0';
	return id;
}

char *lt_record(const char *name, const char *user, long pid, uint64_t start, int64_t taken, int64_t expiry)
{
	char *host = lt_host(), *boot = lt_boot_id();
	char exp[32] = "none";
	if (expiry)
		snprintf(exp, sizeof exp, "%lld", (long long)expiry);
	char *text = tu_fmt("otto-lock 1\nkind=lock\nname=%s\nuser=%s\nuid=%ld\nhost=%s\npid=%ld\npid_start=%llu\n"
			    "boot_id=%s\ntaken=%lld\nexpiry=%s\ntoken=0123456789abcdef0123456789abcdef\nend\n",
			    name, user, (long)geteuid(), host, pid, (unsigned long long)start, boot, (long long)taken,
			    exp);
	free(host);
	free(boot);
	return text;
}

int64_t lt_clock(void *ctx)
{
	return *(int64_t *)ctx;
}

otto_lock_options lt_options(const char *dir, bool check_pid, int64_t *now)
{
	otto_lock_options o;
	otto_lock_options_init(&o);
	o.dir = dir;
	o.check_pid = check_pid;
	o.user = "alice";
	if (now) {
		o.clock = lt_clock;
		o.clock_ctx = now;
	}
	return o;
}

otto_lock_manager *lt_manager(const otto_lock_options *opts, pid_t holder_pid)
{
	otto_lock_options o = *opts;
	otto_lock_manager *m = NULL;
	otto_error err = {0};
	o.holder_pid = holder_pid;
	int rc = otto_lock_manager_new(&m, &o, &err);
	cr_assert(rc == OTTO_OK, "otto_lock_manager_new: %s", err.message);
	return m;
}

bool lt_contains_fmt(const char *text, const char *fmt, ...)
{
	va_list ap;
	char *needle = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&needle, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0, "vasprintf failed");
	bool found = tu_contains(text, needle);
	free(needle);
	return found;
}

void lt_write(const char *dir, const char *name, const char *content)
{
	free(tu_write(dir, name, content));
}
