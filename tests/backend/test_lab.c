/*
 * otto_lab_repository_*: opening, load_lab building and validating hosts,
 * and how plugin failures are reported.
 */
#include "backend_test.h"

#include <stdint.h>

TestSuite(lab, .init = registry_setup, .fini = registry_teardown, .timeout = 30);

/* Load `lab` from the "cases" backend, expecting failure `code`; returns the
 * message (static storage). */
static const char *load_fails(const char *lab, int code)
{
	static otto_error err;
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *out = (otto_lab *)(uintptr_t)1;
	memset(&err, 0, sizeof err);
	int rc = otto_lab_repository_load_lab(repo, lab, NULL, &out, &err);
	cr_assert_eq(rc, code, "load_lab(%s) returned %d (%s), expected %d", lab, rc, err.message, code);
	cr_assert_eq(err.code, code, "err.code for %s", lab);
	cr_assert_null(out, "no lab on failure (%s)", lab);
	otto_lab_repository_free(repo);
	return err.message;
}

static otto_lab *load_ok(otto_lab_repository *repo, const char *lab)
{
	otto_lab *out = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_load_lab(repo, lab, NULL, &out, &err), OTTO_OK, "load_lab(%s): %s", lab,
		     err.message);
	cr_assert_not_null(out);
	return out;
}

#define ASSERT_LOAD_FAILS(lab, code, message)                                                                          \
	do {                                                                                                           \
		const char *got_ = load_fails(lab, code);                                                              \
		cr_assert_str_eq(got_, message, "lab %s: got \"%s\"", lab, got_);                                    \
	} while (0)

Test(lab, region_lab_built_and_sorted)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	cr_assert_str_eq(otto_lab_repository_name(repo), "cases");
	otto_lab *lab = load_ok(repo, "east");
	cr_assert_str_eq(lab->name, "east");
	cr_assert_eq(lab->n_hosts, 2);
	cr_assert_str_eq(lab->hosts[0].key, "router1");
	cr_assert_str_eq(lab->hosts[1].key, "shared-host2");
	const otto_host_rec *r = otto_lab_host(lab, "router1");
	cr_assert_not_null(r);
	cr_assert_str_eq(r->id, "router1");
	cr_assert_str_eq(r->ip, "10.0.0.1");
	cr_assert_str_eq(r->element, "router1");
	cr_assert_eq(r->element_id, OTTO_NO_NUMBER);
	cr_assert_null(r->board);
	cr_assert_eq(r->slot, OTTO_NO_NUMBER);
	cr_assert_str_eq(r->os_type, "unix");
	cr_assert_eq(r->n_creds, 1);
	cr_assert_str_eq(r->creds[0].login, "admin");
	cr_assert_str_eq(r->creds[0].password, "admin");
	cr_assert_null(r->extra_json);
	cr_assert_eq(r->docker_capable, false);
	const otto_host_rec *s = otto_lab_host(lab, "shared-host2");
	cr_assert_not_null(s);
	cr_assert_eq(s->docker_capable, true);
	/* Host resources: sorted, unique. Lab resources: the union. */
	cr_assert_eq(s->resources.count, 2);
	cr_assert_str_eq(s->resources.items[0], "alpha");
	cr_assert_str_eq(s->resources.items[1], "zeta");
	cr_assert_eq(lab->resources.count, 3);
	cr_assert_str_eq(lab->resources.items[0], "alpha");
	cr_assert_str_eq(lab->resources.items[1], "router1");
	cr_assert_str_eq(lab->resources.items[2], "zeta");
	cr_assert_null(otto_lab_host(lab, "router2"));
	cr_assert_null(otto_lab_host(lab, "a"));
	cr_assert_null(otto_lab_host(lab, "zzz"));
	cr_assert_eq(otto_strlist_index(&lab->resources, "zeta"), 2);
	cr_assert_eq(otto_strlist_index(&lab->resources, "nope"), -1);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

