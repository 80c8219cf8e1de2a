/*
 * Resolving the links of a lab (lab_links.h). The endpoint hosts come from
 * every file, computed once per change of the files (the addressing), and
 * only when a link touches the lab being loaded.
 */
#include "lab_links.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lab_addressing_free(lab_addressing *a)
{
	strtab_free(&a->ids);
	free(a->refs);
	memset(a, 0, sizeof *a);
}

void lab_addressing_refresh(lab_addressing *a, lab_files *lf)
{
	bool links = false;
	for (size_t i = 0; i < lf->n_files && !links; i++)
		links = lf->files[i]->n_links > 0;
	if (!links || (a->built && a->generation == lf->generation))
		return;
	lab_addressing_free(a);
	for (size_t i = 0; i < lf->n_files; i++) {
		jl_file *f = lf->files[i];
		jl_compute_all_ids(f);
		for (uint32_t h = 0; h < f->n_hosts; h++) {
			if (f->hosts[h].error != JL_NONE || f->host_ids[h] == SIZE_MAX)
				continue; /* upstream skips records that build no host */
			const char *id = jl_host_id(f, h);
			bool added;
			uint32_t k = strtab_intern(&a->ids, id, strlen(id), &added);
			if (!added)
				continue; /* the first record with an id wins */
			ju_reserve((void **)&a->refs, &a->refs_cap, k + 1, sizeof *a->refs);
			a->refs[k].file = f;
			a->refs[k].host = h;
		}
	}
	a->generation = lf->generation;
	a->built = true;
}

static const jl_host *lookup(const lab_addressing *a, const char *id, const jl_file **file)
{
	long k = strtab_find(&a->ids, id);
	if (k < 0)
		return NULL;
	*file = a->refs[k].file;
	return &a->refs[k].file->hosts[a->refs[k].host];
}

/* The interface names of a host that endpoints may use (`_*` names are
 * comments to upstream's addressing), as "a, b" into buf; their count. */
static size_t iface_names(const jl_file *f, const jl_host *h, char *buf, size_t size, const char **only)
{
	size_t n = 0, used = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < h->n_ifaces; i++) {
		const char *name = jl_str(f, f->ifaces[h->first_iface + i].name);
		if (name[0] == '_')
			continue;
		*only = name;
		n++;
		int w = snprintf(buf + used, used < size ? size - used : 0, "%s%s", n > 1 ? ", " : "", name);
		if (w > 0)
			used += (size_t)w;
	}
	return n;
}

/* Resolve one endpoint: its interface (named, or the host's only one), or
 * a reason it cannot be resolved. */
static const char *resolve(const lab_addressing *a, const char *host, const char *iface, const char **out, char *why,
			   size_t size)
{
	const jl_file *f;
	const jl_host *h = lookup(a, host, &f);
	char names[512];
	const char *only = NULL;
	*out = iface;
	if (!h) {
		snprintf(why, size, "unknown host '%s' (no such host in any lab file)", host);
		return why;
	}
	size_t n = iface_names(f, h, names, sizeof names, &only);
	if (iface) {
		for (uint32_t i = 0; i < h->n_ifaces; i++) {
			const char *name = jl_str(f, f->ifaces[h->first_iface + i].name);
			if (name[0] != '_' && strcmp(name, iface) == 0)
				return NULL;
		}
		snprintf(why, size, "host '%s' has no interface '%s' (known: %s)", host, iface,
			 n ? names : "<none defined>");
		return why;
	}
	if (n > 1) {
		snprintf(why, size, "host '%s': ambiguous interface, specify one of: %s", host, names);
		return why;
	}
	*out = n == 1 ? only : NULL;
	return NULL;
}

