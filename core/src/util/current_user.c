/*
 * Who the user is, as the reservation check sees it (contracts.md section 2):
 * --as-user, else the login environment the way Python's getpass does it,
 * else the password entry of the current uid.
 */
#include "util/util.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

OTTO_API char *otto_current_user(const char *as_user)
{
	static const char *const vars[] = {"LOGNAME", "USER", "LNAME", "USERNAME"};
	if (as_user && as_user[0])
		return otto__strdup(as_user);
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *value = getenv(vars[i]);
		if (value && value[0])
			return otto__strdup(value);
	}
	uid_t uid = getuid();
	const struct passwd *pw = getpwuid(uid);
	if (pw && pw->pw_name && pw->pw_name[0])
		return otto__strdup(pw->pw_name);
	return otto__asprintf("uid%lu", (unsigned long)uid);
}
