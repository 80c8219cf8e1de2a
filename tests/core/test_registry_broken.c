/* Plugins that break in every way a scan must survive, each with the
 * sentence `otto plugins` will show. */
#include "core_test.h"

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static const otto_plugin_info *scan_one(otto_registry **reg, const char *dir, const char *so)
{
	*reg = scan_dir(dir);
	return plugin_at(*reg, so);
}

Test(registry_broken, segfault_in_register_backends)
{
	/* The crash must not stop a later file from loading either. */
	const char *dirs[] = {CASE_DIR("crash"), CASE_DIR("good"), NULL};
	otto_registry *reg = scan_dirs(dirs);
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("crash"));
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "crashed with SIGSEGV (Segmentation fault) while loading or registering");
	cr_assert_eq(plugin_at(reg, CASE_SO("good"))->status, OTTO_PLUGIN_LOADED);
	otto_registry_free(reg);
}

Test(registry_broken, hang_is_killed_at_the_time_limit)
{
	/* The limit is the test's subject: 1 s, not scaled. Only the margin
	 * for being late is (a loaded machine may be slow to kill and reap). */
	setenv("OTTO_PLUGIN_SCAN_TIMEOUT", "1", 1);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	otto_registry *reg;
	const otto_plugin_info *p = scan_one(&reg, CASE_DIR("hang"), CASE_SO("hang"));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "did not finish registering within 1 s (killed)");
	double elapsed = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	cr_assert(elapsed >= 0.9 && elapsed < 1.0 + 2.0 * tu_time_scale(), "scan took %.2f s", elapsed);
	otto_registry_free(reg);
}

Test(registry_broken, register_returning_an_error)
{
	otto_registry *reg;
	const otto_plugin_info *p = scan_one(&reg, CASE_DIR("regerror"), CASE_SO("regerror"));
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "register_backends failed: cannot read /etc/otto-test.conf: permission denied");
	cr_assert_str_eq(p->plugin_name, "regerror");
	cr_assert_eq(p->n_backends, 0);
	otto_registry_free(reg);
}

Test(registry_broken, missing_required_entry)
{
	otto_registry *reg;
	const otto_plugin_info *p = scan_one(&reg, CASE_DIR("incomplete"), CASE_SO("incomplete"));
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "lab backend 'incomplete' has no load_lab");
	cr_assert_null(otto_registry_find(reg, OTTO_KIND_LAB, "incomplete"));
	otto_registry_free(reg);
}

Test(registry_broken, empty_backend_name)
{
	otto_registry *reg;
	const otto_plugin_info *p =
	    scan_one(&reg, CASE_DIR("badname_empty"), CASE_DIR("badname_empty") "/badname_empty.so");
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "a lab backend has an empty name");
	otto_registry_free(reg);
}

Test(registry_broken, uppercase_backend_name)
{
	otto_registry *reg;
	const otto_plugin_info *p =
	    scan_one(&reg, CASE_DIR("badname_upper"), CASE_DIR("badname_upper") "/badname_upper.so");
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "lab backend name 'Upper' is invalid: 'U' at position 1 is not allowed (use "
				    "lower-case letters, digits, '_' and '-', starting with a letter or digit, at most 64 "
				    "characters)");
	otto_registry_free(reg);
}

/* otto-conformance fails such a type under C3 with the same sentence
 * (util_abi.c): the two never disagree about a file. */
Test(registry_broken, type_larger_than_the_host_knows)
{
	otto_registry *reg;
	const otto_plugin_info *p = scan_one(&reg, CASE_DIR("oversized"), CASE_SO("oversized"));
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	char *want = tu_fmt("lab backend 'oversized': its type is %zu bytes (struct_size), more than the %zu of otto ABI "
			    "%d.%d, the newest this host knows (set struct_size to sizeof the type)",
			    sizeof(otto_lab_repository_type) + 64, sizeof(otto_lab_repository_type), OTTO_ABI_MAJOR,
			    OTTO_ABI_MINOR);
	cr_assert_str_eq(p->detail, want);
	free(want);
	otto_registry_free(reg);
}

Test(registry_broken, same_name_twice_in_one_plugin)
{
	otto_registry *reg;
	const otto_plugin_info *p = scan_one(&reg, CASE_DIR("twice"), CASE_SO("twice"));
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED);
	cr_assert_str_eq(p->detail, "reservation backend 'twice' is registered twice by this plugin");
	otto_registry_free(reg);
}

Test(registry_broken, printing_plugin_is_refused_and_host_output_stays_clean)
{
	char *dir = tu_mkdtemp();
	char *out_path = tu_fmt("%s/stdout", dir);
	char *err_path = tu_fmt("%s/stderr", dir);
	fflush(stdout);
	fflush(stderr);
	int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert(out_fd >= 0 && err_fd >= 0 && saved_out >= 0 && saved_err >= 0);
	dup2(out_fd, STDOUT_FILENO);
	dup2(err_fd, STDERR_FILENO);

	otto_registry *reg = scan_dir(CASE_DIR("noisy"));

	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(out_fd);
	close(err_fd);
	close(saved_out);
	close(saved_err);

	/* Writing to stdout breaks the ABI's rule of conduct: the worker's stdout
	 * is watched, never the host's. */
	const otto_plugin_info *p = plugin_at(reg, CASE_SO("noisy"));
	cr_assert_eq(p->status, OTTO_PLUGIN_FAILED, "detail: %s", p->detail);
	cr_assert_str_eq(p->detail, "wrote 22 bytes to stdout while loading or registering, which a plugin must never "
				    "do (stdout is otto's output)");
	char *out = tu_read(out_path), *err = tu_read(err_path);
	cr_assert_str_eq(out, "");
	cr_assert_str_eq(err, "");
	free(out);
	free(err);
	otto_registry_free(reg);
	tu_rm_rf(dir);
	free(out_path);
	free(err_path);
	free(dir);
}
