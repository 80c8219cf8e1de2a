/* The walk-through plugin of docs/writing-a-backend.md: built by CMake with
 * otto_add_plugin, and by plain gcc exactly as the docs say, then used. */
#include "example_support.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

Test(docs_plugin, loads_through_libotto)
{
	otto_registry *reg = ex_registry(OTTO_TEST_PLUGIN_DIR "/example_docs");
	otto_lab_repository *repo = NULL;
	otto_lab *lab = NULL;
	otto_error err = {0};
	otto_setting s[] = {EX_ARRAY("ips", "10.9.0.1", "10.9.0.2")};
	otto_config cfg = ex_config("lab.tiny", s, 1);
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "tiny", &cfg, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_lab_repository_load_lab(repo, "bench", NULL, &lab, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(lab->n_hosts, 2);
	cr_assert_not_null(otto_lab_host(lab, "dut1"));
	cr_assert_str_eq(otto_lab_host(lab, "dut2")->ip, "10.9.0.2");
	otto_lab_free(lab);
	lab = NULL;
	cr_assert_eq(otto_lab_repository_load_lab(repo, "other", NULL, &lab, &err), OTTO_ENOTFOUND);
	otto_lab_repository_free(repo);

	otto_setting bad[] = {EX_STRING("ips", "10.9.0.1")};
	cfg = ex_config("lab.tiny", bad, 1);
	cr_assert_eq(otto_lab_repository_open(&repo, reg, "tiny", &cfg, &err), OTTO_EINVALID);
	cr_assert(strstr(err.message, "settings.toml:10: [lab.tiny] needs ips = "), "%s", err.message);
	otto_registry_free(reg);
}

Test(docs_plugin, plain_gcc_build_then_otto, .timeout = 60)
{
	char *dir = tu_mkdtemp();
	char *so = tu_fmt("%s/plugins/tiny_lab.so", dir);
	free(tu_write(dir, "plugins/README", "plugins go here\n"));
	free(tu_write(dir, ".otto/settings.toml",
		      "[lab]\nbackend = \"tiny\"\n\n[lab.tiny]\nlab = \"bench\"\nips = [\"10.9.0.1\", \"10.9.0.2\"]\n"
		      "\n[plugins]\npath = [\"plugins\"]\n"));
	/* The command of docs/writing-a-backend.md, word for word. */
	const char *gcc[] = {"/usr/bin/gcc", "-shared", "-fPIC", "-fvisibility=hidden", "-I" OTTO_SDK_INCLUDE_DIR,
			     "-Wall", "-Wextra", "-Werror", "-o", so, OTTO_DOCS_PLUGIN_SOURCE, NULL};
	tu_result r = tu_run(gcc, dir, NULL, 60);
	cr_assert_eq(r.status, 0, "gcc: %s", r.err);
	tu_result_free(&r);

	const char *plugins[] = {OTTO_BIN, "plugins", NULL};
	const char *env[] = {"OTTO_PLUGIN_PATH=", NULL};
	r = tu_run(plugins, dir, env, 30);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert(tu_contains(r.out, "tiny_lab.so: loaded (plugin tiny 0.1.0)"), "%s", r.out);
	tu_result_free(&r);

	const char *hosts[] = {OTTO_BIN, "lab", "hosts", NULL};
	r = tu_run(hosts, dir, env, 30);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_assert_str_eq(r.out, "ID    IP        ELEMENT  LABS\n"
				"dut1  10.9.0.1  dut      bench\n"
				"dut2  10.9.0.2  dut      bench\n");
	tu_result_free(&r);
	tu_rm_rf(dir);
	free(dir);
	free(so);
}
