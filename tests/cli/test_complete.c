/*
 * Shell completion: the hidden 'otto __complete' (its words against every
 * --help text, its dynamic candidates from real backends and a real lock
 * folder, its silence and its time limit), and the bash, zsh and fish
 * scripts driven in their real shells.
 */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COMPLETION_DIR OTTO_SOURCE_DIR "/core/cli/completion"

static char *project;
/* OTTO_COMPLETE_TIMEOUT_MS for runs that must answer: scaled, so that a
 * slow machine or valgrind never cuts the candidates short. */
static char *time_limit;

static void completion_project(void)
{
	time_limit = tu_fmt("OTTO_COMPLETE_TIMEOUT_MS=%d", tu_scaled_seconds(10) * 1000);
	project = ct_project("[lab]\nbackend = \"example\"\n[lab.example]\n"
			     "hosts = [\"bench10: b10 10.0.0.10 r10\", \"bench2: b2 10.0.0.2 r2 shared\"]\n"
			     "[reservations]\nbackend = \"example\"\n[reservations.example]\n"
			     "holds = [\"alice: r2\", \"bob: shared\"]\n"
			     "[locks]\ndir = \"locks\"\n");
	tu_result r = CT_RUN(project, NULL, "lock", "acquire", "rack7", "--expiry", "1h");
	cr_assert_eq(r.status, 0, "%s", r.err);
	tu_result_free(&r);
}

static void remove_project(void)
{
	tu_rm_rf(project);
	free(project);
	free(time_limit);
}

TestSuite(complete, .init = completion_project, .fini = remove_project);

static void expect_candidates(const char *const *words, const char *expected)
{
	tu_result r = ct_run(project, CT_ARGS(time_limit), words);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.err);
	cr_assert_str_eq(r.out, expected, "otto %s %s ...: got\n%s", words[0], words[1], r.out);
	tu_result_free(&r);
}

Test(complete, candidates_from_real_backends)
{
	expect_candidates(CT_ARGS("__complete", "--", ""), "db\nhelp\nlab\nlock\nplugins\nreservation\n");
	expect_candidates(CT_ARGS("__complete", "--", "lab", "s"), "show\nstatus\n");
	expect_candidates(CT_ARGS("__complete", "--", "lab", "status", ""), "bench2\nbench10\n");
	expect_candidates(CT_ARGS("__complete", "--", "reservation", "check", "--lab", "bench1"), "bench10\n");
	expect_candidates(CT_ARGS("__complete", "--", "--as-user", ""), "alice\nbob\n");
	expect_candidates(CT_ARGS("__complete", "--", "reservation", "who", ""), "r2\nr10\nshared\n");
	expect_candidates(CT_ARGS("__complete", "--", "reservation", "reserve", "r2", "--for", "1h", "s"),
			  "shared\n");
	expect_candidates(CT_ARGS("__complete", "--", "reservation", "cancel", "--from", ""), "now\n");
	expect_candidates(CT_ARGS("__complete", "--", "reservation", "re"), "reserve\n");
	expect_candidates(CT_ARGS("__complete", "--", "lock", "acquire", ""), "b2\nb10\nrack7\n");
	expect_candidates(CT_ARGS("__complete", "--", "lock", "release", ""), "rack7\n");
	expect_candidates(CT_ARGS("__complete", "--", "help", "reservation", "u"), "users\n");
	expect_candidates(CT_ARGS("__complete", "--", "lock", "run", "rack7", "--", ""), "");
}

/* The options __complete offers for each subcommand are exactly those of
 * its usage lines ('otto FAMILY SUB --help', up to the first blank line),
 * plus the global ones. */
