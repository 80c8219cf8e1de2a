/*
 * The reservation check (contracts.md section 2): does the user hold every
 * resource the lab needs? Fails closed: a backend error is the answer, never
 * a pass.
 */
#include "backends/backends.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool holds(const otto_strlist *sorted_held, const char *resource)
{
	return sorted_held->count &&
	       bsearch(&resource, sorted_held->items, sorted_held->count, sizeof *sorted_held->items, cmp_str);
}

static void append_name(otto_buf *b, const char *name)
{
	otto__buf_append_escaped(b, name, strlen(name));
}

/* One line per missing resource, and each name escaped: a name that holds
 * a newline cannot add a line of its own (say, "all reservations OK"). */
static char *failure_message(const char *user, const char *lab, const otto_check_result *r)
{
	otto_buf b = {NULL, 0, 0};
	otto__buf_append(&b, "User '");
	append_name(&b, user);
	otto__buf_append(&b, "' does not hold all resources required by lab '");
	append_name(&b, lab);
	otto__buf_append(&b, "'. Missing:");
	for (size_t i = 0; i < r->n_missing; i++) {
		const otto_missing_resource *m = &r->missing[i];
		otto__buf_append(&b, "\n  - ");
		append_name(&b, m->resource);
		otto__buf_append(&b, " (");
		if (m->holders.count == 0)
			otto__buf_append(&b, "unreserved");
		for (size_t h = 0; h < m->holders.count; h++) {
			otto__buf_append(&b, h ? ", " : "held by ");
			append_name(&b, m->holders.items[h]);
		}
		otto__buf_append(&b, ")");
	}
	return otto__buf_take(&b);
}

OTTO_API int otto_reservation_check(otto_reservation_backend *backend, const otto_lab *lab, const char *user,
				    otto_check_result *result, otto_error *err)
{
	memset(result, 0, sizeof *result);
	if (!backend || !lab || !user)
		return otto_error_set(err, OTTO_EINVALID, "the reservation check needs a backend, a lab and a user");

	otto__strlist_copy(&result->required, &lab->resources);
	for (size_t i = 0; i < lab->n_hosts; i++)
		for (size_t r = 0; r < lab->hosts[i].resources.count; r++)
			otto__strlist_push(&result->required, lab->hosts[i].resources.items[r]);
	otto__strlist_sort_unique(&result->required);
	if (result->required.count == 0) {
		result->ok = true;
		return OTTO_OK;
	}

	otto_strlist held;
	int rc = otto_reservation_backend_reserved_resources(backend, user, &held, err);
	if (rc != OTTO_OK) {
		otto_check_result_free(result);
		return rc;
	}
	if (held.count > 1)
		qsort(held.items, held.count, sizeof *held.items, cmp_str);

	for (size_t i = 0; i < result->required.count; i++) {
		const char *resource = result->required.items[i];
		if (holds(&held, resource))
			continue;
		otto_strlist holders;
		rc = otto_reservation_backend_who_reserved(backend, resource, &holders, err);
		if (rc != OTTO_OK) {
			otto_strlist_free(&held);
			otto_check_result_free(result);
			return rc;
		}
		result->missing = otto__realloc(result->missing, (result->n_missing + 1) * sizeof *result->missing);
		result->missing[result->n_missing].resource = otto__strdup(resource);
		result->missing[result->n_missing].holders = holders;
		result->n_missing++;
	}
	otto_strlist_free(&held);

	result->ok = result->n_missing == 0;
	if (!result->ok)
		result->message = failure_message(user, lab->name ? lab->name : "?", result);
	return OTTO_OK;
}
