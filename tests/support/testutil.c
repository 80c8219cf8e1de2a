#include "testutil.h"

#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <math.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

char *tu_fmt(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0, "out of memory");
	return s;
}

char *tu_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = tu_fmt("%s/otto-test-XXXXXX", base && *base ? base : "/tmp");
	cr_assert(mkdtemp(tmpl) != NULL, "mkdtemp: %s", strerror(errno));
	return tmpl;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void tu_rm_rf(const char *path)
{
	if (path)
		nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdir_parents(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
}

char *tu_write(const char *dir, const char *name, const char *content)
{
	char *path = tu_fmt("%s/%s", dir, name);
	mkdir_parents(path);
	FILE *f = fopen(path, "w");
	cr_assert(f != NULL, "cannot write %s: %s", path, strerror(errno));
	fputs(content, f);
	fclose(f);
	return path;
}

char *tu_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f != NULL, "cannot read %s: %s", path, strerror(errno));
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, mem);
	fclose(mem);
	fclose(f);
	return buf;
}

int tu_contains(const char *haystack, const char *needle)
{
	return haystack && needle && strstr(haystack, needle) != NULL;
}

typedef struct sink {
	char *buf;
	size_t len;
	FILE *mem;
	int fd;
} sink;

/* OTTO_TEST_WRAPPER (e.g. "valgrind -q --error-exitcode=99") runs every
 * program of this build under that command, so the CLI suites double as
 * the valgrind check of the real binaries. Programs from outside the build
 * (useradd, sh ...) run as they are. Returns a new argv or NULL. */
static bool is_wrapped(const char *const *argv)
{
	const char *wrapper = getenv("OTTO_TEST_WRAPPER");
	size_t build_len = strlen(OTTO_BUILD_DIR);
	return wrapper && *wrapper && strncmp(argv[0], OTTO_BUILD_DIR "/", build_len + 1) == 0;
}

static char **wrapped_argv(const char *const *argv)
{
	const char *wrapper = getenv("OTTO_TEST_WRAPPER");
	if (!is_wrapped(argv))
		return NULL;
	char *words = strdup(wrapper);
	size_t n_words = 0, n_args = 0;
	while (argv[n_args])
		n_args++;
	char **out = calloc(strlen(wrapper) + n_args + 2, sizeof *out);
	cr_assert(words && out);
	for (char *save = NULL, *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
		out[n_words++] = w;
	for (size_t i = 0; i <= n_args; i++)
		out[n_words + i] = (char *)argv[i];
	return out;
}

/* The scale, or 0 when OTTO_TEST_TIME_SCALE is not a number from 1 to 1000. */
static double time_scale(void)
{
	const char *scale = getenv("OTTO_TEST_TIME_SCALE");
	if (scale && *scale) {
		char *end;
		double k = strtod(scale, &end);
		return *end == '\0' && k >= 1 && k <= 1000 ? k : 0;
	}
	const char *wrapper = getenv("OTTO_TEST_WRAPPER");
	return wrapper && *wrapper ? 20 : 1;
}

double tu_time_scale(void)
{
	double k = time_scale();
	cr_assert(k > 0, "OTTO_TEST_TIME_SCALE='%s' is not a number from 1 to 1000", getenv("OTTO_TEST_TIME_SCALE"));
	return k;
}

int tu_scaled_seconds(int seconds)
{
	return (int)ceil(seconds * tu_time_scale());
}

/* libotto's own time limits that tests meet through an environment
 * variable, with the library's default in seconds: each is set to its
 * scaled default, unless already set, before any test runs, so that what
 * the tests start (otto, otto-conformance, libotto in process) inherits it
 * (an empty value counts as unset, as it does for libotto).
 * A test that sets one itself wants its own value (e.g. a short limit for
 * a plugin that hangs) and scales it with tu_scaled_seconds(). */
static const struct {
	const char *name;
	int default_s;
} scaled_limits[] = {
	{"OTTO_PLUGIN_SCAN_TIMEOUT", 10},
	{"OTTO_CALL_TIMEOUT", 30},
};

/* Before any test: scale every Criterion timeout (a test's own and its
 * suite's, which the runner reads when it starts each test) and export the
 * scaled limits. */
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
	double k = time_scale();
	if (k == 0) {
		fprintf(stderr, "OTTO_TEST_TIME_SCALE='%s' is not a number from 1 to 1000\n",
			getenv("OTTO_TEST_TIME_SCALE"));
		exit(2);
	}
	FOREACH_SET(struct criterion_suite_set *suite, set->suites)
	{
		if (suite->suite.data)
			suite->suite.data->timeout *= k;
		FOREACH_SET(struct criterion_test *test, suite->tests)
		{
			if (test->data)
				test->data->timeout *= k;
		}
	}
	for (size_t i = 0; i < sizeof scaled_limits / sizeof *scaled_limits; i++) {
		const char *set_already = getenv(scaled_limits[i].name);
		if (set_already && *set_already)
			continue;
		char value[32];
		snprintf(value, sizeof value, "%d", (int)ceil(scaled_limits[i].default_s * k));
		setenv(scaled_limits[i].name, value, 1);
	}
}

