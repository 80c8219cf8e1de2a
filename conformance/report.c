/*
 * The result model shared by every report format. Labels, violations and
 * skip reasons carry names and messages from the plugin under test, so they
 * are escaped as they enter (otto__text_escape): every report format then
 * shows one violation on one line, with no control character reaching the
 * terminal, the TAP stream or the XML.
 */
#include "conf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

conf_section *conf_report_add_section(conf_report *r, conf_scope scope, const char *fmt, ...)
{
	r->sections = otto__realloc(r->sections, (r->n_sections + 1) * sizeof *r->sections);
	conf_section *s = otto__calloc(1, sizeof *s);
	r->sections[r->n_sections++] = s;
	va_list ap;
	va_start(ap, fmt);
	char *label = otto__vasprintf(fmt, ap);
	va_end(ap);
	s->label = otto__text_escape(label);
	free(label);
	s->scope = scope;
	s->outcomes = otto__calloc(conf_rule_count, sizeof *s->outcomes);
	return s;
}

/* Escaped, and cut at CONF_MAX_MESSAGE_BYTES (saying so): a plugin's names
 * and messages can be any length. */
static char *shown(const char *text)
{
	size_t n = strlen(text);
	if (n <= CONF_MAX_MESSAGE_BYTES)
		return otto__text_escape(text);
	char *head = otto__strndup(text, CONF_MAX_MESSAGE_BYTES);
	char *escaped = otto__text_escape(head);
	char *out = otto__asprintf("%s... (%zu more bytes cut)", escaped, n - CONF_MAX_MESSAGE_BYTES);
	free(escaped);
	free(head);
	return out;
}

void conf_outcome_violation(conf_outcome *o, const char *message)
{
	o->n_violations++;
	if (o->messages.count < CONF_MAX_MESSAGES)
		otto__strlist_push_owned(&o->messages, shown(message));
}

void conf_outcome_skip(conf_outcome *o, const char *reason)
{
	if (!o->skip_reason)
		o->skip_reason = shown(reason);
}

void conf_outcome_block(conf_outcome *o, const char *reason)
{
	/* A prerequisite's failure outweighs a plain skip's reason. */
	if (!o->blocked) {
		free(o->skip_reason);
		o->skip_reason = shown(reason);
	}
	o->blocked = true;
}

void conf_outcome_finish(conf_outcome *o)
{
	if (o->n_violations) {
		if (o->state != CONF_FAIL && o->n_violations > o->messages.count)
			otto__strlist_push_owned(&o->messages, otto__asprintf("... and %zu more violation(s) of this rule",
									      o->n_violations - o->messages.count));
		o->state = CONF_FAIL;
	} else if (o->ran) {
		o->state = CONF_PASS;
	} else if (o->skip_reason) {
		o->state = CONF_SKIP;
	}
	/* else CONF_NOT_RUN: the caller blocks it with the reason it knows. */
}

void conf_report_count(const conf_report *r, const conf_options *o, size_t *passed, size_t *failed, size_t *skipped)
{
	*passed = *failed = *skipped = 0;
	for (size_t s = 0; s < r->n_sections; s++)
		for (size_t i = 0; i < conf_rule_count; i++) {
			if (!conf_rule_applies(&conf_rules[i], r->sections[s]->scope) || !o->selected[i])
				continue;
			conf_state st = r->sections[s]->outcomes[i].state;
			if (st == CONF_PASS)
				(*passed)++;
			else if (st == CONF_FAIL)
				(*failed)++;
			else
				(*skipped)++;
		}
}

size_t conf_report_blocked(const conf_report *r, const conf_options *o)
{
	size_t blocked = 0;
	for (size_t s = 0; s < r->n_sections; s++)
		for (size_t i = 0; i < conf_rule_count; i++) {
			const conf_outcome *out = &r->sections[s]->outcomes[i];
			if (conf_rule_applies(&conf_rules[i], r->sections[s]->scope) && o->selected[i] &&
			    out->state != CONF_PASS && out->state != CONF_FAIL && (out->blocked || out->state == CONF_NOT_RUN))
				blocked++;
		}
	return blocked;
}

void conf_report_free(conf_report *r)
{
	for (size_t s = 0; s < r->n_sections; s++) {
		for (size_t i = 0; i < conf_rule_count; i++) {
			otto_strlist_free(&r->sections[s]->outcomes[i].messages);
			free(r->sections[s]->outcomes[i].skip_reason);
		}
		free(r->sections[s]->outcomes);
		free(r->sections[s]->label);
		free(r->sections[s]);
	}
	free(r->sections);
	free(r->subject);
	memset(r, 0, sizeof *r);
}
