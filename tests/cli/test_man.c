/*
 * The man pages built from the scdoc sources in docs/man: each renders with groff and
 * with man without a single warning, and otto(1) names every command that
 * 'otto --help' lists, so the page cannot fall behind the program.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define MAN_DIR OTTO_BUILD_DIR "/share/man"

static const char *const pages[] = {"man1/otto.1", "man1/otto-conformance.1", "man5/otto-settings.5",
				    "man7/otto-plugin.7"};

Test(man, every_page_renders_without_warnings)
{
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		char *page = tu_fmt("%s/%s", MAN_DIR, pages[i]);
		tu_result r = tu_run(CT_ARGS("/usr/bin/groff", "-ww", "-man", "-z", page), NULL, NULL, 30);
		cr_assert_eq(r.status, 0, "groff %s: %s", page, r.err);
		cr_assert_str_empty(r.err, "groff -ww warns about %s:\n%s", page, r.err);
		tu_result_free(&r);
		r = tu_run(CT_ARGS("/usr/bin/man", "--warnings", "-l", page), NULL,
			   CT_ARGS("MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "LC_ALL=C.UTF-8"), 30);
		cr_assert_eq(r.status, 0, "man -l %s: %s", page, r.err);
		cr_assert_str_empty(r.err, "man --warnings -l %s:\n%s", page, r.err);
		cr_assert(strlen(r.out) > 500, "man -l %s printed almost nothing:\n%s", page, r.out);
		tu_result_free(&r);
		free(page);
	}
}

/* "  lab status LAB [--json]   ..." in 'otto --help': "lab status". */
static char *command_words(const char *line)
{
	const char *p = line + 2;
	size_t len = strcspn(p, " ");
	if (strncmp(p, "lab ", 4) == 0 || strncmp(p, "reservation ", 12) == 0)
		len += 1 + strcspn(p + len + 1, " ");
	return strndup(p, len);
}

Test(man, otto_1_names_every_command)
{
	char *page = tu_fmt("%s/man1/otto.1", MAN_DIR);
	tu_result text = tu_run(CT_ARGS("/usr/bin/man", "-l", page), NULL,
				CT_ARGS("MANWIDTH=200", "MANPAGER=cat", "PAGER=cat", "LC_ALL=C.UTF-8"), 30);
	cr_assert_eq(text.status, 0, "%s", text.err);
	tu_result help = CT_RUN(NULL, NULL, "--help");
	cr_assert_eq(help.status, 0);
	char *commands = strstr(help.out, "Commands:\n");
	cr_assert(commands);
	size_t checked = 0;
	for (char *line = strtok(commands + 10, "\n"); line && line[0] == ' '; line = strtok(NULL, "\n")) {
		if (line[2] == ' ')
			continue; /* a continuation line */
		char *words = command_words(line);
		cr_assert(tu_contains(text.out, words), "otto(1) does not mention '%s' (from otto --help)", words);
		free(words);
		checked++;
	}
	cr_assert(checked >= 12, "only %zu commands found in otto --help", checked);
	tu_result_free(&help);
	tu_result_free(&text);
	free(page);
}
