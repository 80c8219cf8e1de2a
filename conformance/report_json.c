/*
 * The JSON report, for scripts and dashboards: the whole result model in
 * one object. Every string in the model was escaped as it entered
 * (report.c: valid UTF-8, no control character), so only '"' and '\' need
 * JSON escaping here.
 *
 *   {"tool": "otto-conformance", "version": "...", "subject": "...",
 *    "seconds": 0.12,
 *    "summary": {"passed": N, "failed": N, "skipped": N, "blocked": N},
 *    "sections": [{"label": "...", "scope": "plugin"|"lab"|"reservation",
 *      "rules": [{"id": "L1", "kind": "structural", "statement": "...",
 *        "state": "pass"|"fail"|"skip"|"blocked", "reason": "..."|null,
 *        "violation_count": N, "violations": ["...", ...]}]}]}
 */
#include "conf.h"

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static const char *scope_name(conf_scope scope)
{
	return scope == CONF_SCOPE_PLUGIN ? "plugin" : scope == CONF_SCOPE_LAB ? "lab" : "reservation";
}

static const char *state_name(const conf_outcome *out)
{
	if (out->state == CONF_PASS)
		return "pass";
	if (out->state == CONF_FAIL)
		return "fail";
	return out->blocked || out->state == CONF_NOT_RUN ? "blocked" : "skip";
}

static void json_rule(FILE *f, size_t i, const conf_outcome *out)
{
	fprintf(f, "{\"id\": \"%s\", \"kind\": ", conf_rules[i].id);
	json_string(f, conf_rule_kind_name(conf_rules[i].kind));
	fputs(", \"statement\": ", f);
	json_string(f, conf_rules[i].statement);
	fprintf(f, ", \"state\": \"%s\", \"reason\": ", state_name(out));
	if (out->state != CONF_PASS && out->state != CONF_FAIL)
		json_string(f, out->skip_reason ? out->skip_reason : "not run");
	else
		fputs("null", f);
	fprintf(f, ", \"violation_count\": %zu, \"violations\": [", out->n_violations);
	/* The last kept message may be the "... and N more" line: the count is exact. */
	for (size_t m = 0; out->state == CONF_FAIL && m < out->messages.count; m++) {
		if (m)
			fputs(", ", f);
		json_string(f, out->messages.items[m]);
	}
	fputs("]}", f);
}

void conf_report_json(FILE *f, const conf_report *r, const conf_options *o)
{
	size_t passed, failed, skipped;
	conf_report_count(r, o, &passed, &failed, &skipped);
	fprintf(f, "{\"tool\": \"otto-conformance\", \"version\": \"%s\", \"subject\": ", OTTO_VERSION);
	json_string(f, r->subject);
	fprintf(f,
		", \"seconds\": %.3f,\n \"summary\": {\"passed\": %zu, \"failed\": %zu, \"skipped\": %zu, \"blocked\": "
		"%zu},\n \"sections\": [",
		r->seconds, passed, failed, skipped, conf_report_blocked(r, o));
	for (size_t s = 0; s < r->n_sections; s++) {
		const conf_section *sec = r->sections[s];
		fputs(s ? ",\n  {\"label\": " : "\n  {\"label\": ", f);
		json_string(f, sec->label);
		fprintf(f, ", \"scope\": \"%s\", \"rules\": [", scope_name(sec->scope));
		bool first = true;
		for (size_t i = 0; i < conf_rule_count; i++) {
			if (!conf_rule_applies(&conf_rules[i], sec->scope) || !o->selected[i])
				continue;
			fputs(first ? "\n    " : ",\n    ", f);
			first = false;
			json_rule(f, i, &sec->outcomes[i]);
		}
		fputs("]}", f);
	}
	fputs("]}\n", f);
}
