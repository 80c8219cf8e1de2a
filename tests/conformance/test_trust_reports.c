/*
 * Issue 10, part two: one run for every report. The console text always,
 * plus any number of --format FORMAT:FILE / --junit / --tap / --json
 * reports; JUnit validated against junit.xsd (xmllint), TAP parsed by
 * perl's TAP::Parser (what prove uses), JSON by perl's JSON::PP; a report
 * that cannot be written exits 2; --focus / --skip-regex select rules.
 */
#include "conformance_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#define SO(name) CORPUS_DIR "/broken_" name ".so"
#define RUN(...) ct_run((const char *const[]){__VA_ARGS__, NULL})

static tu_result run_tool(const char *const *argv)
{
	return tu_run(argv, NULL, NULL, 60);
}

static void expect_exit(const tu_result *r, int status)
{
	cr_assert_eq(r->status, status, "exit %d, expected %d\nstdout:\n%s\nstderr:\n%s", r->status, status, r->out,
		     r->err);
}

static void junit_valid(const char *path)
{
	tu_result v = run_tool((const char *const[]){CONF_XMLLINT, "--noout", "--schema", CONF_JUNIT_XSD, path, NULL});
	cr_assert_eq(v.status, 0, "%s is not valid JUnit XML (junit.xsd): %s", path, v.err);
	tu_result_free(&v);
}

/* TAP::Parser (prove's parser): no parse error, the plan matches, and the
 * number of failed test points is `failed`. */
static void tap_valid(const char *path, int failed)
{
	static const char script[] =
	    "use TAP::Parser; open my $f, '<', $ARGV[0] or die $!; my $tap = do { local $/; <$f> };"
	    "my $p = TAP::Parser->new({tap => $tap}); $p->run;"
	    "my @e = $p->parse_errors; die join(qq{\\n}, @e) . qq{\\n} if @e;"
	    "die qq{bad plan\\n} unless $p->is_good_plan;"
	    "print scalar($p->failed), qq{\\n};";
	tu_result v = run_tool((const char *const[]){CONF_PERL, "-e", script, path, NULL});
	cr_assert_eq(v.status, 0, "TAP::Parser rejects %s: %s", path, v.err);
	char *want = tu_fmt("%d\n", failed);
	cr_assert_str_eq(v.out, want, "failed test points in %s", path);
	free(want);
	tu_result_free(&v);
}

/* JSON::PP decodes it; summary.failed and the first violated rule's id. */
static void json_valid(const char *path, int failed, const char *failed_rule)
{
	static const char script[] =
	    "use JSON::PP; open my $f, '<', $ARGV[0] or die $!; my $d = decode_json(do { local $/; <$f> });"
	    "my @f = map { $_->{id} } grep { $_->{state} eq 'fail' } map { @{$_->{rules}} } @{$d->{sections}};"
	    "print $d->{summary}{failed}, ' ', join(',', @f), qq{\\n};";
	tu_result v = run_tool((const char *const[]){CONF_PERL, "-e", script, path, NULL});
	cr_assert_eq(v.status, 0, "JSON::PP rejects %s: %s", path, v.err);
	char *want = tu_fmt("%d %s\n", failed, failed_rule);
	cr_assert_str_eq(v.out, want, "%s", path);
	free(want);
	tu_result_free(&v);
}

/* The CI case: one run gives the log and the report. */
Test(conformance_reports, junit_file_and_console_text)
{
	char *dir = tu_mkdtemp();
	char *xml = tu_fmt("%s/r.xml", dir);
	tu_result r = RUN(SO("l9"), "--format", "junit", "--output", xml);
	expect_exit(&r, 1);
	cr_assert(tu_contains(r.out, "FAIL  L9   every host key equals the host's id"), "%s", r.out);
	cr_assert(tu_contains(r.out, "passed, 1 failed,"), "%s", r.out);
	junit_valid(xml);
	char *text = tu_read(xml);
	cr_assert(tu_contains(text, "<failure type=\"L9\""), "%s", text);
	free(text);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(xml);
	free(dir);
}

Test(conformance_reports, every_format_in_one_run)
{
	char *dir = tu_mkdtemp();
	char *xml = tu_fmt("%s/r.xml", dir), *tap = tu_fmt("%s/r.tap", dir), *json = tu_fmt("%s/r.json", dir);
	char *junit_arg = tu_fmt("junit:%s", xml), *text = tu_fmt("text:%s/r.txt", dir);
	tu_result r = RUN(SO("l9"), "--format", junit_arg, "--tap", tap, "--json", json, "--format", text);
	expect_exit(&r, 1);
	cr_assert(tu_contains(r.out, "otto-conformance "), "console text: %s", r.out);
	junit_valid(xml);
	tap_valid(tap, 1);
	json_valid(json, 1, "L9");
	char *txt_path = tu_fmt("%s/r.txt", dir);
	char *copy = tu_read(txt_path);
	cr_assert(tu_contains(copy, "FAIL  L9 "), "%s", copy);
	free(copy);
	free(txt_path);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(xml), free(tap), free(json), free(junit_arg), free(text), free(dir);
}

