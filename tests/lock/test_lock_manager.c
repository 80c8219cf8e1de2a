/* The lock manager's everyday behaviour: take, refuse, release, list. */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char *root, *dir;

static void setup(void)
{
	root = lt_folder(&dir);
}

static void teardown(void)
{
	tu_rm_rf(root);
	free(root);
	free(dir);
}

TestSuite(lock_manager, .init = setup, .fini = teardown, .timeout = 20);

Test(lock_manager, acquire_writes_a_record_and_release_removes_it)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_error err = {0};
	bool got = false;

	cr_assert_eq(otto_lock_manager_acquire(m, "router1", 90, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	cr_assert(got);
	char *path = tu_fmt("%s/router1.lock.1", dir);
	char *text = tu_read(path);
	cr_assert(lt_contains_fmt(text, "user=%s\n", lt_me()), "%s", text);
	cr_assert(lt_contains_fmt(text, "uid=%ld\n", (long)geteuid()), "%s", text);
	cr_assert(lt_contains_fmt(text, "pid=%ld\n", (long)getpid()), "%s", text);
	cr_assert(lt_contains_fmt(text, "pid_start=%llu\n", (unsigned long long)lt_start_time(getpid())));
	cr_assert(tu_contains(text, "\nend\n"));
	struct stat st;
	cr_assert(stat(path, &st) == 0);
	cr_assert_eq(st.st_mode & 0777, 0644, "a record is readable by all, writable by its owner only");

	otto_lock_info info;
	cr_assert_eq(otto_lock_manager_get(m, "router1", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	cr_assert_eq(info.expiry - info.taken, 90);
	cr_assert_str_eq(info.user, lt_me());
	otto_lock_info_clear(&info);

	cr_assert_eq(otto_lock_manager_release(m, "router1", 0, NULL, &err), OTTO_OK, "%s", err.message);
	cr_assert(access(path, F_OK) != 0, "released: the record is gone");
	cr_assert_eq(otto_lock_manager_get(m, "router1", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_FREE);
	otto_lock_info_clear(&info);
	otto_lock_manager_free(m);
	free(text);
	free(path);
}

Test(lock_manager, a_live_lock_is_refused_naming_the_holder)
{
	pid_t other = lt_sleeper();
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *a = lt_manager(&o, other);
	otto_lock_manager *b = lt_manager(&o, 0);
	otto_error err = {0};
	otto_lock_info holder;
	bool got;

	cr_assert_eq(otto_lock_manager_acquire(a, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert(got);
	cr_assert_eq(otto_lock_manager_acquire(b, "board", 0, 0, &got, &holder, &err), OTTO_OK);
	cr_assert_not(got);
	cr_assert_eq(holder.state, OTTO_LOCK_HELD);
	cr_assert_str_eq(holder.user, lt_me());
	cr_assert_eq(holder.pid, other);
	cr_assert_eq(holder.expiry, OTTO_LOCK_NO_EXPIRY);
	otto_lock_info_clear(&holder);

	/* Not b's holder's (same user, another process): release refuses and
	 * says whose it is. */
	cr_assert_eq(otto_lock_manager_release(b, "board", 0, NULL, &err), OTTO_ERROR);
	cr_assert(lt_contains_fmt(err.message, "lock 'board' is held by %s (pid %ld on ", lt_me(), (long)other), "%s",
		  err.message);
	cr_assert(lt_contains_fmt(err.message, "not by this process (pid %ld)", (long)getpid()), "%s", err.message);
	cr_assert(tu_contains(err.message, "--force"), "%s", err.message);
	otto_lock_manager_free(b);
	otto_lock_manager_free(a);
	lt_kill(other);
}

Test(lock_manager, force_breaks_a_live_lock_and_says_whose)
{
	pid_t other = lt_sleeper();
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *a = lt_manager(&o, other);
	otto_lock_manager *b = lt_manager(&o, 0);
	otto_error err = {0};
	otto_lock_info broken;
	bool got;

	cr_assert_eq(otto_lock_manager_acquire(a, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_eq(otto_lock_manager_acquire(b, "board", 0, OTTO_LOCK_FORCE, &got, &broken, &err), OTTO_OK);
	cr_assert(got);
	cr_assert_eq(broken.state, OTTO_LOCK_HELD);
	cr_assert_str_eq(broken.user, lt_me());
	otto_lock_info_clear(&broken);
	cr_assert_eq(otto_lock_manager_release(b, "board", 0, NULL, &err), OTTO_OK, "%s", err.message);

	cr_assert_eq(otto_lock_manager_acquire(a, "board", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_eq(otto_lock_manager_release(b, "board", OTTO_LOCK_FORCE, &broken, &err), OTTO_OK);
	cr_assert_str_eq(broken.user, lt_me());
	otto_lock_info_clear(&broken);
	otto_lock_manager_free(b);
	otto_lock_manager_free(a);
	lt_kill(other);
}

Test(lock_manager, the_same_holder_taking_again_is_acquired)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *a = lt_manager(&o, 0), *b = lt_manager(&o, 0);
	otto_error err = {0};
	bool got;
	cr_assert_eq(otto_lock_manager_acquire(a, "x", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert(got);
	cr_assert_eq(otto_lock_manager_acquire(a, "x", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert(got);
	cr_assert_eq(otto_lock_manager_acquire(b, "x", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert(got, "same user, same holder process: it is already yours");
	otto_lock_manager_detach(b);
	otto_lock_manager_free(b);
	otto_lock_manager_free(a);
}

Test(lock_manager, freeing_the_manager_releases_its_locks)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *a = lt_manager(&o, 0);
	otto_error err = {0};
	bool got;
	cr_assert_eq(otto_lock_manager_acquire(a, "one", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_eq(otto_lock_manager_acquire(a, "two", 60, 0, &got, NULL, &err), OTTO_OK);
	otto_lock_manager_free(a);

	otto_lock_manager *b = lt_manager(&o, 0);
	otto_lock_list list;
	cr_assert_eq(otto_lock_manager_list(b, &list, &err), OTTO_OK);
	cr_assert_eq(list.count, 0);
	otto_lock_list_free(&list);
	otto_lock_manager_free(b);
}

Test(lock_manager, detach_keeps_the_locks)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *a = lt_manager(&o, 0);
	otto_error err = {0};
	bool got;
	cr_assert_eq(otto_lock_manager_acquire(a, "kept", 0, 0, &got, NULL, &err), OTTO_OK);
	otto_lock_manager_detach(a);
	otto_lock_manager_free(a);
	otto_lock_manager *b = lt_manager(&o, 0);
	otto_lock_info info;
	cr_assert_eq(otto_lock_manager_get(b, "kept", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_HELD);
	otto_lock_info_clear(&info);
	/* A new manager of the same holder process releases it. */
	cr_assert_eq(otto_lock_manager_release(b, "kept", 0, NULL, &err), OTTO_OK, "%s", err.message);
	otto_lock_manager_free(b);
}

Test(lock_manager, acquire_all_takes_all_names_or_none)
{
	pid_t other = lt_sleeper();
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *a = lt_manager(&o, other);
	otto_lock_manager *b = lt_manager(&o, 0);
	otto_error err = {0};
	otto_lock_info holder;
	bool got;
	const char *names[] = {"c", "a", "b"};

	cr_assert_eq(otto_lock_manager_acquire(a, "b", 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_eq(otto_lock_manager_acquire_all(b, names, 3, 0, 0, 50, &got, &holder, &err), OTTO_OK);
	cr_assert_not(got);
	cr_assert_str_eq(holder.name, "b");
	cr_assert_str_eq(holder.user, lt_me());
	otto_lock_info_clear(&holder);
	otto_lock_info info;
	cr_assert_eq(otto_lock_manager_get(b, "a", &info, &err), OTTO_OK);
	cr_assert_eq(info.state, OTTO_LOCK_FREE, "'a' was given back");
	otto_lock_info_clear(&info);

	cr_assert_eq(otto_lock_manager_release(a, "b", 0, NULL, &err), OTTO_OK);
	cr_assert_eq(otto_lock_manager_acquire_all(b, names, 3, 0, 0, 0, &got, &holder, &err), OTTO_OK);
	cr_assert(got);
	otto_lock_list list;
	cr_assert_eq(otto_lock_manager_list(a, &list, &err), OTTO_OK);
	cr_assert_eq(list.count, 3);
	cr_assert_str_eq(list.items[0].name, "a");
	cr_assert_str_eq(list.items[2].name, "c");
	cr_assert_str_eq(list.items[1].user, lt_me());
	cr_assert_eq(list.items[1].pid, getpid());
	otto_lock_list_free(&list);
	otto_lock_manager_free(b);
	otto_lock_manager_free(a);
	lt_kill(other);
}

Test(lock_manager, wait_gets_the_lock_when_it_is_released)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	pid_t holder = lt_sleeper();
	otto_lock_manager *a = lt_manager(&o, holder);
	otto_error err = {0};
	bool got;
	cr_assert_eq(otto_lock_manager_acquire(a, "w", 0, 0, &got, NULL, &err), OTTO_OK);
	otto_lock_manager_detach(a);
	otto_lock_manager_free(a);
	/* The holder dies in 200 ms; waiting 5 s (scaled) is enough, not
	 * waiting is not. */
	fflush(NULL);
	pid_t killer = fork();
	if (killer == 0) {
		usleep(200000);
		kill(holder, SIGKILL);
		_exit(0);
	}
	otto_lock_manager *b = lt_manager(&o, 0);
	const char *names[] = {"w"};
	cr_assert_eq(otto_lock_manager_acquire_all(b, names, 1, 0, 0, 0, &got, NULL, &err), OTTO_OK);
	cr_assert_not(got);
	cr_assert_eq(otto_lock_manager_acquire_all(b, names, 1, 0, 0, 1000 * tu_scaled_seconds(5), &got, NULL, &err),
		     OTTO_OK);
	cr_assert(got);
	otto_lock_manager_free(b);
	lt_kill(killer);
	lt_kill(holder);
}

Test(lock_manager, bad_names_and_unheld_locks_are_errors)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_error err = {0};
	bool got;
	cr_assert_eq(otto_lock_manager_acquire(m, "../etc", 0, 0, &got, NULL, &err), OTTO_EINVALID);
	cr_assert(tu_contains(err.message, "invalid lock name '../etc'"), "%s", err.message);
	cr_assert_eq(otto_lock_manager_acquire(m, ".hidden", 0, 0, &got, NULL, &err), OTTO_EINVALID);
	cr_assert_eq(otto_lock_manager_acquire(m, "", 0, 0, &got, NULL, &err), OTTO_EINVALID);
	cr_assert_eq(otto_lock_manager_release(m, "nobody", 0, NULL, &err), OTTO_ENOTFOUND);
	cr_assert(tu_contains(err.message, "lock 'nobody' is not held by anyone"), "%s", err.message);
	otto_lock_manager_free(m);
}

Test(lock_manager, durations)
{
	int64_t s;
	otto_error err = {0};
	cr_assert_eq(otto_lock_duration_parse("90s", &s, &err), OTTO_OK);
	cr_assert_eq(s, 90);
	cr_assert_eq(otto_lock_duration_parse("30m", &s, &err), OTTO_OK);
	cr_assert_eq(s, 1800);
	cr_assert_eq(otto_lock_duration_parse("2h", &s, &err), OTTO_OK);
	cr_assert_eq(s, 7200);
	cr_assert_eq(otto_lock_duration_parse("1d", &s, &err), OTTO_OK);
	cr_assert_eq(s, 86400);
	cr_assert_eq(otto_lock_duration_parse("45", &s, &err), OTTO_OK);
	cr_assert_eq(s, 45);
	const char *bad[] = {"", "0s", "-5m", "5x", "5mm", "m", "1.5h", "99999999999999999999s"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cr_assert_eq(otto_lock_duration_parse(bad[i], &s, &err), OTTO_EINVALID, "%s", bad[i]);
		cr_assert(lt_contains_fmt(err.message, "invalid duration '%s'", bad[i]), "%s", err.message);
	}
}

Test(lock_manager, options_from_settings)
{
	lt_write(root, ".otto/settings.toml", "[locks]\ndir = \"my-locks\"\ncheck_pid = false\n");
	otto_settings *s;
	otto_error err = {0};
	char *path = tu_fmt("%s/.otto/settings.toml", root), *owned;
	cr_assert_eq(otto_settings_load(&s, path, &err), OTTO_OK, "%s", err.message);
	otto_lock_options o;
	otto_lock_options_init(&o);
	cr_assert(o.check_pid);
	cr_assert_eq(otto_lock_options_from_settings(&o, s, &owned, &err), OTTO_OK, "%s", err.message);
	char *expected_dir = tu_fmt("%s/my-locks", root);
	cr_assert_str_eq(o.dir, expected_dir);
	free(expected_dir);
	cr_assert_not(o.check_pid);
	free(owned);
	otto_settings_free(s);

	otto_settings_new_empty(&s, root, &err);
	otto_lock_options_init(&o);
	cr_assert_eq(otto_lock_options_from_settings(&o, s, &owned, &err), OTTO_OK);
	cr_assert_null(o.dir, "no [locks]: the default folder");
	cr_assert(o.check_pid);
	otto_settings_free(s);
	free(path);
}
