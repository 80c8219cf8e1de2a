/*
 * One lab.json file, parsed once by a yajl streaming pass into a compact
 * index: every host record's fields, which labs it is in, and, for the
 * fields otto-c has no use for, byte ranges of the file's own text (so
 * they pass through unchanged without being copied or re-generated).
 *
 * A bad record does not fail the file: it is kept with its error, and only
 * loading a lab that the record names fails (host summaries skip it). A
 * bad link likewise fails only the labs it touches (lab_links.c).
 */
#ifndef JSON_LAB_INDEX_H
#define JSON_LAB_INDEX_H

#include "jutil.h"
#include "strtab.h"

#include <stdint.h>

#define JL_NONE UINT32_MAX

typedef struct jl_slice {
	uint32_t offset, len; /* `"key": value` in the file's text */
} jl_slice;

typedef struct jl_cred {
	uint32_t login, password; /* string offsets; password JL_NONE when absent */
	uint32_t proxy, via;	  /* checked against the record's other creds only */
} jl_cred;

/* One entry of a record's `interfaces` (its name, its address, its subnet
 * or JL_NONE): link endpoints name them. */
typedef struct jl_iface {
	uint32_t name, ip, subnet;
} jl_iface;

typedef struct jl_host {
	/* Offsets into the string pool (JL_NONE: absent). */
	uint32_t ip, element, board, os_type;
	uint32_t first_iface, n_ifaces;	      /* into ifaces[] */
	int64_t element_id, slot;	      /* OTTO_NO_NUMBER when absent */
	uint32_t first_resource, n_resources; /* into resources[] */
	uint32_t first_lab, n_labs;	      /* into host_labs[] (lab numbers) */
	uint32_t first_cred, n_creds;	      /* into creds[] */
	uint32_t first_extra, n_extras;	      /* into extras[] */
	uint32_t error;			      /* string offset of its first error, or JL_NONE */
	uint32_t offset;		      /* where the record starts in the text */
	bool docker_capable;
} jl_host;

/* A link: its endpoints, protocol and pass-through fields. */
typedef struct jl_endpoint {
	/* String offsets; host JL_NONE when it is not a string (such an
	 * endpoint makes the link touch no lab), interface JL_NONE when absent. */
	uint32_t host, interface;
	uint32_t offset; /* where the endpoint starts in the text */
} jl_endpoint;

/* A link as written. Whether it is valid is known at parse time (error),
 * whether its hosts and interfaces exist only once every file's hosts are
 * known (lab_links.c): both fail only the labs the link touches. */
typedef struct jl_link {
	uint32_t first_endpoint, n_endpoints; /* into endpoints[] */
	uint32_t protocol;		      /* string offset, lower case; "tcp" when absent */
	uint32_t name, impair, management;    /* string offsets, JL_NONE when absent */
	uint32_t error;			      /* the link's first error, or JL_NONE */
	uint32_t offset;		      /* where the link starts in the text */
} jl_link;

typedef struct jl_file {
	char *path;
	ju_file_id id;
	char *text; /* the file's bytes, kept for the pass-through slices */
	size_t text_len;

	char *pool; /* NUL-terminated strings */
	size_t pool_len, pool_cap;

	jl_host *hosts;
	size_t n_hosts, hosts_cap;
	uint32_t *resources; /* string offsets */
	size_t n_resources, resources_cap;
	uint32_t *host_labs; /* lab numbers */
	size_t n_host_labs, host_labs_cap;
	jl_cred *creds;
	size_t n_creds, creds_cap;
	jl_slice *extras;
	size_t n_extras, extras_cap;
	jl_iface *ifaces;
	size_t n_ifaces, ifaces_cap;
	jl_link *links; /* in file order */
	size_t n_links, links_cap;
	jl_endpoint *endpoints;
	size_t n_endpoints, endpoints_cap;

	strtab labs; /* lab name -> lab number */
	/* Hosts of lab k: lab_hosts[lab_start[k] .. lab_start[k+1]). */
	uint32_t *lab_start, *lab_hosts;

	/* A record error that concerns every lab (its `labs` is unusable). */
	char *poison;

	/* Filled on demand by jl_lab_sort_by_id(), once per parse: each host's
	 * id (an offset into ids, SIZE_MAX until computed) and whether lab k's
	 * hosts are in id order yet. */
	size_t *host_ids;
	ju_buf ids;
	bool *lab_in_id_order;
} jl_file;

/* Parse `path`. A file-level failure (unreadable, JSON syntax, bad top
 * level) returns OTTO_ERROR with a message naming the file (and line and
 * column). */
int jl_file_load(const char *path, jl_file **out, otto_error *err);
void jl_file_free(jl_file *f);

/* Put the hosts of lab `lab` (lab_hosts[lab_start[lab] .. lab_start[lab+1]))
 * in id order, ties in file order, computing their ids. Every host of the
 * lab must be free of record errors (their ids may not exist). Repeated
 * loads of the lab then find it sorted. */
void jl_lab_sort_by_id(jl_file *f, uint32_t lab);

/* Compute the id of every valid host record (for the links' endpoints,
 * so only when some file has links, and for host summaries). */
void jl_compute_all_ids(jl_file *f);

/* The id of host number `host`, once jl_lab_sort_by_id() ran on one of its labs. */
static inline const char *jl_host_id(const jl_file *f, uint32_t host)
{
	return f->ids.data + f->host_ids[host];
}

/* Ask the CPU to start fetching the file text a host's pass-through fields
 * span (a hint only: it changes nothing). */
static inline void jl_host_prefetch(const jl_file *f, const jl_host *h)
{
	if (!h->n_extras)
		return;
	const jl_slice *first = &f->extras[h->first_extra], *last = first + h->n_extras - 1;
	for (uint32_t off = first->offset & ~63u; off < last->offset + last->len; off += 64)
		__builtin_prefetch(f->text + off);
}

/* The 1-based line of a host record (counted on demand: only messages need it). */
unsigned jl_host_line(const jl_file *f, const jl_host *h);

static inline const char *jl_str(const jl_file *f, uint32_t off)
{
	return off == JL_NONE ? NULL : f->pool + off;
}

/* Build the host's otto_host (ids left to the host: key NULL). Pointers are
 * valid until the next call with the same scratch. */
typedef struct jl_scratch {
	const char **ptrs;
	size_t ptrs_cap;
	otto_cred *creds;
	size_t creds_cap;
	ju_buf extra;
	otto_link_endpoint *ends;
	size_t ends_cap;
} jl_scratch;
void jl_host_view(const jl_file *f, const jl_host *h, jl_scratch *s, otto_host *out);
/* The 1-based line of a byte offset of the text. */
unsigned jl_line_at(const jl_file *f, uint32_t offset);
void jl_scratch_free(jl_scratch *s);

#endif
