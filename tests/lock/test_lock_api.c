/* The lock API's refusals: what a caller of libotto can get wrong. */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

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

TestSuite(lock_api, .init = setup, .fini = teardown, .timeout = 20);

static void assert_new_fails(const otto_lock_options *o, int code, const char *message)
{
	otto_lock_manager *m = (otto_lock_manager *)0x1;
	otto_error err = {0};
	cr_assert_eq(otto_lock_manager_new(&m, o, &err), code, "%s", err.message);
	cr_assert_null(m, "no manager on failure");
	cr_assert_str_eq(err.message, message);
}

Test(lock_api, a_user_other_than_the_file_owner_is_refused)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	char *message = tu_fmt("locks are recorded under the user who owns their files (%s); cannot take them as "
			       "'eve=admin'",
			       lt_me());
	o.user = "eve=admin";
	assert_new_fails(&o, OTTO_EINVALID, message);
	free(message);
	o.user = "";
	message = tu_fmt("locks are recorded under the user who owns their files (%s); cannot take them as ''", lt_me());
	assert_new_fails(&o, OTTO_EINVALID, message);
	free(message);
	o.user = lt_me(); /* the same name is fine */
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_lock_manager_free(m);
}

Test(lock_api, a_holder_process_that_does_not_exist_is_refused)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	/* Beyond pid_max (at most 2^22 on Linux), so never a live process. */
	o.holder_pid = 99999999;
	assert_new_fails(&o, OTTO_EINVALID,
			 "cannot read the start time of holder process 99999999 from /proc: No such file or directory");
}

Test(lock_api, init_cannot_hold_a_lock)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	o.holder_pid = 1;
	assert_new_fails(&o, OTTO_EINVALID,
			 "process 1 (init) cannot hold a lock: it never exits, so its locks would never free up");
}

Test(lock_api, a_token_must_look_like_one)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	o.token = "not-a-token";
	assert_new_fails(&o, OTTO_EINVALID,
			 "'not-a-token' is not a lock token (32 lower-case hex digits, as acquire prints them)");
	o.token = LT_TOKEN;
	otto_lock_manager *m = lt_manager(&o, 0);
	const char *token = otto_lock_manager_token(m);
	cr_assert_eq(strlen(token), 32);
	cr_assert_eq(strspn(token, "0123456789abcdef"), 32);
	cr_assert_str_neq(token, LT_TOKEN, "each manager has a fresh token of its own");
	otto_lock_manager_free(m);
}

Test(lock_api, a_negative_expiry_is_refused_and_takes_nothing)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	otto_error err = {0};
	bool got = true;
	cr_assert_eq(otto_lock_manager_acquire(m, "board", -5, 0, &got, NULL, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "negative expiry for lock 'board'");
	otto_lock_info info;
	cr_assert_eq(otto_lock_manager_get(m, "board", &info, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(info.state, OTTO_LOCK_FREE, "a refused acquire must leave the lock free");
	otto_lock_info_clear(&info);
	otto_lock_manager_free(m);
}

Test(lock_api, every_state_has_its_name)
{
	cr_assert_str_eq(otto_lock_state_name(OTTO_LOCK_FREE), "free");
	cr_assert_str_eq(otto_lock_state_name(OTTO_LOCK_HELD), "held");
	cr_assert_str_eq(otto_lock_state_name(OTTO_LOCK_EXPIRED), "expired");
	cr_assert_str_eq(otto_lock_state_name(OTTO_LOCK_STALE), "stale");
	cr_assert_str_eq(otto_lock_state_name(OTTO_LOCK_CORRUPT), "corrupt");
	cr_assert_str_eq(otto_lock_state_name((otto_lock_state)42), "unknown");
}
