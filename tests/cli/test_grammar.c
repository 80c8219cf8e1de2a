/*
 * core/cli/grammar.c is the one table of otto's options: the parsers
 * accept exactly its options and completion offers exactly them. This runs
 * every command of the table with each of its options, and fails when a
 * parser refuses one (or reports that its bindings and the table differ),
 * when a parser takes an option the table lacks, or when completion offers
 * something else.
 */
#include "cli_support.h"
#include "grammar.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static char *project;

static void make_project(void)
{
	project = ct_project("[locks]\ndir = \"locks\"\n");
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
}

TestSuite(grammar, .init = make_project, .fini = remove_project);

/* otto FAMILY [SUB] extra... */
static tu_result run_command(const cli_command_spec *c, const char *a, const char *b)
{
	const char *argv[6] = {c->family};
	size_t n = 1;
	if (c->sub)
		argv[n++] = c->sub;
	if (a)
		argv[n++] = a;
	if (b)
		argv[n++] = b;
	argv[n] = NULL;
	return ct_run(project, CT_ARGS("OTTO_CALL_TIMEOUT=60000"), argv);
}

Test(grammar, every_parser_takes_exactly_its_options)
{
	for (size_t i = 0; i < cli_n_commands; i++) {
		const cli_command_spec *c = &cli_commands[i];
		tu_result help = run_command(c, "--help", NULL);
		cr_assert_eq(help.status, 0, "otto %s --help: %s", c->label, help.err);
		cr_assert_str_empty(help.err, "otto %s --help", c->label);
		tu_result_free(&help);
		for (const cli_option_spec *o = c->options; o->name; o++) {
			/* A value that makes every command stop at a usage or
			 * settings error before it does anything. */
			tu_result r = run_command(c, o->name, o->takes_value ? "x" : NULL);
			cr_assert(!tu_contains(r.err, "unknown option") && !tu_contains(r.err, "internal error") &&
				      !tu_contains(r.err, "takes no value") && !tu_contains(r.err, "needs a value"),
				  "otto %s %s: %s", c->label, o->name, r.err);
			tu_result_free(&r);
		}
		tu_result r = run_command(c, "--not-in-the-grammar", NULL);
		cr_assert_eq(r.status, 2, "otto %s --not-in-the-grammar: %s", c->label, r.err);
		cr_assert(tu_contains(r.err, "unknown option '--not-in-the-grammar'"), "otto %s: %s", c->label, r.err);
		tu_result_free(&r);
	}
}

Test(grammar, completion_offers_exactly_the_table)
{
	for (size_t i = 0; i < cli_n_commands; i++) {
		const cli_command_spec *c = &cli_commands[i];
		const char *argv[] = {"__complete", "--", c->family, c->sub ? c->sub : "-", c->sub ? "-" : NULL, NULL};
		tu_result r = ct_run(project, NULL, argv);
		char *want = strdup("");
		const char *names[16];
		size_t n = 0;
		for (const cli_option_spec *o = c->options; o->name; o++)
			names[n++] = o->name;
		for (const cli_option_spec *o = cli_global_options; o->name; o++)
			names[n++] = o->name;
		for (size_t k = 0; k < n; k++) {
			char *line = tu_fmt("%s\n", names[k]);
			cr_assert(tu_contains(r.out, line), "otto %s: '%s' is not offered:\n%s", c->label, names[k], r.out);
			free(line);
		}
		size_t lines = 0;
		for (const char *p = r.out; *p; p++)
			lines += *p == '\n';
		cr_assert_eq(lines, n, "otto %s: completion offers more than the table:\n%s", c->label, r.out);
		free(want);
		tu_result_free(&r);
	}
}

Test(grammar, global_options)
{
	for (const cli_option_spec *o = cli_global_options; o->name; o++) {
		if (!o->takes_value)
			continue;
		tu_result r = CT_RUN(project, NULL, o->name, "x", "--version");
		cr_assert_eq(r.status, 0, "otto %s x --version: %s", o->name, r.err);
		tu_result_free(&r);
	}
	tu_result r = CT_RUN(project, NULL, "--not-in-the-grammar");
	cr_assert_eq(r.status, 2);
	cr_assert(tu_contains(r.err, "unknown option '--not-in-the-grammar'"), "%s", r.err);
	tu_result_free(&r);
}
