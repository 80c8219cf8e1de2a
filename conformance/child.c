/*
 * The rule runner's side of the protocol (conf.h): rule and call brackets,
 * violations, the capture of the plugin's stdout, and the loop over the
 * rules.
 */
#include "child.h"
#include "session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void emit(conf_child *c, enum conf_event kind, int rule, const char *text)
{
	if (c->direct)
		conf_session_event(c->direct, (uint32_t)kind, rule, text);
	else
		conf_send_event(c->out_fd, (uint32_t)kind, rule < 0 ? CONF_NO_RULE : (uint32_t)rule, text);
}

static void clear_reasons(conf_child *c)
{
	free(c->skip_reason);
	free(c->block_reason);
	c->skip_reason = c->block_reason = NULL;
}

void conf_child_rule_start(conf_child *c, int rule)
{
	c->rule = rule;
	clear_reasons(c);
	emit(c, CONF_EV_RULE, rule, NULL);
}

void conf_child_rule_done(conf_child *c)
{
	if (c->block_reason)
		emit(c, CONF_EV_BLOCK, c->rule, c->block_reason);
	else if (c->skip_reason)
		emit(c, CONF_EV_SKIP, c->rule, c->skip_reason);
	else
		emit(c, CONF_EV_PASS, c->rule, NULL);
	emit(c, CONF_EV_DONE, c->rule, NULL);
	clear_reasons(c);
}

static void violation(conf_child *c, int rule, const char *fmt, va_list ap)
{
	char *msg = otto__vasprintf(fmt, ap);
	emit(c, CONF_EV_VIOLATION, rule, msg);
	free(msg);
}

void conf_fail(conf_child *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	violation(c, c->rule, fmt, ap);
	va_end(ap);
}

void conf_fail_rule(conf_child *c, const char *id, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	violation(c, conf_rule_index(id), fmt, ap);
	va_end(ap);
}

void conf_skip(conf_child *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = otto__vasprintf(fmt, ap);
	va_end(ap);
	if (c->skip_reason)
		free(msg); /* the first reason is the one shown */
	else
		c->skip_reason = msg;
}

void conf_block(conf_child *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *msg = otto__vasprintf(fmt, ap);
	va_end(ap);
	if (c->block_reason)
		free(msg);
	else
		c->block_reason = msg;
}

void conf_skip_fetch(conf_child *c, const conf_fetch *f)
{
	conf_block(c, "not checked: a prerequisite failed: %s", f && f->why ? f->why : "a call it needs failed");
}

void conf_note_missing(conf_child *c, const conf_fetch *f)
{
	if (f->done && !f->ok)
		conf_skip_fetch(c, f);
}

void conf_skip_truth(conf_child *c, const char *flags)
{
	conf_skip(c, "ground truth not given: pass %s to check it", flags);
}

void conf_fetch_report(conf_child *c, const conf_fetch *f)
{
	if (f->attempted && !f->ok)
		conf_fail(c, "%s", f->why);
	else if (!f->ok)
		conf_skip_fetch(c, f);
}

/* ------------------------------------------------------------ calls -- */

static bool poisoned(const conf_child *c, const char *desc)
{
	return c->poisoned && otto_strlist_index(c->poisoned, desc) >= 0;
}

bool conf_call_begin(conf_child *c, const char *desc)
{
	if (poisoned(c, desc)) {
		conf_block(c, "not checked: a prerequisite failed: %s crashed or hung in an earlier attempt (reported there)",
			   desc);
		return false;
	}
	c->call = desc;
	emit(c, CONF_EV_CALL, c->rule, desc);
	return true;
}

/* Anything the plugin wrote to stdout since the last look is a C7 violation. */
static void check_stdout(conf_child *c, const char *desc)
{
	char *news = conf_stdout_news(c->stdout_fd, &c->stdout_seen);
	if (news)
		conf_fail_rule(c, "C7", "%s wrote %s", desc, news);
	free(news);
}

void conf_call_end(conf_child *c)
{
	const char *desc = c->call ? c->call : "a plugin call";
	check_stdout(c, desc);
	emit(c, CONF_EV_CALL_END, c->rule, NULL);
	c->call = NULL;
}

bool conf_fetch_begin(conf_child *c, conf_fetch *f, const char *desc)
{
	if (f->done)
		return false;
	f->done = true;
	if (!conf_call_begin(c, desc)) {
		f->ok = false;
		f->status = OTTO_ERROR;
		f->why = otto__asprintf("%s crashed or hung in an earlier attempt (reported there)", desc);
		return false;
	}
	return true;
}

void conf_fetch_end(conf_child *c, conf_fetch *f, const char *desc, int status, const otto_error *err)
{
	conf_call_end(c);
	f->attempted = true;
	f->status = status;
	f->ok = status == OTTO_OK;
	if (!f->ok) {
		const char *msg = err && err->message[0] ? err->message : "(no message)";
		f->why = otto__asprintf("%s failed with %s: %s", desc, otto_status_name(status), msg);
		if (!err || !err->message[0])
			conf_fail_rule(c, "C5", "%s returned %s without a message", desc, otto_status_name(status));
	}
}

void conf_fetch_clear(conf_fetch *f)
{
	free(f->why);
	memset(f, 0, sizeof *f);
}

char *conf_list_text(const otto_strlist *l)
{
	otto_buf b = {0};
	otto__buf_append(&b, "[");
	for (size_t i = 0; l && i < l->count; i++) {
		if (i == 8) {
			otto__buf_printf(&b, ", ... (%zu in all)", l->count);
			break;
		}
		otto__buf_printf(&b, "%s\"%s\"", i ? ", " : "", l->items[i]);
	}
	otto__buf_append(&b, "]");
	return otto__buf_take(&b);
}

/* ------------------------------------------------------------- loop -- */

static bool scope_matches(const conf_child *c, const conf_rule *r)
{
	return conf_rule_applies(r, c->target->kind == OTTO_KIND_LAB ? CONF_SCOPE_LAB : CONF_SCOPE_RESERVATION);
}

void conf_child_run(conf_child *c, size_t first_rule)
{
	for (size_t i = first_rule; i < conf_rule_count; i++) {
		const conf_rule *r = &conf_rules[i];
		if (!r->check || !scope_matches(c, r) || !c->opts->selected[i])
			continue;
		conf_child_rule_start(c, (int)i);
		r->check(c);
		conf_child_rule_done(c);
	}
}
