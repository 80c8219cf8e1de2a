/*
 * JUnit XML, the dialect CI systems import: one <testsuite> per backend, one
 * <testcase> per rule, <failure> with every violation, <skipped> with why.
 */
#include "conf.h"

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		switch (ch) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			/* XML 1.0 forbids most control characters, even escaped. */
			if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
				fputc('?', f);
			else
				fputc(ch, f);
		}
	}
}

void conf_report_junit(FILE *f, const conf_report *r, const conf_options *o)
{
	size_t passed, failed, skipped;
	conf_report_count(r, o, &passed, &failed, &skipped);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"otto-conformance\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\" time=\"%.3f\">\n",
		passed + failed + skipped, failed, skipped, r->seconds);
	for (size_t s = 0; s < r->n_sections; s++) {
		const conf_section *sec = r->sections[s];
		size_t tests = 0, fails = 0, skips = 0;
		for (size_t i = 0; i < conf_rule_count; i++) {
			if (!conf_rule_applies(&conf_rules[i], sec->scope) || !o->selected[i])
				continue;
			tests++;
			fails += sec->outcomes[i].state == CONF_FAIL;
			skips += sec->outcomes[i].state != CONF_FAIL && sec->outcomes[i].state != CONF_PASS;
		}
		fputs("  <testsuite name=\"", f);
		xml_text(f, sec->label);
		fprintf(f, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\">\n", tests, fails, skips);
		for (size_t i = 0; i < conf_rule_count; i++) {
			if (!conf_rule_applies(&conf_rules[i], sec->scope) || !o->selected[i])
				continue;
			const conf_outcome *out = &sec->outcomes[i];
			fputs("    <testcase classname=\"", f);
			xml_text(f, sec->label);
			fprintf(f, "\" name=\"%s ", conf_rules[i].id);
			xml_text(f, conf_rules[i].statement);
			fputs("\">\n", f);
			if (out->state == CONF_FAIL) {
				fprintf(f, "      <failure type=\"%s\" message=\"", conf_rules[i].id);
				xml_text(f, out->messages.count ? out->messages.items[0] : "violated");
				fputs("\">", f);
				for (size_t m = 0; m < out->messages.count; m++) {
					xml_text(f, out->messages.items[m]);
					fputc('\n', f);
				}
				fputs("</failure>\n", f);
			} else if (out->state != CONF_PASS) {
				/* A blocked rule's reason starts "not checked: a prerequisite failed". */
				fputs("      <skipped message=\"", f);
				xml_text(f, out->skip_reason ? out->skip_reason : "not run");
				fputs("\"/>\n", f);
			}
			fputs("    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
}
