#include "json_test.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

jt_env jt_env_new(const char *settings)
{
	jt_env env;
	memset(&env, 0, sizeof env);
	env.root = tu_mkdtemp();
	free(tu_write(env.root, ".otto/settings.toml", settings));
	char *path = tu_fmt("%s/.otto/settings.toml", env.root);
	int rc = otto_settings_load(&env.settings, path, &env.err);
	cr_assert_eq(rc, OTTO_OK, "settings: %s", env.err.message);
	free(path);
	cr_assert_eq(otto_registry_new(&env.registry, &env.err), OTTO_OK, "%s", env.err.message);
	cr_assert_eq(otto_registry_add_dir(env.registry, OTTO_PLUGIN_BUILD_DIR, &env.err), OTTO_OK, "%s",
		     env.err.message);
	cr_assert_eq(otto_registry_scan(env.registry, &env.err), OTTO_OK, "%s", env.err.message);
	return env;
}

char *jt_write(jt_env *env, const char *name, const char *content)
{
	return tu_write(env->root, name, content);
}

int jt_open_lab(jt_env *env)
{
	return otto_lab_repository_open_from_settings(&env->lab, env->registry, env->settings, &env->err);
}

int jt_open_res(jt_env *env)
{
	return otto_reservation_backend_open_from_settings(&env->res, env->registry, env->settings, &env->err);
}

void jt_env_free(jt_env *env)
{
	otto_lab_repository_free(env->lab);
	otto_reservation_backend_free(env->res);
	otto_registry_free(env->registry);
	otto_settings_free(env->settings);
	tu_rm_rf(env->root);
	free(env->root);
}

char *jt_lab_settings(const char *paths_toml)
{
	return tu_fmt("[lab]\nbackend = \"json\"\n\n[lab.json]\npaths = %s\n", paths_toml);
}

otto_lab *jt_load(jt_env *env, const char *name)
{
	otto_lab *lab = NULL;
	int rc = otto_lab_repository_load_lab(env->lab, name, NULL, &lab, &env->err);
	cr_assert_eq(rc, OTTO_OK, "load_lab(%s): %s", name, env->err.message);
	return lab;
}

char *jt_load_error(jt_env *env, const char *name, int code)
{
	otto_lab *lab = NULL;
	int rc = otto_lab_repository_load_lab(env->lab, name, NULL, &lab, &env->err);
	cr_assert_eq(rc, code, "load_lab(%s) returned %d, want %d: %s", name, rc, code, env->err.message);
	cr_assert_null(lab);
	return strdup(env->err.message);
}

jt_env jt_lab_env(const char *hosts_json)
{
	char *settings = jt_lab_settings("[\"lab.json\"]");
	jt_env env = jt_env_new(settings);
	free(settings);
	char *text = tu_fmt("{\n\"hosts\": [\n%s\n]\n}\n", hosts_json);
	free(jt_write(&env, "lab.json", text));
	free(text);
	cr_assert_eq(jt_open_lab(&env), OTTO_OK, "%s", env.err.message);
	return env;
}

char *jt_join(const otto_strlist *list)
{
	size_t n = 1;
	for (size_t i = 0; i < list->count; i++)
		n += strlen(list->items[i]) + 1;
	char *s = calloc(1, n);
	for (size_t i = 0; i < list->count; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, list->items[i]);
	}
	return s;
}