Test(complete, options_match_every_usage_line)
{
	static const char *const subs[][2] = {
	    {"plugins", NULL},	      {"lab", "list"},	      {"lab", "show"},
	    {"lab", "hosts"},	      {"lab", "status"},      {"reservation", "whoami"},
	    {"reservation", "held"},  {"reservation", "who"}, {"reservation", "users"},
	    {"reservation", "check"}, {"lock", "acquire"},    {"lock", "release"},
	    {"lock", "list"},	      {"lock", "run"},	      {"reservation", "reserve"},
	    {"reservation", "cancel"}};
	static const char *const globals[] = {"--as-user", "--settings", "--plugin-dir", "--help", "--version"};
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		tu_result help = subs[i][1] ? CT_RUN(project, NULL, subs[i][0], subs[i][1], "--help")
					    : CT_RUN(project, NULL, subs[i][0], "--help");
		tu_result offered =
		    subs[i][1] ? CT_RUN(project, CT_ARGS(time_limit), "__complete", subs[i][0], subs[i][1], "--")
			       : CT_RUN(project, CT_ARGS(time_limit), "__complete", subs[i][0], "--");
		cr_assert_eq(help.status, 0);
		const char *blank = strstr(help.out, "\n\n");
		char *usage_line = strndup(help.out, blank ? (size_t)(blank - help.out) : strlen(help.out));
		size_t in_usage = 0;
		for (const char *p = strstr(usage_line, "--"); p; p = strstr(p + 2, "--")) {
			if (p[2] == ' ' || p[2] == '\0')
				continue; /* lock run's "-- COMMAND" */
			char *option = strndup(p, strcspn(p, " ]\n"));
			char *line = tu_fmt("%s\n", option);
			cr_assert(tu_contains(offered.out, line), "'%s' of '%s' is not offered:\n%s", option,
				  usage_line, offered.out);
			/* Count each option once, however many usage lines name it. */
			char *first = strstr(usage_line, option);
			while (first && first[strlen(option)] != ' ' && first[strlen(option)] != ']' &&
			       first[strlen(option)] != '\n' && first[strlen(option)] != '\0')
				first = strstr(first + 1, option);
			if (first == p)
				in_usage++;
			free(line);
			free(option);
		}
		size_t n_offered = 0;
		for (const char *p = offered.out; *p; p++)
			n_offered += *p == '\n';
		cr_assert_eq(n_offered, in_usage + sizeof globals / sizeof globals[0],
			     "'%s': __complete offers options its usage does not name:\n%s", usage_line, offered.out);
		free(usage_line);
		tu_result_free(&help);
		tu_result_free(&offered);
	}
}

Test(complete, never_prints_an_error)
{
	free(tu_write(project, ".otto/settings.toml", "[lab\nbackend = \n"));
	tu_result r = CT_RUN(project, NULL, "__complete", "--", "lab", "show", "");
	cr_assert_eq(r.status, 0);
	cr_assert_str_empty(r.out);
	cr_assert_str_empty(r.err);
	tu_result_free(&r);
}

Test(complete, makes_no_lock_folder)
{
	free(tu_write(project, ".otto/settings.toml", "[locks]\ndir = \"not-yet\"\n"));
	tu_result r = CT_RUN(project, NULL, "__complete", "--", "lock", "release", "");
	cr_assert_eq(r.status, 0);
	cr_assert_str_empty(r.out);
	char *folder = tu_fmt("%s/not-yet", project);
	cr_assert(access(folder, F_OK) != 0, "completion made the lock folder %s", folder);
	free(folder);
	tu_result_free(&r);
}

/* A plugin whose registration never returns: no candidates, at once. */
Test(complete, never_blocks)
{
	char *settings =
	    tu_fmt("[plugins]\npath = [\"%s\"]\n[lab]\nbackend = \"example\"\n", OTTO_TEST_PLUGIN_DIR "/cli_blocker");
	free(tu_write(project, ".otto/settings.toml", settings));
	tu_result r = CT_RUN(project, CT_ARGS("OTTO_COMPLETE_TIMEOUT_MS=300"), "__complete", "--", "lab", "show", "");
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_empty(r.out);
	cr_assert_str_empty(r.err);
	tu_result_free(&r);
	free(settings);
}

