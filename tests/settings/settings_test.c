#include "settings_test.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void st_load(st_case *c, const char *content)
{
	memset(c, 0, sizeof *c);
	c->dir = tu_mkdtemp();
	c->path = tu_write(c->dir, ".otto/settings.toml", content);
	c->rc = otto_settings_load(&c->settings, c->path, &c->err);
}

void st_load_ok(st_case *c, const char *content)
{
	st_load(c, content);
	cr_assert_eq(c->rc, OTTO_OK, "load failed (%d): %s", c->rc, c->err.message);
	cr_assert_not_null(c->settings);
}

void st_done(st_case *c)
{
	otto_settings_free(c->settings);
	tu_rm_rf(c->dir);
	free(c->dir);
	free(c->path);
	memset(c, 0, sizeof *c);
}

void st_expect_error(const char *content, unsigned line, const char *what)
{
	st_case c;
	st_load(&c, content);
	char *expected = tu_fmt("%s:%u: %s", c.path, line, what);
	cr_assert_eq(c.rc, OTTO_ESETTINGS, "expected OTTO_ESETTINGS for:\n%s\ngot %d (%s)", content, c.rc,
		     c.err.message);
	cr_assert_eq(c.err.code, OTTO_ESETTINGS);
	cr_assert_null(c.settings);
	cr_assert_str_eq(c.err.message, expected, "for:\n%s", content);
	free(expected);
	st_done(&c);
}

const otto_setting *st_get(const otto_settings *s, const char *table, const char *key)
{
	const otto_setting *items = NULL;
	size_t n = otto_settings_table(s, table, &items);
	for (size_t i = 0; i < n; i++)
		if (strcmp(items[i].key, key) == 0)
			return &items[i];
	cr_assert_fail("no key '%s' in [%s]", key, table);
	return NULL;
}
