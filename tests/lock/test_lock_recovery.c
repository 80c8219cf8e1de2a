/* Dead holders, reused PIDs, expiry, takeovers and corrupt records. */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *root, *dir;

static void setup(void)
{
	root = lt_folder(&dir);
	mkdir(dir, 01777);
}

static void teardown(void)
{
	tu_rm_rf(root);
	free(root);
	free(dir);
}

TestSuite(lock_recovery, .init = setup, .fini = teardown, .timeout = 20);

static otto_lock_state state_of(otto_lock_manager *m, const char *name)
{
	otto_lock_info info;
	otto_error err = {0};
	cr_assert_eq(otto_lock_manager_get(m, name, &info, &err), OTTO_OK, "%s", err.message);
	otto_lock_state s = info.state;
	otto_lock_info_clear(&info);
	return s;
}

Test(lock_recovery, a_sigkilled_holder_is_taken_over_with_pid_check_on)
{
	pid_t holder = lt_sleeper();
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *a = lt_manager(&o, holder), *b = lt_manager(&o, 0);
	otto_error err = {0};
	otto_lock_info info;
	bool got;

	cr_assert_eq(otto_lock_manager_acquire(a, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_eq(otto_lock_manager_acquire(b, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_not(got, "alive: held");
	lt_kill(holder);
	cr_assert_eq(state_of(b, "board"), OTTO_LOCK_STALE);
	cr_assert_eq(otto_lock_manager_acquire(b, "board", 0, 0, &got, &info, &err), OTTO_OK);
	cr_assert(got, "dead holder, no expiry: stale, taken over");
	cr_assert_eq(otto_lock_manager_get(b, "board", &info, &err), OTTO_OK);
	cr_assert_eq(info.pid, getpid());
	cr_assert(tu_contains(info.path, "board.lock.2"), "%s", info.path);
	char *superseded = tu_fmt("%s/board.lock.1", dir);
	cr_assert(access(superseded, F_OK) != 0, "the superseded record is cleaned up");
	free(superseded);
	otto_lock_info_clear(&info);
	otto_lock_manager_detach(a);
	otto_lock_manager_free(a);
	otto_lock_manager_free(b);
}

Test(lock_recovery, a_sigkilled_holder_keeps_the_lock_until_expiry_with_pid_check_off)
{
	int64_t now = 1700000000;
	pid_t holder = lt_sleeper();
	otto_lock_options o = lt_options(dir, false, &now);
	otto_lock_manager *a = lt_manager(&o, holder), *b = lt_manager(&o, 0);
	otto_error err = {0};
	bool got;

	cr_assert_eq(otto_lock_manager_acquire(a, "board", 100, 0, &got, NULL, &err), OTTO_OK);
	otto_lock_manager_detach(a);
	lt_kill(holder);
	now += 99;
	cr_assert_eq(otto_lock_manager_acquire(b, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_not(got, "PID check off: held until expiry although the holder is dead");
	now += 1;
	cr_assert_eq(state_of(b, "board"), OTTO_LOCK_EXPIRED);
	cr_assert_eq(otto_lock_manager_acquire(b, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert(got, "expired: taken over");
	otto_lock_manager_free(a);
	otto_lock_manager_free(b);
}

Test(lock_recovery, expiry_on_both_sides_of_the_boundary)
{
	int64_t now = 1700000000;
	pid_t holder = lt_sleeper();
	otto_lock_options on = lt_options(dir, true, &now), off = lt_options(dir, false, &now);
	otto_lock_manager *a = lt_manager(&on, holder), *with_pid = lt_manager(&on, 0), *without = lt_manager(&off, 0);
	otto_error err = {0};
	bool got;

	cr_assert_eq(otto_lock_manager_acquire(a, "e", 60, 0, &got, NULL, &err), OTTO_OK);
	now += 59;
	cr_assert_eq(state_of(without, "e"), OTTO_LOCK_HELD, "one second before expiry");
	cr_assert_eq(state_of(with_pid, "e"), OTTO_LOCK_HELD);
	now += 1;
	cr_assert_eq(state_of(without, "e"), OTTO_LOCK_EXPIRED, "at the expiry");
	cr_assert_eq(state_of(with_pid, "e"), OTTO_LOCK_HELD, "PID check on: a live holder outlasts its expiry");
	lt_kill(holder);
	cr_assert_eq(state_of(with_pid, "e"), OTTO_LOCK_EXPIRED);
	now -= 1;
	cr_assert_eq(state_of(with_pid, "e"), OTTO_LOCK_HELD, "dead holder, unexpired: still held");
	otto_lock_manager_detach(a);
	otto_lock_manager_free(a);
	otto_lock_manager_free(with_pid);
	otto_lock_manager_free(without);
}

Test(lock_recovery, a_reused_pid_with_another_start_time_does_not_keep_a_lock)
{
	/* The record names this very (live) process, with a start time it never had. */
	uint64_t start = lt_start_time(getpid());
	char *text = lt_record("reused", lt_me(), (long)getpid(), start + 12345, 1700000000, 0);
	lt_write(dir, "reused.lock.1", text);
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	cr_assert_eq(state_of(m, "reused"), OTTO_LOCK_STALE);

	/* The same record with the true start time is alive. */
	free(text);
	text = lt_record("alive", lt_me(), (long)getpid(), start, 1700000000, 0);
	lt_write(dir, "alive.lock.1", text);
	cr_assert_eq(state_of(m, "alive"), OTTO_LOCK_HELD);

	/* Another boot's record is dead whatever its PID. */
	free(text);
	text = lt_record("reboot", lt_me(), (long)getpid(), start, 1700000000, 0);
	char *boot = lt_boot_id();
	char *p = strstr(text, boot);
	p[0] = p[0] == '0' ? '1' : '0';
	lt_write(dir, "reboot.lock.1", text);
	cr_assert_eq(state_of(m, "reboot"), OTTO_LOCK_STALE);
	free(boot);
	free(text);
	otto_lock_manager_free(m);
}

Test(lock_recovery, takeover_then_the_old_owners_release_leaves_the_new_lock_intact)
{
	pid_t holder = lt_sleeper();
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *old = lt_manager(&o, holder);
	otto_lock_manager *fresh = lt_manager(&o, 0);
	otto_error err = {0};
	otto_lock_info info;
	bool got;

	cr_assert_eq(otto_lock_manager_acquire(old, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	lt_kill(holder);
	cr_assert_eq(otto_lock_manager_acquire(fresh, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert(got);
	char *record = tu_fmt("%s/board.lock.2", dir);
	char *before = tu_read(record), *now;

	cr_assert_eq(otto_lock_manager_release(old, "board", 0, NULL, &err), OTTO_ERROR);
	cr_assert(lt_contains_fmt(err.message, "lock 'board' was taken over by %s (pid %ld", lt_me(), (long)getpid()),
		  "%s", err.message);
	cr_assert(tu_contains(err.message, "left it alone"), "%s", err.message);
	now = tu_read(record);
	cr_assert_str_eq(now, before);
	free(now);
	cr_assert_eq(otto_lock_manager_get(fresh, "board", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	cr_assert_eq(info.pid, getpid());
	otto_lock_info_clear(&info);
	otto_lock_manager_free(old); /* forgot it: freeing does not touch it either */
	now = tu_read(record);
	cr_assert_str_eq(now, before);
	free(now);
	otto_lock_manager_free(fresh);
	free(before);
	free(record);
}

static void check_corrupt(const char *name, const char *content, const char *why)
{
	char *file = tu_fmt("%s.lock.1", name);
	lt_write(dir, file, content);
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_error err = {0};
	otto_lock_info info;
	bool got;

	cr_assert_eq(otto_lock_manager_acquire(m, name, 0, 0, &got, &info, &err), OTTO_OK, "%s", err.message);
	cr_assert_not(got, "%s: a corrupt lock is never free", name);
	cr_assert_eq(info.state, OTTO_LOCK_CORRUPT, "%s", name);
	char *path = tu_fmt("%s/%s", dir, file);
	cr_assert_str_eq(info.path, path);
	free(path);
	cr_assert(tu_contains(info.problem, why), "%s: %s", name, info.problem);
	otto_lock_info_clear(&info);

	otto_lock_list list;
	cr_assert_eq(otto_lock_manager_list(m, &list, &err), OTTO_OK);
	cr_assert_eq(list.count, 1);
	cr_assert_eq(list.items[0].state, OTTO_LOCK_CORRUPT);
	otto_lock_list_free(&list);

	cr_assert_eq(otto_lock_manager_release(m, name, 0, NULL, &err), OTTO_ERROR);
	cr_assert(lt_contains_fmt(err.message, "lock '%s' is corrupt (%s/%s: ", name, dir, file), "%s",
		  err.message);
	cr_assert(tu_contains(err.message, "only --force replaces it"), "%s", err.message);

	cr_assert_eq(otto_lock_manager_acquire(m, name, 0, OTTO_LOCK_FORCE, &got, &info, &err), OTTO_OK);
	cr_assert(got, "--force replaces a corrupt lock");
	cr_assert_eq(info.state, OTTO_LOCK_CORRUPT);
	otto_lock_info_clear(&info);
	otto_lock_manager_free(m);
	free(file);
}

Test(lock_recovery, an_empty_record_is_corrupt)
{
	check_corrupt("empty", "", "the file is empty");
}

Test(lock_recovery, a_truncated_record_is_corrupt)
{
	char *text = lt_record("cut", lt_me(), 1, 1, 1700000000, 0);
	text[strlen(text) - 20] = '\0';
	check_corrupt("cut", text, "truncated");
	free(text);
}

Test(lock_recovery, a_record_without_its_end_line_is_corrupt)
{
	char *text = lt_record("noend", lt_me(), 1, 1, 1700000000, 0);
	strstr(text, "\nend\n")[1] = '\0';
	check_corrupt("noend", text, "no 'end' line");
	free(text);
}

Test(lock_recovery, garbage_is_corrupt)
{
	check_corrupt("garbage", "hello world\n", "the first line is not 'otto-lock 2'");
}

Test(lock_recovery, a_bad_value_is_corrupt)
{
	char *text = lt_record("badpid", lt_me(), 1, 1, 1700000000, 0);
	memcpy(strstr(text, "pid=1\n"), "pid=x\n", 6);
	check_corrupt("badpid", text, "bad value for key 'pid'");
	free(text);
}

Test(lock_recovery, a_record_for_another_name_is_corrupt)
{
	char *text = lt_record("other", lt_me(), 1, 1, 1700000000, 0);
	check_corrupt("mine", text, "it records the name 'other'");
	free(text);
}