Test(lab, every_load_is_fresh)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *a = load_ok(repo, "west");
	otto_lab *b = load_ok(repo, "west");
	cr_assert_neq(a, b);
	cr_assert_neq(a->hosts, b->hosts);
	cr_assert_str_eq(a->hosts[0].key, b->hosts[0].key);
	otto_lab_free(a);
	otto_lab_free(b);
	otto_lab_repository_free(repo);
}

Test(lab, hosts_sorted_by_key_and_extras_unioned)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_ok(repo, "sorted");
	cr_assert_eq(lab->n_hosts, 3);
	cr_assert_str_eq(lab->hosts[0].key, "alpha");
	cr_assert_str_eq(lab->hosts[1].key, "mike");
	cr_assert_str_eq(lab->hosts[2].key, "zulu");
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(otto_lab_host(lab, lab->hosts[i].key), &lab->hosts[i]);
	otto_lab_free(lab);

	lab = load_ok(repo, "tech1");
	const char *want[] = {"carrot", "lab-a", "shared", "tomato"};
	cr_assert_eq(lab->resources.count, 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_str_eq(lab->resources.items[i], want[i]);
	const otto_host_rec *h1 = otto_lab_host(lab, "h1");
	cr_assert_eq(h1->resources.count, 2);
	cr_assert_str_eq(h1->resources.items[0], "carrot");
	cr_assert_str_eq(h1->resources.items[1], "lab-a");
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

Test(lab, every_field_copied)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_ok(repo, "full");
	cr_assert_eq(lab->n_hosts, 1);
	const otto_host_rec *h = &lab->hosts[0];
	cr_assert_str_eq(h->id, "bb-13500_qemu4");
	cr_assert_str_eq(h->key, "bb-13500_qemu4");
	cr_assert_str_eq(h->element, "BB 1350");
	cr_assert_eq(h->element_id, 0);
	cr_assert_str_eq(h->board, "Qemu");
	cr_assert_eq(h->slot, 4);
	cr_assert_eq(h->labs.count, 2);
	cr_assert_str_eq(h->labs.items[0], "full");
	cr_assert_str_eq(h->labs.items[1], "other");
	cr_assert_eq(h->n_creds, 2);
	cr_assert_str_eq(h->creds[0].login, "root");
	cr_assert_null(h->creds[0].password);
	cr_assert_str_eq(h->creds[1].password, "secret");
	cr_assert_str_eq(h->extra_json, "{\"interfaces\":{\"eth0\":\"10.1.1.1\"}}");
	otto_lab_free(lab);

	lab = load_ok(repo, "empty");
	cr_assert_str_eq(lab->name, "empty");
	cr_assert_eq(lab->n_hosts, 0);
	cr_assert_null(otto_lab_host(lab, "x"));
	otto_lab_free(lab);

	lab = load_ok(repo, "bare");
	cr_assert_str_eq(lab->hosts[0].ip, "");
	cr_assert_eq(lab->resources.count, 0);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

Test(lab, key_other_than_id_kept)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_ok(repo, "key-not-id");
	cr_assert_str_eq(lab->hosts[0].key, "custom");
	cr_assert_str_eq(lab->hosts[0].id, "dut3");
	cr_assert_not_null(otto_lab_host(lab, "custom"));
	cr_assert_null(otto_lab_host(lab, "dut3"));
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

Test(lab, older_shorter_host_struct)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_lab *lab = load_ok(repo, "old-struct");
	const otto_host_rec *h = &lab->hosts[0];
	cr_assert_str_eq(h->id, "dut");
	cr_assert_eq(h->docker_capable, false, "docker_capable is past the plugin's struct_size");
	cr_assert_eq(h->n_creds, 0);
	cr_assert_null(h->creds);
	cr_assert_null(h->extra_json);
	otto_lab_free(lab);
	otto_lab_repository_free(repo);
}

#define HOST0(lab) "lab backend 'cases': lab '" lab "', host 0: "

