/* Using what a scan found: backend types loaded in this process, the
 * built-in `none`, suggestions and the unknown-backend message. */
#include "core_test.h"
#include "registry/registry.h"

#include <sys/stat.h>
#include <unistd.h>

/* A string out-object that keeps what it is given. */
typedef struct strings {
	otto_string_out base;
	otto_strlist list;
} strings;

static int strings_add(otto_string_out *out, const char *s, otto_error *err)
{
	(void)err;
	strings *st = (strings *)out;
	st->list.items = realloc(st->list.items, (st->list.count + 1) * sizeof *st->list.items);
	st->list.items[st->list.count++] = strdup(s);
	return OTTO_OK;
}

static const otto_string_out_ops strings_ops = {sizeof(otto_string_out_ops), strings_add, NULL};

/* A lab out-object that counts hosts. */
typedef struct host_count {
	otto_lab_out base;
	int hosts;
	char element[64];
} host_count;

static int count_host(otto_lab_out *out, const otto_host *host, otto_error *err)
{
	(void)err;
	host_count *hc = (host_count *)out;
	hc->hosts++;
	snprintf(hc->element, sizeof hc->element, "%s", host->element);
	return OTTO_OK;
}

static int ignore_resource(otto_lab_out *out, const char *resource, otto_error *err)
{
	(void)out;
	(void)resource;
	(void)err;
	return OTTO_OK;
}

static const otto_lab_out_ops host_count_ops = {sizeof(otto_lab_out_ops), count_host, ignore_resource, NULL};

static int no_window(otto_window_out *out, const char *resource, int64_t start, int64_t end, otto_error *err)
{
	(void)out;
	(void)resource;
	(void)start;
	(void)end;
	return otto_error_set(err, OTTO_ERROR, "none must not report a window");
}

static const otto_window_out_ops window_ops = {sizeof(otto_window_out_ops), no_window};

