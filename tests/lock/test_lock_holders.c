/*
 * Who holds a lock (issue 9, cases 1-4), through the real otto:
 *  1. `otto lock acquire` whose parent already exited must not hand the
 *     lock to the reaper that adopted it (a subreaper, or PID 1);
 *  2. `otto lock run NAME -- CMD` killed with SIGKILL: the lock stays with
 *     CMD while it runs;
 *  3. release only by the recorded holder or with the token acquire printed;
 *  4. nobody takes a lock in someone else's name.
 */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SETTINGS                                                                                                      \
	"[lab]\nbackend = \"example\"\n\n[reservations]\nbackend = \"lock\"\n\n[locks]\ndir = \"locks\"\n"

static char *project, *locks;

static void setup(void)
{
	project = tu_mkdtemp();
	free(tu_write(project, ".otto/settings.toml", SETTINGS));
	locks = lt_shared_folder(project);
}

static void teardown(void)
{
	tu_rm_rf(project);
	free(project);
	free(locks);
}

/* Per test; scaled by the time scale of the run (tests/support/testutil.h). */
TestSuite(lock_holders, .init = setup, .fini = teardown, .timeout = 120);

static otto_lock_info get_lock(const char *name, int64_t *clock)
{
	otto_lock_options o = lt_options(locks, true, clock);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_lock_info info;
	otto_error err = {0};
	cr_assert_eq(otto_lock_manager_get(m, name, &info, &err), OTTO_OK, "%s", err.message);
	otto_lock_manager_free(m);
	return info;
}

/* ------------------------------------------------------------ case 1 -- */

/* Run otto with `argv` as an orphan: its parent exits before it starts, so
 * the nearest reaper adopts it. With `pid_ns`, that reaper is PID 1 of a new
 * PID namespace (with its own /proc); else a subreaper in a session of its
 * own, as systemd --user or a CI runner is. Output goes to out/err files of
 * the project; returns otto's exit status, or -1 when namespaces are not
 * allowed here. */
static int run_orphaned(bool pid_ns, const char *const *words)
{
	fflush(NULL);
	pid_t reaper = fork();
	cr_assert(reaper >= 0);
	if (reaper == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (pid_ns) {
			if (unshare(CLONE_NEWPID | CLONE_NEWNS) != 0)
				_exit(200);
			if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
				_exit(200);
			pid_t init = fork(); /* PID 1 of the new namespace */
			if (init != 0) {
				int st;
				waitpid(init, &st, 0);
				_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 201);
			}
			if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
				_exit(200);
		} else {
			setsid();
			prctl(PR_SET_CHILD_SUBREAPER, 1);
		}
		int gate[2];
		if (pipe(gate) != 0)
			_exit(202);
		pid_t middle = fork();
		if (middle == 0) {
			if (!pid_ns)
				setsid(); /* the shell's own session */
			pid_t middle_pid = getpid();
			if (fork() == 0) {
				char buf;
				close(gate[1]);
				/* Until the middle process (otto's real parent) is gone. */
				while (read(gate[0], &buf, 1) > 0)
					;
				/* Its descriptors close before it is reaped and its
				 * children adopted: wait for the adoption too, or otto
				 * may still see the dying middle process as its parent
				 * ("cannot read the start time of holder process 2"). */
				while (getppid() == middle_pid)
					usleep(1000);
				if (chdir(project) != 0)
					_exit(203);
				int out = open("out", O_WRONLY | O_CREAT | O_TRUNC, 0644);
				int err = open("err", O_WRONLY | O_CREAT | O_TRUNC, 0644);
				dup2(out, 1);
				dup2(err, 2);
				const char *argv[16] = {OTTO_BIN};
				for (size_t i = 0; words[i]; i++)
					argv[i + 1] = words[i];
				setenv("OTTO_PLUGIN_PATH", "", 1);
				execv(OTTO_BIN, (char *const *)argv);
				_exit(204);
			}
			_exit(0);
		}
		close(gate[0]);
		close(gate[1]);
		waitpid(middle, NULL, 0);
		/* Otto, adopted: reap it here. */
		int st = 0;
		while (waitpid(-1, &st, 0) < 0 && errno == EINTR)
			;
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 205);
	}
	int status;
	waitpid(reaper, &status, 0);
	cr_assert(WIFEXITED(status), "reaper status %d", status);
	return WEXITSTATUS(status) == 200 ? -1 : WEXITSTATUS(status);
}
#define ORPHANED(ns, ...) run_orphaned((ns), (const char *const[]){__VA_ARGS__, NULL})

static char *project_file(const char *name)
{
	char *path = tu_fmt("%s/%s", project, name);
	char *text = tu_read(path);
	free(path);
	return text;
}