/* ------------------------------------------------------------ shells -- */

static char *shell_run(const char *shell, const char *script)
{
	if (access(shell, X_OK) != 0)
		cr_skip_test("%s is not installed (.ci/install-deps installs it)", shell);
	tu_result r = tu_run(CT_ARGS(shell, "-c", script), project,
			     CT_ARGS("OTTO_PLUGIN_PATH=", "LOGNAME=tester", time_limit), 60);
	cr_assert_eq(r.status, 0, "%s: %s", shell, r.err);
	char *out = strdup(r.out);
	tu_result_free(&r);
	return out;
}

/* The candidates bash offers for "otto WORDS...", the last being completed. */
static char *bash_complete(const char *words)
{
	char *script = tu_fmt("source '%s/otto.bash' || exit 3\n"
			      "complete -p otto | grep -q -- '-F _otto otto$' || exit 4\n"
			      "COMP_WORDS=('%s' %s); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
			      "_otto; printf '%%s\\n' \"${COMPREPLY[@]}\"\n",
			      COMPLETION_DIR, OTTO_BIN, words);
	char *out = shell_run("/bin/bash", script);
	free(script);
	return out;
}

Test(complete, bash)
{
	char *out = bash_complete("lab show ''");
	cr_assert_str_eq(out, "bench2\nbench10\n");
	free(out);
	out = bash_complete("lock acquire b");
	cr_assert_str_eq(out, "b2\nb10\n", "host ids");
	free(out);
	out = bash_complete("--as-user a");
	cr_assert_str_eq(out, "alice\n");
	free(out);
	out = bash_complete("lock release ''");
	cr_assert_str_eq(out, "rack7\n");
	free(out);
}

static char *zsh_complete(const char *words)
{
	/* compadd and _files stand in for zsh's completion system: the
	 * script's own logic runs in real zsh. */
	char *script = tu_fmt("compadd() { [ \"$1\" = -- ] && shift; printf '%%s\\n' \"$@\"; }\n"
			      "_files() { echo FILES; }\n"
			      "words=('%s' %s); CURRENT=${#words[@]}\n"
			      "source '%s/_otto'\n",
			      OTTO_BIN, words, COMPLETION_DIR);
	char *out = shell_run("/usr/bin/zsh", script);
	free(script);
	return out;
}

Test(complete, zsh)
{
	char *out = zsh_complete("lab show ''");
	cr_assert_str_eq(out, "bench2\nbench10\n");
	free(out);
	out = zsh_complete("lock acquire b");
	cr_assert_str_eq(out, "b2\nb10\n");
	free(out);
	out = zsh_complete("--as-user ''");
	cr_assert_str_eq(out, "alice\nbob\n");
	free(out);
	out = zsh_complete("lock release r");
	cr_assert_str_eq(out, "rack7\n");
	free(out);
	out = zsh_complete("--settings ''");
	cr_assert_str_eq(out, "FILES\n");
	free(out);
}

static char *fish_complete(const char *line)
{
	/* complete -C asks fish's real completion machinery. */
	char *script = tu_fmt("source '%s/otto.fish'; or exit 3\n"
			      "function otto; '%s' $argv; end\n"
			      "complete -C '%s' | string replace -r '\\t.*' ''\nexit 0\n",
			      COMPLETION_DIR, OTTO_BIN, line);
	char *out = shell_run("/usr/bin/fish", script);
	free(script);
	return out;
}

Test(complete, fish)
{
	char *out = fish_complete("otto lab show ");
	cr_assert_str_eq(out, "bench2\nbench10\n");
	free(out);
	out = fish_complete("otto lock acquire b");
	cr_assert_str_eq(out, "b2\nb10\n");
	free(out);
	out = fish_complete("otto --as-user a");
	cr_assert_str_eq(out, "alice\n");
	free(out);
	out = fish_complete("otto lock release ");
	cr_assert_str_eq(out, "rack7\n");
	free(out);
}