Test(lab, invalid_hosts_named)
{
	ASSERT_LOAD_FAILS("null-host", OTTO_ERROR, "lab backend 'cases': lab 'null-host', host 1: the host record is NULL");
	ASSERT_LOAD_FAILS("null-element", OTTO_ERROR, HOST0("null-element") "element is NULL");
	ASSERT_LOAD_FAILS("empty-element", OTTO_ERROR,
			  HOST0("empty-element") "element '!!' has no letter or digit, so its id would be empty");
	ASSERT_LOAD_FAILS("empty-board", OTTO_ERROR,
			  HOST0("empty-board") "board '--' has no letter or digit, so its part of the id would be empty");
	ASSERT_LOAD_FAILS("neg-element-id", OTTO_ERROR, HOST0("neg-element-id") "element_id -5 is negative (-1 means none)");
	ASSERT_LOAD_FAILS("neg-slot", OTTO_ERROR, HOST0("neg-slot") "slot -2 is negative (-1 means none)");
	ASSERT_LOAD_FAILS("null-ip", OTTO_ERROR, HOST0("null-ip") "ip is NULL (use \"\" when the record has none)");
	ASSERT_LOAD_FAILS("empty-key", OTTO_ERROR, HOST0("empty-key") "key is empty (NULL stores the host under its id)");
	ASSERT_LOAD_FAILS("null-resource", OTTO_ERROR, HOST0("null-resource") "resources[1] is NULL");
	ASSERT_LOAD_FAILS("null-resources-array", OTTO_ERROR,
			  HOST0("null-resources-array") "resources is NULL but n_resources is 2");
	ASSERT_LOAD_FAILS("null-lab", OTTO_ERROR, HOST0("null-lab") "labs[0] is NULL");
	ASSERT_LOAD_FAILS("null-login", OTTO_ERROR, HOST0("null-login") "creds[1].login is NULL");
	ASSERT_LOAD_FAILS("null-extra-resource", OTTO_ERROR,
			  "lab backend 'cases': lab 'null-extra-resource': add_resource got a NULL resource");
}

Test(lab, duplicate_key_names_both_hosts)
{
	ASSERT_LOAD_FAILS("dup-key", OTTO_ERROR, "lab backend 'cases': lab 'dup-key': hosts 0 and 2 have the same key 'a'");
	ASSERT_LOAD_FAILS("dup-key-unordered", OTTO_ERROR,
			  "lab backend 'cases': lab 'dup-key-unordered': hosts 0 and 2 have the same key 'b'");
}

/* In a worker the plugin's adds are streamed, so its first refused host
 * ends the call with the host's own message, whatever the plugin then
 * returns; in process the plugin sees the refusal and answers for itself. */
Test(lab, plugin_ignoring_a_host_error)
{
	ASSERT_LOAD_FAILS("ignore-error", OTTO_ERROR, HOST0("ignore-error") "element is NULL");
	use_in_process();
	ASSERT_LOAD_FAILS("ignore-error", OTTO_EPLUGIN,
			  "lab backend 'cases' ignored an error from the host: " HOST0("ignore-error") "element is NULL");
}

Test(lab, plugin_wrapping_the_host_error)
{
	ASSERT_LOAD_FAILS("wrapped-error", OTTO_ERROR, HOST0("wrapped-error") "element is NULL");
	use_in_process();
	ASSERT_LOAD_FAILS("wrapped-error", OTTO_ERROR,
			  "lab backend 'cases': lab.json:7: " HOST0("wrapped-error") "element is NULL");
}

Test(lab, failure_after_hosts_leaves_nothing)
{
	ASSERT_LOAD_FAILS("fail-after-hosts", OTTO_ERROR, "lab backend 'cases': lab.json: disk on fire");
}

Test(lab, failure_without_message)
{
	ASSERT_LOAD_FAILS("empty-message", OTTO_ERROR, "lab backend 'cases' failed (ERROR) without a message in load_lab");
}

Test(lab, unknown_status_value)
{
	ASSERT_LOAD_FAILS("unknown-status", OTTO_EPLUGIN,
			  "lab backend 'cases' returned 42 from load_lab, which is not an otto status");
}

Test(lab, other_plugin_codes_are_repository_errors)
{
	ASSERT_LOAD_FAILS("invalid-status", OTTO_ERROR, "lab backend 'cases': preference 'speed' must be a number");
}

