/* A minimal lab repository for the test plugins that only differ in how
 * they break. Each includes this and defines its descriptor. */
#ifndef TEST_LAB_COMMON_H
#define TEST_LAB_COMMON_H

#include <otto/plugin.h>

static inline int t_create(const otto_config *config, void **self, otto_error *err)
{
	(void)config;
	(void)err;
	static int instance;
	*self = &instance;
	return OTTO_OK;
}

static inline void t_destroy(void *self)
{
	(void)self;
}

static inline int t_list(void *self, otto_string_out *out, otto_error *err)
{
	(void)self;
	return otto_string_out_add(out, "only", err);
}

static inline int t_load(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			 otto_error *err)
{
	(void)self;
	(void)preferences;
	(void)out;
	return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s'", name);
}

static inline int t_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	(void)self;
	(void)out;
	(void)err;
	return OTTO_OK;
}

#endif
