#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
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

const char *lt_me(void)
{
	static char name[64];
	struct passwd *pw = getpwuid(geteuid());
	cr_assert(pw, "no passwd entry for uid %ld", (long)geteuid());
	snprintf(name, sizeof name, "%s", pw->pw_name);
	return name;
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

char *lt_pidns(void)
{
	char link[64];
	ssize_t n = readlink("/proc/self/ns/pid", link, sizeof link - 1);
	cr_assert(n > 0, "readlink /proc/self/ns/pid: %s", strerror(errno));
	link[n] = '\0';
	char *open = strchr(link, '[');
	cr_assert(open);
	open[strcspn(open, "]")] = '\0';
	return strdup(open + 1);
}

char *lt_record(const char *name, const char *user, long pid, uint64_t start, int64_t taken, int64_t expiry)
{
	char *host = lt_host(), *boot = lt_boot_id();
	char exp[32] = "none";
	if (expiry)
		snprintf(exp, sizeof exp, "%lld", (long long)expiry);
	char *ns = lt_pidns();
	char *text = tu_fmt("otto-lock 2\nkind=lock\nname=%s\nuser=%s\nuid=%ld\nhost=%s\npid=%ld\npid_start=%llu\n"
			    "boot_id=%s\npidns=%s\ntaken=%lld\nexpiry=%s\ntoken_sha256=%s\nend\n",
			    name, user, (long)geteuid(), host, pid, (unsigned long long)start, boot, ns, (long long)taken,
			    exp, LT_TOKEN_SHA256);
	free(ns);
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

struct passwd lt_user(const char *name)
{
	int uid, gid;
	tu_test_user(name, &uid, &gid);
	/* A name that stays valid (getpwnam's is overwritten by the next call). */
	static char names[8][64];
	static size_t used;
	size_t slot = 0;
	while (slot < used && strcmp(names[slot], name) != 0)
		slot++;
	cr_assert(slot < 8, "too many test users");
	if (slot == used)
		snprintf(names[used++], sizeof names[0], "%s", name);
	struct passwd pw = {.pw_name = names[slot], .pw_uid = (uid_t)uid, .pw_gid = (gid_t)gid};
	return pw;
}

void lt_need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("skipped: creating real users needs root");
}

char *lt_shared_folder(const char *root)
{
	char *dir = tu_fmt("%s/locks", root);
	cr_assert(chmod(root, 0755) == 0);
	cr_assert(mkdir(dir, 0700) == 0, "mkdir %s: %s", dir, strerror(errno));
	cr_assert(chmod(dir, 01777) == 0);
	return dir;
}

tu_result lt_otto(const struct passwd *pw, const char *cwd, const char *const *words)
{
	const char *argv[40] = {OTTO_BIN};
	size_t n = 1;
	for (; words[n - 1] && n < 39; n++)
		argv[n] = words[n - 1];
	argv[n] = NULL;
	char *logname = tu_fmt("LOGNAME=%s", pw ? pw->pw_name : lt_me());
	const char *env[] = {logname, "OTTO_PLUGIN_PATH=", "USER=", NULL};
	tu_result r = pw ? tu_run_as(pw->pw_uid, pw->pw_gid, argv, cwd, env, 30) : tu_run(argv, cwd, env, 30);
	free(logname);
	return r;
}

void lt_wait_exit(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (fd < 0) {
		cr_assert(errno == ESRCH, "pidfd_open %ld: %s", (long)pid, strerror(errno));
		return; /* already gone */
	}
	struct pollfd p = {.fd = fd, .events = POLLIN};
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	close(fd);
}

void lt_wait_file(const char *path)
{
	while (access(path, F_OK) != 0)
		usleep(5000);
}

char *lt_token_in(const char *text)
{
	const char *p = strstr(text, "release token ");
	cr_assert(p, "no release token in: %s", text);
	p += strlen("release token ");
	cr_assert_eq(strspn(p, "0123456789abcdef"), 32, "bad token in: %s", text);
	return strndup(p, 32);
}
