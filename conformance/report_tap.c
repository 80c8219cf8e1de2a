/*
 * TAP version 13: one test point per (backend, rule), failures with a YAML
 * diagnostic block, skips as "# SKIP reason".
 */
#include "conf.h"

/* A YAML double-quoted scalar. */
static void yaml_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20)
			fprintf(f, "\\x%02x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* A test description may not contain '#' (it starts a directive). */
static void tap_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '#')
			fputs("\\#", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

void conf_report_tap(FILE *f, const conf_report *r, const conf_options *o)
{
	size_t passed, failed, skipped;
	conf_report_count(r, o, &passed, &failed, &skipped);
	fprintf(f, "TAP version 13\n1..%zu\n", passed + failed + skipped);
	size_t n = 0;
	for (size_t s = 0; s < r->n_sections; s++) {
		const conf_section *sec = r->sections[s];
		for (size_t i = 0; i < conf_rule_count; i++) {
			if (!conf_rule_applies(&conf_rules[i], sec->scope) || !o->selected[i])
				continue;
			const conf_outcome *out = &sec->outcomes[i];
			conf_state st = out->state == CONF_NOT_RUN ? CONF_SKIP : out->state;
			fprintf(f, "%s %zu - %s ", st == CONF_FAIL ? "not ok" : "ok", ++n, conf_rules[i].id);
			tap_text(f, sec->label);
			fputs(": ", f);
			tap_text(f, conf_rules[i].statement);
			if (st == CONF_SKIP) {
				fputs(" # SKIP ", f);
				tap_text(f, out->skip_reason ? out->skip_reason : "not run");
			}
			fputc('\n', f);
			if (st != CONF_FAIL)
				continue;
			fprintf(f, "  ---\n  rule: %s\n  kind: %s\n  backend: ", conf_rules[i].id,
				conf_rule_kind_name(conf_rules[i].kind));
			yaml_string(f, sec->label);
			fputs("\n  statement: ", f);
			yaml_string(f, conf_rules[i].statement);
			fputs("\n  violations:\n", f);
			for (size_t m = 0; m < out->messages.count; m++) {
				fputs("    - ", f);
				yaml_string(f, out->messages.items[m]);
				fputc('\n', f);
			}
			fputs("  ...\n", f);
		}
	}
	fprintf(f, "# %zu passed, %zu failed, %zu skipped (%zu blocked by a failed prerequisite)\n", passed, failed,
		skipped, conf_report_blocked(r, o));
}
