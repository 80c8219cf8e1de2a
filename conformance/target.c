/*
 * What a backend is created with: its table of the settings file (when
 * given) with every --set on top, exactly the otto_config otto would build.
 */
#include "conf.h"

#include <stdlib.h>
#include <string.h>

static void typed_value(otto_setting *s, const char *value)
{
	char *end;
	s->string = value;
	if (strcmp(value, "true") == 0 || strcmp(value, "false") == 0) {
		s->type = OTTO_VALUE_BOOLEAN;
		s->boolean = value[0] == 't';
		return;
	}
	long long v = strtoll(value, &end, 10);
	if (*value && !*end) {
		s->type = OTTO_VALUE_INTEGER;
		s->integer = v;
		return;
	}
	s->type = OTTO_VALUE_STRING;
}

void conf_target_build_config(conf_target *t, const conf_options *o)
{
	otto_config base;
	otto_settings_backend_config(t->settings, t->kind, t->name, &base);
	t->owned_settings = otto__calloc(base.n_settings + o->sets.count + 1, sizeof *t->owned_settings);
	size_t n = 0;
	for (size_t i = 0; i < base.n_settings; i++) {
		bool overridden = false;
		for (size_t k = 0; k < o->sets.count; k++) {
			size_t klen = (size_t)(strchr(o->sets.items[k], '=') - o->sets.items[k]);
			overridden |= strlen(base.settings[i].key) == klen &&
				      strncmp(base.settings[i].key, o->sets.items[k], klen) == 0;
		}
		if (!overridden)
			t->owned_settings[n++] = base.settings[i];
	}
	for (size_t k = 0; k < o->sets.count; k++) {
		const char *eq = strchr(o->sets.items[k], '=');
		char *key = otto__strndup(o->sets.items[k], (size_t)(eq - o->sets.items[k]));
		otto__strlist_push_owned(&t->owned_strings, key);
		otto_setting *s = &t->owned_settings[n++];
		memset(s, 0, sizeof *s);
		s->key = key;
		s->file = "--set";
		typed_value(s, eq + 1);
	}
	t->config = base;
	t->config.backend = t->name;
	t->config.settings = t->owned_settings;
	t->config.n_settings = n;
}

void conf_target_free(conf_target *t)
{
	free(t->owned_settings);
	otto_strlist_free(&t->owned_strings);
	free(t->name);
	memset(t, 0, sizeof *t);
}
