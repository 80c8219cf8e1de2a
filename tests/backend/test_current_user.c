/*
 * otto_current_user: --as-user, then LOGNAME, USER, LNAME, USERNAME, then
 * the password entry. Criterion runs each test in its own process, so the
 * environment changes stay local.
 */
#include <otto/otto.h>

#include <criterion/criterion.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void set_env(const char *logname, const char *user, const char *lname, const char *username)
{
	const char *names[] = {"LOGNAME", "USER", "LNAME", "USERNAME"};
	const char *values[] = {logname, user, lname, username};
	for (size_t i = 0; i < 4; i++) {
		if (values[i])
			cr_assert_eq(setenv(names[i], values[i], 1), 0);
		else
			cr_assert_eq(unsetenv(names[i]), 0);
	}
}

static void assert_user(const char *as_user, const char *want)
{
	char *got = otto_current_user(as_user);
	cr_assert_str_eq(got, want, "as_user %s", as_user ? as_user : "(null)");
	free(got);
}

Test(current_user, as_user_wins)
{
	set_env("l", "u", "n", "un");
	assert_user("carol", "carol");
}

Test(current_user, empty_as_user_falls_back)
{
	set_env("l", "u", "n", "un");
	assert_user("", "l");
	assert_user(NULL, "l");
}

Test(current_user, environment_order)
{
	set_env(NULL, "u", "n", "un");
	assert_user(NULL, "u");
	set_env("", "", "n", "un");
	assert_user(NULL, "n");
	set_env(NULL, NULL, NULL, "un");
	assert_user(NULL, "un");
}

Test(current_user, password_entry_last)
{
	set_env(NULL, NULL, "", NULL);
	const struct passwd *pw = getpwuid(getuid());
	char uid_name[32];
	snprintf(uid_name, sizeof uid_name, "uid%lu", (unsigned long)getuid());
	assert_user(NULL, pw ? pw->pw_name : uid_name);
}