/* Valgrind's own lines ("==123== ..." and "--123-- WARNING: ..."): what it
 * found shows in the exit status (99), so the output the test checks is the
 * program's. */
static void drop_valgrind_lines(char *text)
{
	if (!text)
		return;
	char *w = text;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line + 1) : strlen(line);
		const char *p = line + 2;
		bool ours = (line[0] == '=' && line[1] == '=') || (line[0] == '-' && line[1] == '-');
		if (ours) {
			while (*p >= '0' && *p <= '9')
				p++;
			ours = p > line + 2 && p[0] == line[0] && p[1] == line[0];
		}
		if (!ours) {
			memmove(w, line, len);
			w += len;
		}
		line += len;
	}
	*w = '\0';
}

tu_result tu_run(const char *const *argv, const char *cwd, const char *const *env, int timeout_s)
{
	return tu_run_as(-1, -1, argv, cwd, env, timeout_s);
}

void tu_test_user(const char *name, int *uid, int *gid)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to create the user '%s'", name);
	if (!getpwnam(name)) {
		tu_result r = tu_run((const char *const[]){"/usr/sbin/useradd", "-M", "-r", "-s", "/usr/sbin/nologin",
							  name, NULL},
				     NULL, NULL, 60);
		/* Another test process may have created it in the meantime. */
		cr_assert(r.status == 0 || getpwnam(name), "useradd %s: %s", name, r.err);
		tu_result_free(&r);
	}
	struct passwd *pw = getpwnam(name);
	cr_assert(pw, "no user %s", name);
	*uid = (int)pw->pw_uid;
	*gid = (int)pw->pw_gid;
}

tu_result tu_run_as(int uid, int gid, const char *const *argv, const char *cwd, const char *const *env,
		    int timeout_s)
{
	int out_pipe[2], err_pipe[2];
	bool wrapped_run = is_wrapped(argv);
	cr_assert(pipe(out_pipe) == 0 && pipe(err_pipe) == 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(out_pipe[1], 1);
		dup2(err_pipe[1], 2);
		close(out_pipe[0]);
		close(out_pipe[1]);
		close(err_pipe[0]);
		close(err_pipe[1]);
		int devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			dup2(devnull, 0);
		if (uid >= 0 && (setgroups(0, NULL) != 0 || setgid((gid_t)gid) != 0 || setuid((uid_t)uid) != 0))
			_exit(125);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		for (size_t i = 0; env && env[i]; i++) {
			const char *eq = strchr(env[i], '=');
			if (!eq)
				continue;
			char *name = strndup(env[i], (size_t)(eq - env[i]));
			if (eq[1] == '\0')
				unsetenv(name);
			else
				setenv(name, eq + 1, 1);
			free(name);
		}
		char **wrapped = wrapped_argv(argv);
		if (wrapped)
			execvp(wrapped[0], wrapped);
		else
			execv(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", wrapped ? wrapped[0] : argv[0], strerror(errno));
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);
	sink s[2] = {{.fd = out_pipe[0]}, {.fd = err_pipe[0]}};
	for (int i = 0; i < 2; i++)
		s[i].mem = open_memstream(&s[i].buf, &s[i].len);
	time_t deadline = time(NULL) + tu_scaled_seconds(timeout_s > 0 ? timeout_s : 60);
	int open_fds = 2, killed = 0;
	while (open_fds > 0) {
		struct pollfd pfd[2];
		int n = 0;
		for (int i = 0; i < 2; i++)
			if (s[i].fd >= 0)
				pfd[n++] = (struct pollfd){.fd = s[i].fd, .events = POLLIN};
		int rc = poll(pfd, (nfds_t)n, 200);
		if (rc < 0 && errno != EINTR)
			break;
		for (int k = 0; k < n; k++) {
			if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			for (int i = 0; i < 2; i++) {
				if (s[i].fd != pfd[k].fd)
					continue;
				char chunk[4096];
				ssize_t got = read(s[i].fd, chunk, sizeof chunk);
				if (got > 0) {
					fwrite(chunk, 1, (size_t)got, s[i].mem);
				} else if (got == 0 || errno != EINTR) {
					close(s[i].fd);
					s[i].fd = -1;
					open_fds--;
				}
			}
		}
		if (!killed && time(NULL) > deadline) {
			kill(pid, SIGKILL);
			killed = 1;
		}
	}
	int wstatus = 0;
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	tu_result r;
	fclose(s[0].mem);
	fclose(s[1].mem);
	r.out = s[0].buf;
	r.err = s[1].buf;
	if (wrapped_run)
		drop_valgrind_lines(r.err);
	if (WIFEXITED(wstatus))
		r.status = WEXITSTATUS(wstatus);
	else if (WIFSIGNALED(wstatus))
		r.status = 128 + WTERMSIG(wstatus);
	else
		r.status = -1;
	return r;
}

void tu_result_free(tu_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}
