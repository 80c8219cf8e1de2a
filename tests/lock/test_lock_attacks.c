/*
 * A hostile neighbour and the lock folder (issue 9, cases 5, 6, 8, 10),
 * through the real otto and the real lock.so, with real users:
 *  5. generations that would overflow;
 *  6. FIFOs, symbolic links and foreign flock(2)s where guards and records
 *     belong: never a hang, every wait within --wait's deadline;
 *  8. a lock folder another user owns, or reached through their link;
 * 10. temporary files of dead writers.
 */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
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
TestSuite(lock_attacks, .init = setup, .fini = teardown, .timeout = 120);

#define OTTO(pw, ...) LT_OTTO((pw), project, __VA_ARGS__)

/* A record of a holder that is dead (a child that was started and reaped). */
static char *dead_record(const char *name, const char *user)
{
	pid_t pid = lt_sleeper();
	uint64_t start = lt_start_time(pid);
	lt_kill(pid);
	return lt_record(name, user, (long)pid, start, (int64_t)time(NULL) - 10, 0);
}

static void write_as(const struct passwd *pw, const char *file, const char *content)
{
	char *path = tu_write(locks, file, content);
	if (pw)
		cr_assert(chown(path, pw->pw_uid, pw->pw_gid) == 0, "%s", strerror(errno));
	free(path);
}

static bool exists(const char *file)
{
	char *path = tu_fmt("%s/%s", locks, file);
	bool yes = access(path, F_OK) == 0;
	free(path);
	return yes;
}

/* ------------------------------------------------------------ case 5 -- */

Test(lock_attacks, a_generation_past_the_last_is_not_one)
{
	char *text = dead_record("board", lt_me());
	write_as(NULL, "board.lock.18446744073709551615", text);
	free(text);
	tu_result r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	/* Really held, by us, as every reader sees it. */
	r = OTTO(NULL, "lock", "list");
	cr_assert(lt_contains_fmt(r.out, " %ld ", (long)getpid()), "%s", r.out);
	cr_assert(tu_contains(r.out, " held\n"), "%s", r.out);
	tu_result_free(&r);
	cr_assert(exists("board.lock.1"));
	cr_assert_not(exists("board.lock.0"), "no generation wrapped around to 0");
	r = OTTO(NULL, "reservation", "who", "board");
	cr_assert(lt_contains_fmt(r.out, "%s\n", lt_me()), "%s %s", r.out, r.err);
	tu_result_free(&r);
	r = OTTO(NULL, "lock", "release", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "the name still works: %s", r.err);
	tu_result_free(&r);
}

Test(lock_attacks, the_last_generation_is_refused_clearly_and_root_clears_it)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	char *text = dead_record("board", "otto-lk-a");
	char *owned = tu_fmt("%.*suid=%ld%s", (int)(strstr(text, "uid=") - text), text, (long)a.pw_uid,
			     strchr(strstr(text, "uid="), '\n'));
	write_as(&a, "board.lock.4611686018427387904", owned);
	tu_result r = OTTO(&b, "lock", "acquire", "board");
	cr_assert_eq(r.status, 1, "no success while nobody holds it: %s", r.out);
	cr_assert(tu_contains(r.err, "lock 'board' is at its last generation"), "%s", r.err);
	cr_assert(tu_contains(r.err, "root, otto-lk-a or the folder's owner can clear it with 'otto lock release --force "
				     "board'"),
		  "%s", r.err);
	tu_result_free(&r);
	r = OTTO(&b, "lock", "list");
	cr_assert(tu_contains(r.out, " stale\n"), "nothing changed: %s", r.out);
	tu_result_free(&r);

	r = OTTO(NULL, "lock", "release", "--force", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "released board by force: it is stale by otto-lk-a"), "%s", r.out);
	tu_result_free(&r);
	r = OTTO(&b, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	free(owned);
	free(text);
}

/* ------------------------------------------------------------ case 6 -- */

static void assert_corrupt_guard(const struct passwd *pw, const char *what)
{
	tu_result r = OTTO(pw, "lock", "acquire", "board", "--wait", "2s");
	cr_assert_eq(r.status, 1, "%s", r.err);
	cr_assert(lt_contains_fmt(r.err, "lock 'board' is corrupt (%s/board.guard: its guard is %s, not a regular file)",
				  locks, what),
		  "%s", r.err);
	cr_assert(tu_contains(r.err, "only 'otto lock release --force board' replaces it"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO(pw, "lock", "release", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "its guard is %s", what), "%s", r.err);
	tu_result_free(&r);
	r = OTTO(pw, "lock", "list");
	cr_assert(tu_contains(r.out, "board ") && tu_contains(r.out, " corrupt\n"), "%s", r.out);
	tu_result_free(&r);
}

Test(lock_attacks, a_fifo_guard_is_corrupt_and_force_clears_it)
{
	char *guard = tu_fmt("%s/board.guard", locks);
	cr_assert(mkfifo(guard, 0644) == 0);
	assert_corrupt_guard(NULL, "a FIFO");
	tu_result r = OTTO(NULL, "lock", "release", "--force", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "released board by force: it is corrupt"), "%s", r.out);
	tu_result_free(&r);
	r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	free(guard);
}