Test(lock_holders, an_orphan_does_not_hand_its_lock_to_a_subreaper)
{
	int status = ORPHANED(false, "lock", "acquire", "board");
	char *err = project_file("err");
	cr_assert_eq(status, 1, "a lock held by the reaper would never be released: %s", err);
	cr_assert(tu_contains(err, "is outside otto's session: a process reaper that adopted otto"), "%s", err);
	cr_assert(tu_contains(err, "--expiry DURATION"), "says how to take a lock that outlives the shell: %s", err);
	free(err);
	otto_lock_info info = get_lock("board", NULL);
	cr_assert_eq(info.state, OTTO_LOCK_FREE, "nothing taken");
	otto_lock_info_clear(&info);

	/* With an expiry the lock is otto's own: held until it expires, not
	 * while the reaper lives; released early with the token it printed. */
	status = ORPHANED(false, "lock", "acquire", "board", "--expiry", "1h");
	char *out = project_file("out");
	err = project_file("err");
	cr_assert_eq(status, 0, "%s", err);
	cr_assert(tu_contains(out, "acquired board (until "), "%s", out);
	int64_t later = (int64_t)time(NULL) + 2 * 3600;
	info = get_lock("board", NULL);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	otto_lock_info_clear(&info);
	info = get_lock("board", &later);
	cr_assert_eq(info.state, OTTO_LOCK_EXPIRED, "after its expiry nobody keeps it alive");
	otto_lock_info_clear(&info);
	char *token = lt_token_in(out);
	tu_result r = LT_OTTO(NULL, project, "lock", "release", "board", "--token", token);
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	free(token);
	free(out);
	free(err);
}

Test(lock_holders, an_orphan_of_pid_1_is_refused)
{
	lt_need_root();
	int status = ORPHANED(true, "lock", "acquire", "board");
	if (status == -1)
		cr_skip_test("skipped: no PID namespaces here (needs CAP_SYS_ADMIN)");
	char *err = project_file("err");
	cr_assert_eq(status, 1, "%s", err);
	cr_assert(tu_contains(err, "otto's parent is process 1 ("), "%s", err);
	free(err);
	otto_lock_info info = get_lock("board", NULL);
	cr_assert_eq(info.state, OTTO_LOCK_FREE, "nothing taken");
	otto_lock_info_clear(&info);
}

/* ------------------------------------------------------------ case 2 -- */

static pid_t start_otto(const char *const *words)
{
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		const char *argv[24] = {OTTO_BIN};
		for (size_t i = 0; words[i]; i++)
			argv[i + 1] = words[i];
		if (chdir(project) != 0)
			_exit(99);
		setenv("OTTO_PLUGIN_PATH", "", 1);
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		execv(OTTO_BIN, (char *const *)argv);
		_exit(98);
	}
	return pid;
}
#define START_OTTO(...) start_otto((const char *const[]){__VA_ARGS__, NULL})

static long read_pid(const char *name)
{
	char *path = tu_fmt("%s/%s", project, name);
	lt_wait_file(path);
	char *text = NULL;
	/* The file exists once the shell created it, and is whole once "\n" is in. */
	for (;;) {
		text = tu_read(path);
		if (strchr(text, '\n'))
			break;
		free(text);
		usleep(2000);
	}
	long pid = strtol(text, NULL, 10);
	free(text);
	free(path);
	return pid;
}

