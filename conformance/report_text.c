/*
 * The text report, for people: one line per rule, the violations under it,
 * then the summary line. Colour only when asked for (a terminal, no NO_COLOR).
 */
#include "conf.h"

/* BLOCK: not checked because a prerequisite failed (the run exits 3). */
static const char *state_word(conf_state st, bool blocked)
{
	return st == CONF_PASS ? "PASS" : st == CONF_FAIL ? "FAIL" : blocked ? "BLOCK" : "SKIP";
}

static const char *state_colour(conf_state st)
{
	return st == CONF_PASS ? "\033[32m" : st == CONF_FAIL ? "\033[1;31m" : "\033[33m";
}

void conf_report_text(FILE *f, const conf_report *r, const conf_options *o, bool colour)
{
	fprintf(f, "otto-conformance %s: %s\n", OTTO_VERSION, r->subject);
	for (size_t s = 0; s < r->n_sections; s++) {
		const conf_section *sec = r->sections[s];
		fprintf(f, "\n%s\n", sec->label);
		for (size_t i = 0; i < conf_rule_count; i++) {
			if (!conf_rule_applies(&conf_rules[i], sec->scope) || !o->selected[i])
				continue;
			const conf_outcome *out = &sec->outcomes[i];
			conf_state st = out->state == CONF_NOT_RUN ? CONF_SKIP : out->state;
			bool blocked = st == CONF_SKIP && (out->blocked || out->state == CONF_NOT_RUN);
			fprintf(f, "  %s%-5s%s %-4s %s", colour ? state_colour(st) : "", state_word(st, blocked),
				colour ? "\033[0m" : "",
				conf_rules[i].id, conf_rules[i].statement);
			if (st == CONF_SKIP)
				fprintf(f, " (%s)", out->skip_reason ? out->skip_reason : "not run");
			fputc('\n', f);
			for (size_t m = 0; st == CONF_FAIL && m < out->messages.count; m++)
				fprintf(f, "        - %s\n", out->messages.items[m]);
		}
	}
	size_t passed, failed, skipped;
	conf_report_count(r, o, &passed, &failed, &skipped);
	size_t blocked = conf_report_blocked(r, o);
	fprintf(f, "\n%zu passed, %zu failed, %zu skipped", passed, failed, skipped);
	if (blocked)
		fprintf(f, " (%zu blocked: not checked because a prerequisite failed%s)", blocked,
			o->allow_skips ? "; accepted with --allow-skips" : "; exit 3 unless --allow-skips");
	fputc('\n', f);
}