Test(registry_use, scanned_lab_backend_works_in_process)
{
	otto_registry *reg = scan_dir(CASE_DIR("good"));
	const otto_lab_repository_type *type = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto__registry_lab_type(reg, "good", &type, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(type->name, "good");
	cr_assert_eq(type->struct_size, sizeof(otto_lab_repository_type));
	cr_assert_null(type->list_host_summaries);

	otto_config cfg = {sizeof cfg, "good", "lab.good", "/repo", NULL, NULL, 0};
	void *self = NULL;
	cr_assert_eq(type->create(&cfg, &self, &err), OTTO_OK, "%s", err.message);
	strings labs = {{&strings_ops}, {0, NULL}};
	cr_assert_eq(type->list_labs(self, &labs.base, &err), OTTO_OK);
	cr_assert_eq(labs.list.count, 2);
	cr_assert_str_eq(labs.list.items[0], "alpha");
	cr_assert_str_eq(labs.list.items[1], "beta");
	otto_strlist_free(&labs.list);
	host_count hc = {{&host_count_ops}, 0, ""};
	cr_assert_eq(type->load_lab(self, "beta", NULL, &hc.base, &err), OTTO_OK);
	cr_assert_eq(hc.hosts, 1);
	cr_assert_str_eq(hc.element, "beta");
	cr_assert_eq(type->load_lab(self, "gamma", NULL, &hc.base, &err), OTTO_ENOTFOUND);
	cr_assert_str_eq(err.message, "no lab named 'gamma'");
	type->destroy(self);

	/* The module stays open: asking again gives the same type. */
	const otto_lab_repository_type *again = NULL;
	cr_assert_eq(otto__registry_lab_type(reg, "good", &again, &err), OTTO_OK);
	cr_assert_eq(again, type);
	const otto_reservation_backend_type *res = NULL;
	cr_assert_eq(otto__registry_reservation_type(reg, "good", &res, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(res->name, "good");
	otto_registry_free(reg);
}

Test(registry_use, older_struct_reads_optional_entry_as_absent)
{
	otto_registry *reg = scan_dir(CASE_DIR("old_struct"));
	const otto_lab_repository_type *type = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto__registry_lab_type(reg, "old", &type, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(type->struct_size, sizeof(otto_lab_repository_type));
	cr_assert_not_null(type->load_lab);
	cr_assert_null(type->list_host_summaries);
	otto_registry_free(reg);
}

Test(registry_use, builtin_none_answers_empty)
{
	otto_registry *reg = scan_dirs(NULL);
	const otto_reservation_backend_type *type = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto__registry_reservation_type(reg, "none", &type, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(type->name, "none");
	cr_assert_not_null(type->list_usernames);
	cr_assert_not_null(type->get_reservation_windows);

	otto_config cfg = {sizeof cfg, "none", "reservations.none", "/repo", "https://ignored.example", NULL, 0};
	void *self = NULL;
	cr_assert_eq(type->create(&cfg, &self, &err), OTTO_OK, "%s", err.message);
	cr_assert_str_eq(type->backend_name(self), "none");
	strings out = {{&strings_ops}, {0, NULL}};
	cr_assert_eq(type->get_reserved_resources(self, "alice", &out.base, &err), OTTO_OK);
	cr_assert_eq(type->who_reserved(self, "shared", &out.base, &err), OTTO_OK);
	cr_assert_eq(type->list_usernames(self, &out.base, &err), OTTO_OK);
	cr_assert_eq(out.list.count, 0);
	otto_window_out windows = {&window_ops};
	cr_assert_eq(type->get_reservation_windows(self, "alice", &windows, &err), OTTO_OK);
	type->destroy(self);
	otto_registry_free(reg);
}

Test(registry_use, builtin_none_rejects_unknown_keys)
{
	otto_registry *reg = scan_dirs(NULL);
	const otto_reservation_backend_type *type = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto__registry_reservation_type(reg, "none", &type, &err), OTTO_OK);
	otto_setting colour = {.key = "colour",
			       .type = OTTO_VALUE_STRING,
			       .string = "red",
			       .file = "/repo/.otto/settings.toml",
			       .line = 7};
	otto_config cfg = {sizeof cfg, "none", "reservations.none", "/repo", NULL, &colour, 1};
	void *self = NULL;
	cr_assert_eq(type->create(&cfg, &self, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "/repo/.otto/settings.toml:7: unknown key 'colour' in [reservations.none] for "
				      "backend 'none' (accepted: none)");
	otto_registry_free(reg);
}

Test(registry_use, a_plugin_never_overrides_a_builtin)
{
	/* good registers a reservation backend "good", not "none"; "none" is
	 * still the built-in one. */
	otto_registry *reg = scan_dir(CASE_DIR("good"));
	const otto_backend_info *none = otto_registry_find(reg, OTTO_KIND_RESERVATION, "none");
	cr_assert_str_eq(none->path, "(built-in)");
	otto_registry_free(reg);
}

Test(registry_use, suggest_and_unknown_backend_message)
{
	const char *dirs[] = {CASE_DIR("good"), CASE_DIR("dup_first"), NULL};
	otto_registry *reg = scan_dirs(dirs);
	cr_assert_str_eq(otto_registry_suggest(reg, OTTO_KIND_LAB, "goood"), "good");
	cr_assert_str_eq(otto_registry_suggest(reg, OTTO_KIND_LAB, "dpu"), "dup");
	cr_assert_null(otto_registry_suggest(reg, OTTO_KIND_LAB, "zzzzzz"));
	cr_assert_str_eq(otto_registry_suggest(reg, OTTO_KIND_RESERVATION, "nnone"), "none");

	otto_error err = {0, ""};
	cr_assert_eq(otto_registry_unknown_backend_error(reg, OTTO_KIND_LAB, "godo", &err), OTTO_ENOBACKEND);
	cr_assert_eq(err.code, OTTO_ENOBACKEND);
	cr_assert_str_eq(err.message, "no lab backend named 'godo'. Did you mean 'good'? Available: dup, good.");
	otto_registry_unknown_backend_error(reg, OTTO_KIND_LAB, "zzzzzz", &err);
	cr_assert_str_eq(err.message, "no lab backend named 'zzzzzz'. Available: dup, good.");
	otto_registry_unknown_backend_error(reg, OTTO_KIND_RESERVATION, "nnone", &err);
	cr_assert_str_eq(err.message,
			 "no reservation backend named 'nnone'. Did you mean 'none'? Available: good, lock, none.");

	const otto_lab_repository_type *type = NULL;
	cr_assert_eq(otto__registry_lab_type(reg, "godo", &type, &err), OTTO_ENOBACKEND);
	cr_assert_null(type);
	cr_assert_str_eq(err.message, "no lab backend named 'godo'. Did you mean 'good'? Available: dup, good.");
	otto_registry_free(reg);
}

Test(registry_use, unknown_backend_when_none_exist_names_the_folders)
{
	const char *dirs[] = {"/nonexistent/a", "/nonexistent/b", NULL};
	otto_registry *reg = scan_dirs(dirs);
	otto_error err = {0, ""};
	otto_registry_unknown_backend_error(reg, OTTO_KIND_LAB, "example", &err);
	cr_assert_str_eq(err.message, "no lab backend named 'example'. No lab backends are available (searched: "
				      "/nonexistent/a, /nonexistent/b).");
	otto_registry_free(reg);

	reg = scan_dirs(NULL);
	otto_registry_unknown_backend_error(reg, OTTO_KIND_LAB, "example", &err);
	cr_assert_str_eq(
	    err.message,
	    "no lab backend named 'example'. No lab backends are available (no plugin folder was searched).");
	otto_registry_free(reg);
}

/* The file that is used is the file that was scanned: a file replaced or
 * rewritten after the scan is refused, in process and in a worker alike,
 * naming the backend, the file and what changed. */
static void expect_changed(otto_registry *reg, const char *path, const char *what)
{
	const otto_lab_repository_type *type = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto__registry_lab_type(reg, "good", &type, &err), OTTO_EPLUGIN);
	cr_assert_null(type);
	char *expected = tu_fmt("lab backend 'good' (plugin %s) was not loaded: the file changed after it was scanned (%s",
				path, what);
	cr_assert(strncmp(err.message, expected, strlen(expected)) == 0, "got: %s\nwant: %s...", err.message, expected);
	cr_assert(tu_contains(err.message, "); run the command again to use the new file"), "%s", err.message);

	otto_lab_repository *repo = NULL;
	memset(&err, 0, sizeof err);
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "good", NULL, &err), OTTO_EPLUGIN);
	cr_assert_null(repo);
	cr_assert(strncmp(err.message, expected, strlen(expected)) == 0, "worker: got: %s\nwant: %s...", err.message,
		  expected);
	free(expected);
}

Test(registry_use, plugin_replaced_since_the_scan_is_refused)
{
	char *dir = tu_mkdtemp();
	char *path = tu_fmt("%s/good.so", dir);
	char *aside = tu_fmt("%s/other", dir);
	copy_file(CASE_SO("good"), path);
	otto_registry *reg = scan_dir(dir);
	cr_assert_eq(plugin_at(reg, path)->status, OTTO_PLUGIN_LOADED);
	/* Another file renamed over it: another inode, whatever its size. */
	copy_file(CASE_SO("good"), aside);
	cr_assert_eq(rename(aside, path), 0);
	expect_changed(reg, path, "it is another file now (device ");
	otto_registry_free(reg);
	tu_rm_rf(dir);
	free(aside);
	free(path);
	free(dir);
}

Test(registry_use, plugin_rewritten_since_the_scan_is_refused)
{
	char *dir = tu_mkdtemp();
	char *path = tu_fmt("%s/good.so", dir);
	copy_file(CASE_SO("good"), path);
	otto_registry *reg = scan_dir(dir);
	/* The same inode, other content (what `cp new.so good.so` does). */
	copy_file(CASE_SO("nosym"), path);
	expect_changed(reg, path, "it was rewritten (");
	otto_registry_free(reg);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

Test(registry_use, plugin_made_writable_since_the_scan_is_refused)
{
	char *dir = tu_mkdtemp();
	char *path = tu_fmt("%s/good.so", dir);
	copy_file(CASE_SO("good"), path);
	cr_assert_eq(chmod(path, 0755), 0);
	otto_registry *reg = scan_dir(dir);
	cr_assert_eq(chmod(path, 0777), 0);
	expect_changed(reg, path, "its mode changed (777 now, 755 then)");
	otto_registry_free(reg);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

Test(registry_use, plugin_gone_since_the_scan_is_refused)
{
	char *dir = tu_mkdtemp();
	char *path = tu_fmt("%s/good.so", dir);
	copy_file(CASE_SO("good"), path);
	otto_registry *reg = scan_dir(dir);
	cr_assert_eq(unlink(path), 0);
	otto_lab_repository *repo = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "good", NULL, &err), OTTO_EPLUGIN);
	char *expected = tu_fmt("lab backend 'good' (plugin %s) cannot be loaded: the file cannot be opened: No such "
				"file or directory since it was scanned",
				path);
	cr_assert_str_eq(err.message, expected);
	free(expected);
	otto_registry_free(reg);
	tu_rm_rf(dir);
	free(path);
	free(dir);
}

/* The same file (the stamp matches) registering otherwise at use time. */
Test(registry_use, plugin_that_no_longer_registers_the_name)
{
	otto_registry *reg = scan_dir(CASE_DIR("fickle"));
	setenv("OTTO_TEST_FICKLE", "rename", 1);
	const otto_lab_repository_type *type = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto__registry_lab_type(reg, "fickle", &type, &err), OTTO_EPLUGIN);
	cr_assert_null(type);
	char *expected = tu_fmt("plugin %s registered lab backend 'fickle' when scanned but no longer does",
				CASE_SO("fickle"));
	cr_assert_str_eq(err.message, expected);
	free(expected);

	/* In a worker (which inherits the environment). */
	otto_lab_repository *repo = NULL;
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "fickle", NULL, &err), OTTO_EPLUGIN);
	expected = tu_fmt("lab backend 'fickle' (plugin %s) loaded when scanned but fails now: it no longer registers "
			  "lab backend 'fickle'",
			  CASE_SO("fickle"));
	cr_assert_str_eq(err.message, expected);
	free(expected);
	unsetenv("OTTO_TEST_FICKLE");
	otto_registry_free(reg);
}

Test(registry_use, plugin_that_fails_now)
{
	otto_registry *reg = scan_dir(CASE_DIR("fickle"));
	setenv("OTTO_TEST_FICKLE", "fail", 1);
	const otto_lab_repository_type *type = NULL;
	otto_error err = {0, ""};
	cr_assert_eq(otto__registry_lab_type(reg, "fickle", &type, &err), OTTO_EPLUGIN);
	char *expected = tu_fmt("plugin %s providing lab backend 'fickle' loaded when scanned but fails now: "
				"register_backends failed: not in the mood today",
				CASE_SO("fickle"));
	cr_assert_str_eq(err.message, expected);
	free(expected);
	otto_lab_repository *repo = NULL;
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "fickle", NULL, &err), OTTO_EPLUGIN);
	expected = tu_fmt("lab backend 'fickle' (plugin %s) loaded when scanned but fails now: register_backends "
			  "failed: not in the mood today",
			  CASE_SO("fickle"));
	cr_assert_str_eq(err.message, expected);
	free(expected);
	unsetenv("OTTO_TEST_FICKLE");
	otto_registry_free(reg);
}