static void add_json_string(ju_buf *b, const char *key, const char *value)
{
	ju_buf_add(b, b->len ? "," : "{", 1);
	ju_buf_adds(b, "\"");
	ju_buf_adds(b, key);
	ju_buf_adds(b, "\":\"");
	for (const unsigned char *c = (const unsigned char *)value; *c; c++) {
		char esc[8];
		if (*c == '"' || *c == '\\') {
			esc[0] = '\\', esc[1] = (char)*c, esc[2] = '\0';
			ju_buf_adds(b, esc);
		} else if (*c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", *c);
			ju_buf_adds(b, esc);
		} else {
			ju_buf_add(b, (const char *)c, 1);
		}
	}
	ju_buf_adds(b, "\"");
}

static int link_fail(const char *lab, const jl_file *f, size_t index, const jl_link *l, const char *why,
		     otto_error *err)
{
	return otto_error_set(err, OTTO_ERROR, "cannot load lab '%s': %s:%u: links[%zu]: %s", lab, f->path,
			      jl_line_at(f, l->offset), index, why);
}

static int add_one(lab_addressing *a, const char *lab, const jl_file *f, size_t index, const jl_link *l,
		   jl_scratch *s, otto_lab_out *out, otto_error *err)
{
	if (l->error != JL_NONE)
		return otto_error_set(err, OTTO_ERROR, "cannot load lab '%s': %s", lab, jl_str(f, l->error));
	char why[768];
	otto_link_endpoint ends[2];
	for (int e = 0; e < 2; e++) {
		const jl_endpoint *ep = &f->endpoints[l->first_endpoint + e];
		ends[e].host = jl_str(f, ep->host);
		if (resolve(a, ends[e].host, jl_str(f, ep->interface), &ends[e].interface, why, sizeof why))
			return link_fail(lab, f, index, l, why, err);
	}
	const char *impair = jl_str(f, l->impair);
	const jl_file *unused;
	if (impair && !lookup(a, impair, &unused)) {
		snprintf(why, sizeof why, "impair host '%s' is not a known host", impair);
		return link_fail(lab, f, index, l, why, err);
	}
	if (impair && (strcmp(impair, ends[0].host) == 0 || strcmp(impair, ends[1].host) == 0)) {
		snprintf(why, sizeof why,
			 "impair host '%s' is an endpoint of the link; an in-path middlebox must be a third host", impair);
		return link_fail(lab, f, index, l, why, err);
	}
	ju_buf_reset(&s->extra);
	if (l->name != JL_NONE)
		add_json_string(&s->extra, "name", jl_str(f, l->name));
	if (impair)
		add_json_string(&s->extra, "impair", impair);
	if (l->management != JL_NONE)
		add_json_string(&s->extra, "management", jl_str(f, l->management));
	if (s->extra.len)
		ju_buf_add(&s->extra, "}", 1);
	otto_link view = OTTO_LINK_INIT;
	view.endpoints = ends;
	view.n_endpoints = 2;
	view.protocol = jl_str(f, l->protocol);
	view.extra_json = s->extra.len ? s->extra.data : NULL;
	return otto_lab_out_add_link(out, &view, err);
}

int lab_links_add(lab_files *lf, lab_addressing *a, const char *lab, lab_member_fn in_lab, void *ctx,
		  jl_scratch *s, otto_lab_out *out, otto_error *err)
{
	int rc = OTTO_OK;
	for (size_t i = 0; i < lf->n_files && rc == OTTO_OK; i++) {
		const jl_file *f = lf->files[i];
		for (size_t l = 0; l < f->n_links && rc == OTTO_OK; l++) {
			const jl_link *link = &f->links[l];
			bool touches = false;
			for (uint32_t e = 0; e < link->n_endpoints && !touches; e++) {
				const char *host = jl_str(f, f->endpoints[link->first_endpoint + e].host);
				touches = host && in_lab(host, ctx);
			}
			if (!touches)
				continue; /* another lab's link: its errors are not this lab's */
			rc = add_one(a, lab, f, l, link, s, out, err);
		}
	}
	return rc;
}
