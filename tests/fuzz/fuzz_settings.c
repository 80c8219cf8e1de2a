/*
 * Fuzz target: the settings reader (.otto/settings.toml). Any bytes must
 * give either settings whose every view can be read, or OTTO_ESETTINGS
 * with a one-line message naming the file and line: never a crash, a
 * leak, or a message without a place.
 *
 * Linked with otto_internal (libotto's objects as a static library: the
 * otto__ entry points are not exported by the shared library).
 */
#include "settings/settings.h"
#include "util/util.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PATH "/fuzz/.otto/settings.toml"

static void read_every_view(const otto_settings *s)
{
	volatile size_t sink = 0;
	const char *v = otto_settings_lab_backend(s);
	sink += v ? strlen(v) : 0;
	sink += strlen(otto_settings_reservation_backend(s));
	v = otto_settings_reservation_url(s);
	sink += v ? strlen(v) : 0;
	for (size_t i = 0; i < otto_settings_plugin_dir_count(s); i++)
		sink += strlen(otto_settings_plugin_dir(s, i));
	for (size_t i = 0; i < otto_settings_lab_source_count(s); i++) {
		otto_config cfg;
		sink += strlen(otto_settings_lab_source_label(s, i));
		sink += strlen(otto_settings_lab_source_backend(s, i));
		otto_settings_lab_source_config(s, i, &cfg);
		for (size_t k = 0; k < cfg.n_settings; k++)
			sink += strlen(cfg.settings[k].key);
	}
	static const char *const tables[] = {"lab", "reservations", "plugins", "locks", "lab.json", "reservations.json"};
	for (size_t t = 0; t < sizeof tables / sizeof *tables; t++) {
		const otto_setting *items = NULL;
		size_t n = otto_settings_table(s, tables[t], &items);
		for (size_t k = 0; k < n; k++) {
			sink += strlen(items[k].key) + items[k].line;
			if (items[k].type == OTTO_VALUE_STRING)
				sink += strlen(items[k].string);
			for (size_t j = 0; j < items[k].n_items; j++)
				sink += strlen(items[k].items[j]);
		}
	}
	otto_config cfg;
	otto_settings_backend_config(s, OTTO_KIND_LAB, "json", &cfg);
	otto_settings_backend_config(s, OTTO_KIND_RESERVATION, "json", &cfg);
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	otto_settings *s = otto__settings_alloc(otto__strdup(PATH), otto__strdup("/fuzz"));
	otto_error err = {0};
	int rc = otto__settings_parse(s, (const char *)data, size, s->path, &err);
	if (rc == OTTO_OK) {
		otto__settings_finish(s);
		read_every_view(s);
	} else {
		/* A failure is OTTO_ESETTINGS, "<file>:<line>: ...", one line. */
		if (rc != OTTO_ESETTINGS || err.code != OTTO_ESETTINGS || strncmp(err.message, PATH ":", sizeof PATH) != 0)
			abort();
		if (strchr(err.message, '\n'))
			abort();
	}
	otto_settings_free(s);
	return 0;
}
