/* The example backends' configuration, through the otto command. */
#include "cli_support.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static tu_result run_with(const char *settings, char **dir, const char *const *argv)
{
	*dir = ct_project(settings);
	return ct_run(*dir, NULL, argv);
}

static void done(tu_result *r, char *dir)
{
	tu_result_free(r);
	tu_rm_rf(dir);
	free(dir);
}

Test(example_config, configured_labs_replace_the_demo)
{
	char *dir;
	tu_result r = run_with("[lab]\nbackend = \"example\"\n\n[lab.example]\n"
			       "hosts = [\"north: sw1 192.0.2.1 sw1 rack1\", \"north, south: psu 192.0.2.9 psu\"]\n"
			       "login = \"ops\"\npassword = \"pw\"\nurl = \"ignored\"\nrepo_root = \"ignored\"\n",
			       &dir, CT_ARGS("lab", "hosts"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "ID   IP         ELEMENT  LABS\n"
				"psu  192.0.2.9  psu      north,south\n"
				"sw1  192.0.2.1  sw1      north\n");
	done(&r, dir);
	r = run_with("[lab]\nbackend = \"example\"\n[lab.example]\nhosts = [\"north: sw1 192.0.2.1 sw1 rack1\"]\n"
		     "login = \"ops\"\npassword = \"pw\"\n",
		     &dir, CT_ARGS("lab", "show", "north", "--json", "--show-passwords"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "\"login\": \"ops\""), "%s", r.out);
	cr_assert(tu_contains(r.out, "\"password\": \"pw\""), "%s", r.out);
	cr_assert(tu_contains(r.out, "\"rack1\""), "%s", r.out);
	done(&r, dir);
}

Test(example_config, configured_holds_replace_the_demo)
{
	char *dir;
	tu_result r = run_with("[reservations]\nbackend = \"example\"\n[reservations.example]\n"
			       "holds = [\"carol: x y\", \"dave:\", \"carol: z\"]\n",
			       &dir, CT_ARGS("reservation", "held", "--as-user", "carol"));
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "x\ny\nz\n");
	tu_result_free(&r);
	r = CT_RUN(dir, NULL, "reservation", "who", "shared");
	cr_assert_str_empty(r.out, "the demo set is gone");
	done(&r, dir);
}

static void expect_error(const char *settings, const char *const *argv, const char *needle)
{
	char *dir;
	tu_result r = run_with(settings, &dir, argv);
	char *where = tu_fmt("%s/.otto/settings.toml:", dir);
	cr_assert_eq(r.status, 2, "exit %d for %s: %s", r.status, needle, r.err);
	cr_assert(tu_contains(r.err, where), "file named: %s", r.err);
	cr_assert(tu_contains(r.err, needle), "expected '%s' in: %s", needle, r.err);
	cr_assert_str_empty(r.out);
	free(where);
	done(&r, dir);
}

#define LAB_HEAD "[lab]\nbackend = \"example\"\n[lab.example]\n"
#define RES_HEAD "[reservations]\nbackend = \"example\"\n[reservations.example]\n"

Test(example_config, errors_name_file_line_and_key)
{
	expect_error(LAB_HEAD "hosts = [\"east router1 10.0.0.1\"]\n", CT_ARGS("lab", "list"),
		     "settings.toml:4: [lab.example] hosts[0]: 'east router1 10.0.0.1' has no ':'");
	expect_error(LAB_HEAD "hosts = [\"east: router1 10.0.0.1\", \"west: router2\"]\n", CT_ARGS("lab", "list"),
		     "settings.toml:4: [lab.example] hosts[1]: 'west: router2' needs an element and an IP");
	expect_error(LAB_HEAD "hosts = [\": router1 10.0.0.1\"]\n", CT_ARGS("lab", "list"), "has nothing before ':'");
	expect_error(LAB_HEAD "hosts = [\",: router1 10.0.0.1\"]\n", CT_ARGS("lab", "list"), "names no lab");
	expect_error(LAB_HEAD "hosts = [\"east: --- 10.0.0.1\"]\n", CT_ARGS("lab", "list"),
		     "element '---' has no letter or digit");
	expect_error(LAB_HEAD "hosts = [\"east: r1 10.0.0.1\", \"west: R1 10.0.0.2\"]\n", CT_ARGS("lab", "list"),
		     "hosts[1]: host 'r1' is already defined by entry 0");
	expect_error(LAB_HEAD "hosts = \"east: r1 10.0.0.1\"\n", CT_ARGS("lab", "list"),
		     "settings.toml:4: [lab.example] hosts: must be an array of strings");
	expect_error(LAB_HEAD "login = 3\n", CT_ARGS("lab", "list"),
		     "settings.toml:4: [lab.example] login: must be a quoted string");
	expect_error(LAB_HEAD "\ncolour = \"red\"\n", CT_ARGS("lab", "list"),
		     "settings.toml:5: unknown key 'colour' in [lab.example] for backend 'example'");
	expect_error(RES_HEAD "holds = [\"alice lab-a\"]\n", CT_ARGS("reservation", "held"),
		     "settings.toml:4: [reservations.example] holds[0]: 'alice lab-a' has no ':'");
	expect_error(RES_HEAD "holds = [\"al ice: lab-a\"]\n", CT_ARGS("reservation", "held"),
		     "user name 'al ice' contains a space");
	expect_error(RES_HEAD "holds = true\n", CT_ARGS("reservation", "who", "x"),
		     "[reservations.example] holds: must be an array of strings");
	expect_error(RES_HEAD "hosts = []\n", CT_ARGS("reservation", "who", "x"),
		     "unknown key 'hosts' in [reservations.example] for backend 'example' (accepted: holds, admins, url, "
		     "repo_root)");
}