/* Blocked rules are skips in every format, and the files stay valid. */
Test(conformance_reports, blocked_rules_in_every_format)
{
	char *dir = tu_mkdtemp();
	char *xml = tu_fmt("%s/r.xml", dir), *tap = tu_fmt("%s/r.tap", dir), *json = tu_fmt("%s/r.json", dir);
	tu_result r = RUN(SO("r1"), "--kind", "reservation", "--skip", "R1", "--junit", xml, "--tap", tap, "--json", json);
	expect_exit(&r, 3);
	junit_valid(xml);
	tap_valid(tap, 0);
	json_valid(json, 0, "");
	char *data = tu_read(json);
	cr_assert(tu_contains(data, "\"state\": \"blocked\", \"reason\": \"not checked: a prerequisite failed: create()"),
		  "%s", data);
	free(data);
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(xml), free(tap), free(json), free(dir);
}

Test(conformance_reports, two_reports_cannot_share_stdout)
{
	tu_result r = RUN(SO("none"), "--format", "tap", "--format", "json");
	expect_exit(&r, 2);
	cr_assert(tu_contains(r.err, "two reports would go to stdout"), "%s", r.err);
	tu_result_free(&r);
}

/* stdout on a full device: the report was not written, so not exit 0 (nor 1). */
Test(conformance_reports, write_error_on_stdout)
{
	tu_result r = run_tool((const char *const[]){"/bin/sh", "-c", "exec \"$@\" >/dev/full", "sh",
						     OTTO_CONFORMANCE_BIN, SO("none"), NULL});
	expect_exit(&r, 2);
	cr_assert(tu_contains(r.err, "cannot write the report to stdout: No space left on device"), "%s", r.err);
	tu_result_free(&r);
	r = run_tool((const char *const[]){"/bin/sh", "-c", "exec \"$@\" >/dev/full", "sh", OTTO_CONFORMANCE_BIN,
					   "--list-rules", NULL});
	expect_exit(&r, 2);
	tu_result_free(&r);
}

Test(conformance_reports, unwritable_report_file)
{
	tu_result r = RUN(SO("none"), "--junit", "/nonexistent-folder/r.xml");
	expect_exit(&r, 2);
	cr_assert(tu_contains(r.err, "cannot write the report to /nonexistent-folder/r.xml: No such file or directory"),
		  "%s", r.err);
	cr_assert(tu_contains(r.out, "passed, 0 failed"), "the console report is still written: %s", r.out);
	tu_result_free(&r);
}

/* ------------------------------------------------------------ selectors -- */

Test(conformance_reports, focus_on_statement)
{
	tu_result r = RUN("--list-rules", "--focus", "who_reserved");
	expect_exit(&r, 0);
	cr_assert(tu_contains(r.out, "R4 ") && tu_contains(r.out, "R9 ") && tu_contains(r.out, "R10 "), "%s", r.out);
	cr_assert(!tu_contains(r.out, "L1 ") && !tu_contains(r.out, "R7 "), "%s", r.out);
	tu_result_free(&r);
}

Test(conformance_reports, skip_regex_on_id)
{
	tu_result r = RUN("--list-rules", "--skip-regex", "^(S|W|U)[0-9]+ ");
	expect_exit(&r, 0);
	cr_assert(!tu_contains(r.out, "S1 ") && !tu_contains(r.out, "W1 ") && !tu_contains(r.out, "U1 "), "%s", r.out);
	cr_assert(tu_contains(r.out, "L1 ") && tu_contains(r.out, "R13 "), "%s", r.out);
	tu_result_free(&r);
}

Test(conformance_reports, focus_runs_only_what_it_names)
{
	tu_result r = RUN(SO("l9"), "--focus", "^L9 ", "--format", "tap");
	expect_exit(&r, 1);
	cr_assert(tu_contains(r.out, "1..1\n"), "%s", r.out);
	tu_result_free(&r);
}

Test(conformance_reports, bad_selectors)
{
	tu_result r = RUN(SO("none"), "--focus", "(");
	expect_exit(&r, 2);
	cr_assert(tu_contains(r.err, "--focus: '(' is not a regular expression"), "%s", r.err);
	tu_result_free(&r);
	r = RUN(SO("none"), "--focus", "no rule says this");
	expect_exit(&r, 2);
	cr_assert(tu_contains(r.err, "leave no rule to run"), "%s", r.err);
	tu_result_free(&r);
}
