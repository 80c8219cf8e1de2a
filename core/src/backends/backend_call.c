/*
 * One call into a backend plugin: remembering what an out-object refused,
 * and turning the plugin's status and message into the host's error, so
 * that every wrapper reports plugin failures the same way. The message is
 * the plugin's text (and the data it quotes): control characters in it are
 * escaped here, so a host error is always one printable line.
 */
#include "backends/backends.h"
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void otto__call_init(otto__call *call, const char *kind, const char *backend, const char *plugin, const char *op)
{
	memset(call, 0, sizeof *call);
	call->kind = kind;
	call->backend = backend ? backend : "?";
	call->plugin = plugin;
	call->op = op;
}

void otto__call_begin(otto__call *call)
{
	otto__call_mark_begin(&call->mark, call->kind, call->backend, call->plugin, call->op);
}

void otto__call_end(otto__call *call)
{
	otto__call_mark_end(&call->mark);
}

int otto__call_fail(otto__call *call, otto_error *plugin_err, const char *fmt, ...)
{
	if (!call->out_code) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(call->out_message, sizeof call->out_message, fmt, ap);
		va_end(ap);
		call->out_code = OTTO_ERROR;
	}
	/* Later refusals repeat the first: the call is lost anyway, and the
	 * plugin should pass the original cause up. Later valid items are still
	 * accepted (and discarded with the rest). */
	return otto_error_set(plugin_err, call->out_code, "%s", call->out_message);
}

bool otto__is_plugin_status(int status)
{
	switch (status) {
	case OTTO_OK:
	case OTTO_ERROR:
	case OTTO_ENOTFOUND:
	case OTTO_EINVALID:
	case OTTO_ENOMEM:
	case OTTO_ECONFLICT:
		return true;
	default:
		return false;
	}
}

int otto__call_result(otto__call *call, int status, bool notfound_ok, int failure_code, otto_error *err)
{
	otto_error *perr = &call->plugin_err;
	/* The plugin may have filled the whole buffer without a terminator. */
	perr->message[sizeof perr->message - 1] = '\0';

	if (!otto__is_plugin_status(status))
		return otto_error_set(err, OTTO_EPLUGIN, "%s backend '%s' returned %d from %s, which is not an otto status",
				      call->kind, call->backend, status, call->op);
	if (status == OTTO_OK) {
		if (!call->out_code)
			return OTTO_OK;
		char *shown = otto__text_escape(call->out_message);
		otto_error_set(err, OTTO_EPLUGIN, "%s backend '%s' ignored an error from the host: %s", call->kind,
			       call->backend, shown);
		free(shown);
		return OTTO_EPLUGIN;
	}

	int code = failure_code ? failure_code : status;
	if (status == OTTO_ENOTFOUND && notfound_ok && !call->out_code)
		code = OTTO_ENOTFOUND;
	const char *message = perr->message;
	if (!message[0] && call->out_code)
		message = call->out_message;
	if (!message[0])
		return otto_error_set(err, code, "%s backend '%s' failed (%s) without a message in %s", call->kind,
				      call->backend, otto_status_name(status), call->op);

	/* A plugin passing the host's own message up already carries the prefix. */
	char prefix[256];
	snprintf(prefix, sizeof prefix, "%s backend '%s'", call->kind, call->backend);
	char *shown = otto__text_escape(message);
	if (strncmp(shown, prefix, strlen(prefix)) == 0)
		otto_error_set(err, code, "%s", shown);
	else
		otto_error_set(err, code, "%s: %s", prefix, shown);
	free(shown);
	return code;
}

static int collector_add(otto_string_out *out, const char *s, otto_error *err)
{
	otto__string_collector *c = (otto__string_collector *)out;
	if (!s)
		return otto__call_fail(c->call, err, "%s backend '%s': %s added a NULL string (item %zu)",
				       c->call->kind, c->call->backend, c->call->op, c->list.count);
	otto__strlist_push(&c->list, s);
	return OTTO_OK;
}

/* A plugin's warning reaches the user with the backend named, like its
 * errors (escaped by otto__warn). */
static void collector_warn(otto_string_out *out, const char *message)
{
	otto__string_collector *c = (otto__string_collector *)out;
	if (message)
		otto__warn("%s backend '%s': %s", c->call->kind, c->call->backend, message);
}

static const otto_string_out_ops collector_ops = {sizeof(otto_string_out_ops), collector_add, collector_warn};

void otto__string_collector_init(otto__string_collector *c, otto__call *call)
{
	c->out.ops = &collector_ops;
	c->call = call;
	c->list.count = 0;
	c->list.items = NULL;
}

int otto__backend_create_ctx(const char *kind, const char *table, const char *name, const char *plugin,
			     otto__create_ctx_fn create, void *ctx, const otto_config *config, void **self,
			     otto_error *err)
{
	otto_config cfg;
	char *section = NULL;
	memset(&cfg, 0, sizeof cfg);
	if (config)
		cfg = *config;
	cfg.struct_size = sizeof cfg;
	if (!cfg.backend)
		cfg.backend = name;
	if (!cfg.section)
		cfg.section = section = otto__asprintf("%s.%s", table, name);

	otto__call call;
	otto__call_init(&call, kind, name, plugin, "create");
	*self = NULL;
	otto__call_begin(&call);
	int status = create(ctx, &cfg, self, &call.plugin_err);
	otto__call_end(&call);
	free(section);
	return otto__call_result(&call, status, false, 0, err);
}

typedef struct plain_create {
	otto__create_fn fn;
} plain_create;

static int call_plain_create(void *ctx, const otto_config *config, void **self, otto_error *err)
{
	return ((plain_create *)ctx)->fn(config, self, err);
}

int otto__backend_create(const char *kind, const char *table, const char *name, const char *plugin,
			 otto__create_fn create, const otto_config *config, void **self, otto_error *err)
{
	plain_create ctx = {create};
	return otto__backend_create_ctx(kind, table, name, plugin, call_plain_create, &ctx, config, self, err);
}