Test(lock_holders, run_killed_leaves_the_lock_with_the_running_command)
{
	pid_t otto = START_OTTO("lock", "run", "board", "--", "sh", "-c",
				"echo $$ > cmd.pid.tmp; mv cmd.pid.tmp cmd.pid; exec sleep 60");
	long cmd = read_pid("cmd.pid");
	kill(otto, SIGKILL);
	waitpid(otto, NULL, 0);

	/* The command still drives the board: nobody else gets it. */
	tu_result r = LT_OTTO(NULL, project, "lock", "acquire", "board");
	cr_assert_eq(r.status, 1, "taken while the command runs: %s", r.out);
	cr_assert(lt_contains_fmt(r.err, "is held by %s on ", lt_me()), "%s", r.err);
	cr_assert(lt_contains_fmt(r.err, "(pid %ld)", cmd), "the command is the holder: %s", r.err);
	tu_result_free(&r);
	otto_lock_info info = get_lock("board", NULL);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	cr_assert_eq(info.pid, cmd);
	otto_lock_info_clear(&info);

	/* Once it is gone, the lock is stale and anybody's. */
	kill((pid_t)cmd, SIGKILL);
	lt_wait_exit((pid_t)cmd);
	r = LT_OTTO(NULL, project, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
}

Test(lock_holders, run_killed_before_its_command_starts_runs_nothing)
{
	/* The test holds the lock, so otto waits for it with its child ready. */
	otto_lock_options o = lt_options(locks, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_error err = {0};
	bool got = false;
	cr_assert_eq(otto_lock_manager_acquire(m, "board", 0, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	pid_t otto = START_OTTO("lock", "run", "board", "--wait", "1h", "--", "touch", "ran");
	char *children = tu_fmt("/proc/%ld/task/%ld/children", (long)otto, (long)otto);
	long child = 0;
	while (child == 0) {
		char *text = tu_read(children);
		child = strtol(text, NULL, 10);
		free(text);
		if (child == 0)
			usleep(2000);
	}
	kill(otto, SIGKILL);
	waitpid(otto, NULL, 0);
	lt_wait_exit((pid_t)child);
	otto_lock_manager_free(m); /* the lock is free now: nobody may run the command */
	char *ran = tu_fmt("%s/ran", project);
	cr_assert_neq(access(ran, F_OK), 0, "the command ran although otto never got the lock");
	free(ran);
	free(children);
}

/* ------------------------------------------------------------ case 3 -- */

Test(lock_holders, release_only_by_the_holder_or_with_the_token)
{
	/* Job A: a shell that takes the lock and stays. */
	fflush(NULL);
	pid_t job_a = fork();
	if (job_a == 0) {
		if (chdir(project) != 0)
			_exit(99);
		setenv("OTTO_PLUGIN_PATH", "", 1);
		execl("/bin/sh", "sh", "-c", "\"$0\" lock acquire board > acq.out 2>&1; echo $? > acq.done; exec sleep 60",
		      OTTO_BIN, (char *)NULL);
		_exit(98);
	}
	cr_assert_eq(read_pid("acq.done"), 0, "job A's acquire failed");
	char *out = project_file("acq.out");
	cr_assert(lt_contains_fmt(out, "held while pid %ld lives", (long)job_a), "%s", out);

	/* Job B, same account, another process: its stray release is refused. */
	tu_result r = LT_OTTO(NULL, project, "lock", "release", "board");
	cr_assert_eq(r.status, 1, "a stray release freed another job's lock");
	cr_assert(lt_contains_fmt(r.err, "lock 'board' is held by %s (pid %ld on ", lt_me(), (long)job_a), "%s", r.err);
	cr_assert(lt_contains_fmt(r.err, "not by this process (pid %ld)", (long)getpid()), "%s", r.err);
	cr_assert(tu_contains(r.err, "--token"), "%s", r.err);
	tu_result_free(&r);
	otto_lock_info info = get_lock("board", NULL);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	cr_assert_eq(info.pid, job_a);
	otto_lock_info_clear(&info);
	char *token = lt_token_in(out);

	/* The record holds the token's hash, never the token: reading the
	 * folder does not give anybody the power to release. */
	char *record = tu_fmt("%s/board.lock.1", locks);
	char *text = tu_read(record);
	cr_assert_not(tu_contains(text, token), "%s", text);
	cr_assert(tu_contains(text, "\ntoken_sha256="), "%s", text);
	free(text);
	free(record);

	r = LT_OTTO(NULL, project, "lock", "release", "board", "--token", LT_TOKEN);
	cr_assert_eq(r.status, 1, "another token is no token");
	tu_result_free(&r);
	r = LT_OTTO(NULL, project, "lock", "release", "board", "--token", token);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "released board\n");
	tu_result_free(&r);
	kill(job_a, SIGKILL);
	waitpid(job_a, NULL, 0);
	free(token);
	free(out);
}

/* ------------------------------------------------------------ case 4 -- */

Test(lock_holders, nobody_takes_a_lock_in_someone_elses_name)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	tu_result r = LT_OTTO(NULL, project, "--as-user", "otto-lk-a", "lock", "acquire", "board");
	cr_assert_eq(r.status, 2, "%s", r.out);
	cr_assert(lt_contains_fmt(r.err, "locks are recorded under the user who owns their files (%s); cannot take them as "
					 "'otto-lk-a'",
				  lt_me()),
		  "%s", r.err);
	tu_result_free(&r);
	otto_lock_info info = get_lock("board", NULL);
	cr_assert_eq(info.state, OTTO_LOCK_FREE, "nothing taken");
	otto_lock_info_clear(&info);

	/* LOGNAME says otto-lk-a: the record still says who owns it. */
	r = LT_OTTO(&b, project, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = LT_OTTO(&a, project, "reservation", "who", "board");
	cr_assert_str_eq(r.out, "otto-lk-b\n", "%s", r.err);
	tu_result_free(&r);

	/* A record written by hand in another's name is a forgery: corrupt. */
	char *text = lt_record("forged", "otto-lk-a", (long)getpid(), lt_start_time(getpid()), (int64_t)time(NULL), 0);
	char *forged = tu_fmt("%.*suid=%ld%s", (int)(strstr(text, "uid=") - text), text, (long)b.pw_uid,
			      strchr(strstr(text, "uid="), '\n'));
	char *file = tu_write(locks, "forged.lock.1", forged);
	cr_assert(chown(file, b.pw_uid, b.pw_gid) == 0);
	r = LT_OTTO(&a, project, "reservation", "who", "forged");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "it claims user 'otto-lk-a' but the file belongs to otto-lk-b (uid %ld)",
				  (long)b.pw_uid),
		  "%s", r.err);
	tu_result_free(&r);
	/* It can only ever be otto-lk-b's: otto-lk-a's own answer is unaffected. */
	r = LT_OTTO(&a, project, "reservation", "held");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_not(tu_contains(r.out, "forged"), "%s", r.out);
	tu_result_free(&r);
	free(file);
	free(forged);
	free(text);
}