Test(lab, not_found_passes_through)
{
	ASSERT_LOAD_FAILS("no-such-lab", OTTO_ENOTFOUND, "lab backend 'cases': no lab named 'no-such-lab'");
	ASSERT_LOAD_FAILS("notfound-own", OTTO_ENOTFOUND, "lab backend 'cases': lab 'notfound-own' is not in /srv/lab.json");
}

Test(lab, list_labs_as_given)
{
	otto_lab_repository *repo = open_lab("cases", NULL);
	otto_strlist labs;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_list_labs(repo, &labs, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(labs.count, 2);
	cr_assert_str_eq(labs.items[0], "west");
	cr_assert_str_eq(labs.items[1], "east");
	otto_strlist_free(&labs);
	cr_assert_eq(labs.count, 0);
	cr_assert_null(labs.items);
	otto_strlist_free(&labs);
	otto_lab_repository_free(repo);
}

Test(lab, create_failures_keep_their_code)
{
	struct {
		const char *fail;
		int code;
		const char *message;
	} cases[] = {
		{"invalid", OTTO_EINVALID, "lab backend 'cases': setting 'fail' says invalid"},
		{"error", OTTO_ERROR, "lab backend 'cases': cannot reach the lab database"},
		{"empty", OTTO_ERROR, "lab backend 'cases' failed (ERROR) without a message in create"},
		{"status", OTTO_EPLUGIN, "lab backend 'cases' returned 42 from create, which is not an otto status"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		test_config tc;
		otto_lab_repository *repo = (otto_lab_repository *)(uintptr_t)1;
		otto_error err = {0, ""};
		int rc = otto_lab_repository_open(&repo, registry, "cases", test_config_init(&tc, "fail", cases[i].fail,
											    NULL, NULL),
						  &err);
		cr_assert_eq(rc, cases[i].code, "fail=%s: %d %s", cases[i].fail, rc, err.message);
		cr_assert_str_eq(err.message, cases[i].message, "fail=%s", cases[i].fail);
		cr_assert_null(repo, "fail=%s", cases[i].fail);
	}
}

Test(lab, unknown_setting_is_invalid_with_prefix)
{
	test_config tc;
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	int rc = otto_lab_repository_open(&repo, registry, "cases", test_config_init(&tc, "colour", "red", NULL, NULL),
					  &err);
	cr_assert_eq(rc, OTTO_EINVALID, "%s", err.message);
	cr_assert_str_eq(err.message, "lab backend 'cases': /repo/.otto/settings.toml:10: unknown key 'colour' in "
				      "[lab.cases] for backend 'cases' (accepted: fail, trace, case)");
}

Test(lab, unknown_backend)
{
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open(&repo, registry, "casez", NULL, &err), OTTO_ENOBACKEND);
	cr_assert(tu_contains(err.message, "'casez'"), "%s", err.message);
	cr_assert(tu_contains(err.message, "Did you mean 'cases'?"), "%s", err.message);
	cr_assert_null(repo);
}

Test(lab, create_and_destroy_once_each)
{
	char *dir = tu_mkdtemp();
	char *trace = tu_fmt("%s/trace", dir);
	test_config tc;
	otto_lab_repository *repo = open_lab("cases", test_config_init(&tc, "trace", trace, NULL, NULL));
	otto_lab *lab = load_ok(repo, "east");
	otto_lab_repository_free(repo);
	/* The result outlives its backend. */
	cr_assert_str_eq(lab->hosts[0].ip, "10.0.0.1");
	otto_lab_free(lab);
	char *text = tu_read(trace);
	cr_assert_str_eq(text, "create\ndestroy\n");
	free(text);
	free(trace);
	tu_rm_rf(dir);
	free(dir);
}

/* ------------------------------------- a type with no plugin file behind -- */

static int stateless_create(const otto_config *config, void **self, otto_error *err)
{
	(void)err;
	cr_assert_str_eq(config->backend, "inline");
	cr_assert_str_eq(config->section, "lab.inline");
	cr_assert_eq(config->n_settings, 0);
	*self = NULL;
	return OTTO_OK;
}

static int stateless_destroyed;

static void stateless_destroy(void *self)
{
	cr_assert_null(self);
	stateless_destroyed++;
}

static int stateless_list(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	return otto_string_out_add(out, NULL, err);
}

static int stateless_load(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			  otto_error *err)
{
	(void)self;
	cr_assert_str_eq(name, "one");
	cr_assert_not_null(preferences);
	cr_assert_str_eq(preferences->settings[0].key, "speed");
	otto_host h = OTTO_HOST_INIT;
	h.element = "x";
	return otto_lab_out_add_host(out, &h, err);
}

static const otto_lab_repository_type inline_type = {sizeof(otto_lab_repository_type), "inline", "test",
						      stateless_create, stateless_destroy, stateless_list,
						      stateless_load, NULL, NULL};

Test(lab_type, open_type_stateless)
{
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_type(&repo, &inline_type, NULL, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(otto_lab_repository_name(repo), "inline");
	cr_assert_not(otto_lab_repository_has_summaries(repo));

	test_config tc;
	otto_lab *lab = NULL;
	cr_assert_eq(otto_lab_repository_load_lab(repo, "one", test_config_init(&tc, "speed", "1", NULL, NULL), &lab,
						  &err),
		     OTTO_OK, "%s", err.message);
	cr_assert_str_eq(lab->hosts[0].key, "x");
	otto_lab_free(lab);

	otto_strlist labs = {1, NULL};
	cr_assert_eq(otto_lab_repository_list_labs(repo, &labs, &err), OTTO_ERROR);
	cr_assert_str_eq(err.message, "lab backend 'inline': list_labs added a NULL string (item 0)");
	cr_assert_eq(labs.count, 0);

	otto_lab_repository_free(repo);
	cr_assert_eq(stateless_destroyed, 1);
}

Test(lab_type, missing_operations)
{
	otto_lab_repository_type t = inline_type;
	t.load_lab = NULL;
	t.list_labs = NULL;
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_type(&repo, &t, NULL, &err), OTTO_OK, "%s", err.message);
	otto_lab *lab = NULL;
	cr_assert_eq(otto_lab_repository_load_lab(repo, "one", NULL, &lab, &err), OTTO_EPLUGIN);
	cr_assert_str_eq(err.message, "lab backend 'inline' does not provide load_lab");
	otto_strlist labs;
	cr_assert_eq(otto_lab_repository_list_labs(repo, &labs, &err), OTTO_EPLUGIN);
	cr_assert_str_eq(err.message, "lab backend 'inline' does not provide list_labs");
	otto_lab_repository_free(repo);

	t.create = NULL;
	cr_assert_eq(otto_lab_repository_open_type(&repo, &t, NULL, &err), OTTO_EPLUGIN);
	cr_assert_str_eq(err.message, "lab backend 'inline' does not provide create");
	cr_assert_null(repo);
}

Test(lab_type, older_type_struct_hides_later_fields)
{
	otto_lab_repository_type t = inline_type;
	t.struct_size = offsetof(otto_lab_repository_type, load_lab);
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open_type(&repo, &t, NULL, &err), OTTO_OK, "%s", err.message);
	otto_lab *lab = NULL;
	cr_assert_eq(otto_lab_repository_load_lab(repo, "one", NULL, &lab, &err), OTTO_EPLUGIN);
	otto_lab_repository_free(repo);
}

Test(results, free_is_safe_on_zeroed_structs)
{
	otto_strlist l = {0, NULL};
	otto_summary_list s = {0, NULL};
	otto_window_list w = {0, NULL};
	otto_check_result c;
	memset(&c, 0, sizeof c);
	otto_strlist_free(&l);
	otto_summary_list_free(&s);
	otto_window_list_free(&w);
	otto_check_result_free(&c);
	otto_strlist_free(NULL);
	otto_lab_free(NULL);
	cr_assert_null(otto_lab_host(NULL, "x"));
	cr_assert_eq(otto_strlist_index(NULL, "x"), -1);
}
