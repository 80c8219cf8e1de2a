/*
 * The broken-plugin corpus: for every defect, the runner must report
 * exactly the rule(s) it breaks and no other.
 */
#include "conformance_test.h"

#include <otto/plugin.h>

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Run the runner on broken_<name>.so (TAP) and assert the failed rules and
 * the exit code; extra arguments follow. Returns the result for more checks. */
static tu_result check_case(const char *name, const char *expected, int exit_code, const char *const *extra)
{
	char *so = tu_fmt("%s/broken_%s.so", CORPUS_DIR, name);
	const char *args[32] = {so, "--format", "tap"};
	size_t n = 3;
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	tu_result r = ct_run(args);
	char *failed = ct_failed_rules(r.out);
	cr_expect_str_eq(failed, expected, "%s: failed rules '%s', expected '%s'\n%s\n%s", name, failed, expected, r.out,
			 r.err);
	cr_expect_eq(r.status, exit_code, "%s: exit %d, expected %d\n%s", name, r.status, exit_code, r.err);
	char *why;
	cr_expect(ct_tap_well_formed(r.out, &why), "%s: malformed TAP: %s", name, why);
	free(why);
	free(failed);
	free(so);
	return r;
}

#define CASE(test, name, expected, code, ...)                                                                          \
	Test(corpus, test)                                                                                             \
	{                                                                                                              \
		static const char *const extra[] = {__VA_ARGS__, NULL};                                               \
		tu_result r = check_case(name, expected, code, extra);                                                 \
		tu_result_free(&r);                                                                                    \
	}

#define TRUTH "--expect-lab", "east", "--known-user", "alice", "--known-resource", "shared"

/* The baseline: the same plugin without a defect passes everything. */
CASE(baseline_passes, "none", "", 0, TRUTH)

/* Plugin-level rules: the plugin is unusable, exit 2. */
CASE(unresolved_symbol, "c1", "C1", 2, NULL)
CASE(registration_fails, "c2", "C2", 2, NULL)
CASE(wrong_abi_major, "c3", "C3", 2, NULL)

CASE(missing_destroy, "c4", "C4", 1, NULL)
CASE(error_without_message, "c5", "C5", 1, NULL)
CASE(null_in_list, "c6", "C6", 1, NULL)
CASE(writes_to_stdout, "c7", "C7", 1, NULL)
CASE(ignores_host_error, "e1", "E1", 1, NULL)

/* Registration defects: otto refuses the file, so only their rule fails
 * and no backend is exercised (test_trust.c checks the messages). */
CASE(registration_crashes, "c8_crash", "C8", 2, NULL)
CASE(registration_exits, "c8_exit", "C8", 2, NULL)
CASE(registration_hangs, "c8_hang", "C8", 2, "--timeout", "1")
CASE(registration_prints, "c8_stdout", "C8", 2, NULL)
CASE(name_with_a_space, "c9_space", "C9", 2, NULL)
CASE(name_too_long, "c9_long", "C9", 2, NULL)
CASE(type_struct_too_large, "c3_size", "C3", 2, NULL)

CASE(create_fails, "l1", "L1", 1, NULL)
CASE(no_list_labs, "l2", "L2", 1, NULL)
CASE(no_load_lab, "l3", "L3", 1, NULL)
CASE(list_labs_fails, "l4", "L4", 1, NULL)
CASE(duplicate_labs, "l5", "L5", 1, NULL)
CASE(listed_lab_does_not_load, "l6", "L6", 1, NULL)
CASE(malformed_host, "l8", "L8", 1, NULL)
CASE(host_key_differs_from_id, "l9", "L9", 1, NULL)
CASE(second_load_fails, "l10", "L10", 1, NULL)
CASE(non_idempotent_lab, "l11", "L11", 1, NULL)
CASE(not_found_as_generic_error, "l12", "L12", 1, NULL)
CASE(expected_lab_not_listed, "l13", "L13", 1, "--expect-lab", "west")
Test(corpus, link_to_a_host_outside_the_lab)
{
	tu_result r = check_case("l15", "L15", 1, NULL);
	cr_expect(tu_contains(r.out, "lab \\\"east\\\": links[0] has no endpoint among the lab's hosts (endpoints[0] "
				     "names host \\\"router9\\\")"),
		  "%s", r.out);
	tu_result_free(&r);
}