Test(lock_attacks, a_symlinked_guard_is_corrupt_and_force_by_root_clears_it)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	char *guard = tu_fmt("%s/board.guard", locks);
	cr_assert(symlink("/etc/passwd", guard) == 0);
	cr_assert(lchown(guard, a.pw_uid, a.pw_gid) == 0);
	assert_corrupt_guard(&b, "a symbolic link");
	/* Not b's to delete: the sticky bit protects a's link. */
	tu_result r = OTTO(&b, "lock", "release", "--force", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "cannot remove %s/board.guard (Operation not permitted): only root, otto-lk-a or "
					 "the folder's owner can",
				  locks),
		  "%s", r.err);
	tu_result_free(&r);
	r = OTTO(NULL, "lock", "release", "--force", "board");
	cr_assert_eq(r.status, 0, "root clears it: %s", r.err);
	tu_result_free(&r);
	r = OTTO(&b, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	free(guard);
}

Test(lock_attacks, a_record_that_is_a_fifo_is_corrupt)
{
	char *record = tu_fmt("%s/board.lock.1", locks);
	cr_assert(mkfifo(record, 0644) == 0);
	tu_result r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "lock 'board' is corrupt (%s: it is a FIFO, not a lock file)", record), "%s",
		  r.err);
	tu_result_free(&r);
	r = OTTO(NULL, "reservation", "who", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "it is a FIFO, not a lock file"), "%s", r.err);
	tu_result_free(&r);
	free(record);
}

/* A neighbour who holds the guard with flock(2) and never lets go. */
static pid_t hold_guard(const struct passwd *pw)
{
	int ready[2];
	cr_assert(pipe(ready) == 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		if (setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
			_exit(3);
		/* After setuid: a change of credentials clears the death signal. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		char *guard = tu_fmt("%s/board.guard", locks);
		int fd = open(guard, O_RDONLY | O_CREAT, 0644);
		if (fd < 0 || flock(fd, LOCK_EX) != 0)
			_exit(4);
		if (write(ready[1], "r", 1) != 1)
			_exit(5);
		for (;;)
			pause();
	}
	char c;
	close(ready[1]);
	cr_assert_eq(read(ready[0], &c, 1), 1, "the neighbour could not lock the guard");
	close(ready[0]);
	return pid;
}

Test(lock_attacks, a_guard_held_by_a_neighbour_ends_the_wait_with_a_clear_error)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a");
	pid_t neighbour = hold_guard(&a);
	tu_result r = OTTO(NULL, "lock", "acquire", "board", "--wait", "1s");
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(lt_contains_fmt(r.err, "gave up waiting for lock guard %s/board.guard: process %ld (", locks,
				  (long)neighbour),
		  "the neighbour is named: %s", r.err);
	cr_assert(tu_contains(r.err, ") keeps it locked with flock(2)"), "%s", r.err);
	tu_result_free(&r);
	r = OTTO(NULL, "lock", "release", "board");
	cr_assert_eq(r.status, 1);
	cr_assert(tu_contains(r.err, "gave up waiting for lock guard"), "%s", r.err);
	tu_result_free(&r);
	/* `otto lock run` too, and its command never runs. */
	r = OTTO(NULL, "lock", "run", "board", "--", "touch", "ran");
	cr_assert_eq(r.status, 1);
	tu_result_free(&r);
	char *ran = tu_fmt("%s/ran", project);
	cr_assert_neq(access(ran, F_OK), 0);
	free(ran);
	lt_kill(neighbour);
	r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
}

Test(lock_attacks, a_held_lock_ends_the_wait_at_its_deadline)
{
	pid_t holder = lt_sleeper();
	otto_lock_options o = lt_options(locks, true, NULL);
	otto_lock_manager *m = lt_manager(&o, holder);
	otto_error err = {0};
	bool got = false;
	cr_assert_eq(otto_lock_manager_acquire(m, "board", 0, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	otto_lock_manager_detach(m);
	otto_lock_manager_free(m);
	tu_result r = OTTO(NULL, "lock", "acquire", "board", "--wait", "1s");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "(pid %ld)", (long)holder), "%s", r.err);
	tu_result_free(&r);
	lt_kill(holder);
}

/* ------------------------------------------------------------ case 8 -- */

Test(lock_attacks, a_lock_folder_another_user_owns_is_refused)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	/* a made the folder before anybody else: a could delete every lock in it. */
	tu_rm_rf(locks);
	cr_assert(mkdir(locks, 0700) == 0 && chmod(locks, 01777) == 0 && chown(locks, a.pw_uid, a.pw_gid) == 0);
	char *refusal = tu_fmt("refusing lock folder %s: %s belongs to otto-lk-a (uid %ld), who could delete or replace "
			       "anything in it (fix: have root create it: install -d -m 1777 -o root -g root %s)",
			       locks, locks, (long)a.pw_uid, locks);
	tu_result r = OTTO(&b, "lock", "acquire", "board");
	cr_assert_eq(r.status, 1, "%s", r.out);
	cr_assert(tu_contains(r.err, refusal), "%s", r.err);
	tu_result_free(&r);
	r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 1, "root too: %s", r.out);
	cr_assert(tu_contains(r.err, refusal), "%s", r.err);
	tu_result_free(&r);
	r = OTTO(&b, "reservation", "who", "board");
	cr_assert_eq(r.status, 1, "the backend fails closed: %s", r.out);
	cr_assert(tu_contains(r.err, refusal), "%s", r.err);
	tu_result_free(&r);
	r = OTTO(&a, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "its owner may use it: %s", r.err);
	tu_result_free(&r);
	free(refusal);
}

Test(lock_attacks, a_lock_folder_behind_another_users_link_is_refused)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a");
	/* /tmp-like: a root folder everybody may write, sticky. a puts a link
	 * where the lock folder should be, to a folder of a's. */
	char *shared = tu_fmt("%s/shared", project), *mine = tu_fmt("%s/mine", project);
	char *link = tu_fmt("%s/locks", shared);
	cr_assert(mkdir(shared, 01777) == 0 && chmod(shared, 01777) == 0);
	cr_assert(mkdir(mine, 01777) == 0 && chmod(mine, 01777) == 0);
	cr_assert(symlink(mine, link) == 0 && lchown(link, a.pw_uid, a.pw_gid) == 0);
	free(tu_write(project, ".otto/settings.toml", "[locks]\ndir = \"shared/locks\"\n"));
	tu_result r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 1, "root followed otto-lk-a's link: %s", r.out);
	cr_assert(lt_contains_fmt(r.err, "refusing lock folder %s: symbolic link %s belongs to otto-lk-a (uid %ld), who "
					 "could point it elsewhere",
				  link, link, (long)a.pw_uid),
		  "%s", r.err);
	tu_result_free(&r);
	DIR *d = opendir(mine);
	int entries = 0;
	for (struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.';
	closedir(d);
	cr_assert_eq(entries, 0, "nothing was written through the link");

	/* root's own link in a folder only root can change is fine. */
	cr_assert(unlink(link) == 0 && chmod(shared, 0755) == 0 && symlink(mine, link) == 0);
	r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	/* ... but not in a folder others can write, where anyone could replace it. */
	cr_assert(chmod(shared, 0777) == 0);
	r = OTTO(NULL, "lock", "list");
	cr_assert_eq(r.status, 1);
	cr_assert(lt_contains_fmt(r.err, "symbolic link %s sits in folder %s, which other users can write (mode 0777)", link,
				  shared),
		  "%s", r.err);
	tu_result_free(&r);
	free(shared);
	free(mine);
	free(link);
}

/* ----------------------------------------------------------- case 10 -- */

static char *boot8(void)
{
	char *boot = lt_boot_id();
	boot[8] = '\0';
	return boot;
}