CASE(summaries_fail, "s1", "S1", 1, NULL)
CASE(summary_without_element, "s2", "S2", 1, NULL)
CASE(summary_without_labs, "s4", "S4", 1, NULL)
/* libotto itself refuses an empty summary id: the call fails (S1). */
CASE(summary_empty_id, "s5", "S1", 1, NULL)
CASE(summary_duplicate_id, "s6", "S6", 1, NULL)
CASE(summary_of_no_host, "s7", "S7", 1, NULL)
CASE(summary_missing_host, "s8", "S8", 1, NULL)
CASE(summary_ip_differs, "s9", "S9", 1, NULL)
CASE(summary_element_differs, "s10", "S10", 1, NULL)
CASE(summary_element_id_differs, "s11", "S11", 1, NULL)
CASE(summary_docker_differs, "s12", "S12", 1, NULL)
CASE(summary_labs_differ, "s13", "S13", 1, NULL)

CASE(reservation_create_fails, "r1", "R1", 1, NULL)
CASE(no_backend_name, "r2", "R2", 1, NULL)
CASE(no_get_reserved_resources, "r3", "R3", 1, NULL)
CASE(no_who_reserved, "r4", "R4", 1, NULL)
CASE(empty_backend_name, "r5", "R5", 1, NULL)
CASE(unstable_backend_name, "r6", "R6", 1, NULL)
CASE(unknown_user_is_an_error, "r7", "R7", 1, NULL)
CASE(duplicate_reserved_resources, "r8", "R8", 1, NULL)
CASE(duplicate_holders, "r9", "R9", 1, NULL)
CASE(nondeterministic_holders, "r10", "R10", 1, NULL)
CASE(known_user_not_a_holder, "r11", "R11", 1, TRUTH)
CASE(holder_without_the_resource, "r13", "R13", 1, NULL)

CASE(windows_fail, "w1", "W1", 1, NULL)
CASE(window_without_resource, "w2", "W2", 1, NULL)
CASE(window_start_after_end, "w3", "W3", 1, NULL)
CASE(window_beyond_far_future, "w4", "W4", 1, NULL)
CASE(window_not_in_flat_set, "w5", "W5", 1, NULL)
CASE(flat_set_not_in_windows, "w6", "W6", 1, NULL)
CASE(usernames_fail, "u1", "U1", 1, NULL)
CASE(duplicate_usernames, "u2", "U2", 1, NULL)

Test(corpus, crash_in_list_labs)
{
	tu_result r = check_case("crash_list_labs", "L4", 1, NULL);
	cr_expect(tu_contains(r.out, "list_labs() crashed with SIGSEGV"), "%s", r.out);
	tu_result_free(&r);
}

Test(corpus, hang_in_who_reserved, .timeout = 30)
{
	/* 1 s, scaled: under valgrind the calls before the hang need longer. */
	char limit[16];
	snprintf(limit, sizeof limit, "%d", tu_scaled_seconds(1));
	const char *const extra[] = {"--timeout", limit, NULL};
	tu_result r = check_case("hang_who_reserved", "R9", 1, extra);
	char *what = tu_fmt("who_reserved(\\\"__otto_conformance_probe_resource__\\\") did not return within the %s s limit",
			    limit);
	cr_expect(tu_contains(r.out, what), "no '%s' in %s", what, r.out);
	free(what);
	tu_result_free(&r);
}

Test(corpus, messages_say_what_was_called_and_what_came_back)
{
	tu_result r = check_case("l9", "L9", 1, NULL);
	cr_expect(tu_contains(r.out, "lab \\\"east\\\": a host is stored under key \\\"router-one\\\" but its id is "
				     "\\\"router1\\\""),
		  "%s", r.out);
	tu_result_free(&r);
	r = check_case("r9", "R9", 1, NULL);
	cr_expect(tu_contains(r.out, "who_reserved(\\\"shared\\\") answered duplicates [\\\"alice\\\"]"), "%s", r.out);
	tu_result_free(&r);
	r = check_case("c3", "C3", 2, NULL);
	char *abi = tu_fmt("plugin ABI 2.0, host ABI 1.%d", OTTO_ABI_MINOR);
	cr_expect(tu_contains(r.out, abi), "%s", r.out);
	free(abi);
	tu_result_free(&r);
	r = check_case("c1", "C1", 2, NULL);
	cr_expect(tu_contains(r.out, "undefined symbol: otto_broken_missing_function"), "%s", r.out);
	tu_result_free(&r);
}