Test(lock_attacks, the_temporary_files_of_dead_writers_are_removed)
{
	pid_t dead = lt_sleeper();
	uint64_t dead_start = lt_start_time(dead);
	lt_kill(dead);
	char *boot = boot8(), *ns = lt_pidns();
	char *stale = tu_fmt(".tmp.%s.%s.%ld.%" PRIu64 ".0badf00d", boot, ns, (long)dead, dead_start);
	char *live = tu_fmt(".tmp.%s.%s.%ld.%" PRIu64 ".0badf00d", boot, ns, (long)getpid(), lt_start_time(getpid()));
	char *other_boot = tu_fmt(".tmp.zzzzzzzz.%s.%ld.%" PRIu64 ".0badf00d", ns, (long)getpid(), lt_start_time(getpid()));
	write_as(NULL, stale, "otto-lock 2\n");
	write_as(NULL, live, "otto-lock 2\n");
	write_as(NULL, other_boot, "otto-lock 2\n");
	write_as(NULL, ".tmp.1234.0badf00d", "otto-lock 1\n"); /* an older otto's, writer unknown */
	write_as(NULL, ".tmp.5678.0badf00d", "otto-lock 1\n");
	char *old = tu_fmt("%s/.tmp.1234.0badf00d", locks);
	struct timespec two_hours_ago[2] = {{time(NULL) - 7200, 0}, {time(NULL) - 7200, 0}};
	cr_assert(utimensat(AT_FDCWD, old, two_hours_ago, 0) == 0);

	tu_result r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	cr_assert_not(exists(stale), "a dead writer's file stays");
	cr_assert_not(exists(other_boot), "a file from before this boot stays");
	cr_assert_not(exists(".tmp.1234.0badf00d"), "a two hours old file stays");
	cr_assert(exists(live), "a live writer's file was removed under it");
	cr_assert(exists(".tmp.5678.0badf00d"), "a young file of an unknown writer was removed");
	free(stale);
	free(live);
	free(other_boot);
	free(old);
	free(boot);
	free(ns);
}

Test(lock_attacks, other_users_temporary_files_are_theirs_or_roots)
{
	lt_need_root();
	struct passwd a = lt_user("otto-lk-a"), b = lt_user("otto-lk-b");
	write_as(&a, ".tmp.zzzzzzzz.1.1.1.0badf00d", "x");
	tu_result r = OTTO(&b, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	cr_assert(exists(".tmp.zzzzzzzz.1.1.1.0badf00d"), "b removed a's file");
	r = OTTO(NULL, "lock", "acquire", "other");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	cr_assert_not(exists(".tmp.zzzzzzzz.1.1.1.0badf00d"), "root may tidy up anybody's");
}

/* Writers killed at random moments leave no temporary file at all. */
Test(lock_attacks, killed_writers_leave_no_temporary_files)
{
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	for (int round = 0; round < 40; round++) {
		fflush(NULL);
		pid_t pid = fork();
		cr_assert(pid >= 0);
		if (pid == 0) {
			otto_lock_options o = lt_options(locks, true, NULL);
			otto_lock_manager *m = lt_manager(&o, 0);
			for (;;) {
				bool got;
				otto_lock_manager_acquire(m, "board", 0, 0, &got, NULL, NULL);
				otto_lock_manager_release(m, "board", 0, NULL, NULL);
			}
		}
		usleep((useconds_t)(rand_r(&seed) % 20000));
		lt_kill(pid);
	}
	DIR *d = opendir(locks);
	for (struct dirent *e; (e = readdir(d));)
		cr_assert(strncmp(e->d_name, ".tmp.", 5) != 0, "left behind: %s", e->d_name);
	closedir(d);
}

/* Where O_TMPFILE is missing, records are written through named temporary
 * files: killed writers leave some, and the next writer removes them. */
Test(lock_attacks, named_temporary_files_of_killed_writers_are_removed)
{
	setenv("OTTO_LOCK_NO_TMPFILE", "1", 1);
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	for (int round = 0; round < 40; round++) {
		fflush(NULL);
		pid_t pid = fork();
		cr_assert(pid >= 0);
		if (pid == 0) {
			otto_lock_options o = lt_options(locks, true, NULL);
			otto_lock_manager *m = lt_manager(&o, 0);
			for (;;) {
				bool got;
				otto_lock_manager_acquire(m, "board", 0, 0, &got, NULL, NULL);
				otto_lock_manager_release(m, "board", 0, NULL, NULL);
			}
		}
		usleep((useconds_t)(rand_r(&seed) % 20000));
		lt_kill(pid);
	}
	int left = 0;
	DIR *before = opendir(locks);
	for (struct dirent *e; (e = readdir(before));)
		left += strncmp(e->d_name, ".tmp.", 5) == 0;
	closedir(before);
	cr_log_info("%d temporary files left by killed writers", left);
	tu_result r = OTTO(NULL, "lock", "acquire", "board");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
	DIR *d = opendir(locks);
	for (struct dirent *e; (e = readdir(d));)
		cr_assert(strncmp(e->d_name, ".tmp.", 5) != 0, "left behind: %s", e->d_name);
	closedir(d);
	/* Which generation holds the record depends on where the last writer
	 * died (a holder killed between publishing and dropping the older
	 * generations leaves several), so ask otto, not the file names. */
	r = OTTO(NULL, "lock", "release", "board");
	cr_assert_eq(r.status, 0, "the record was written and is ours: %s", r.err);
	tu_result_free(&r);
}
