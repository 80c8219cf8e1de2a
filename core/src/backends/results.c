/*
 * Releasing and querying the result structs of otto.h. Every _free frees the
 * contents and leaves a zeroed struct (safe to free twice, safe on a zeroed
 * struct); the struct itself belongs to the caller, except otto_lab, which
 * otto_lab_repository_load_lab allocates and otto_lab_free releases whole.
 */
#include "backends/backends.h"
#include "util/util.h"

#include <stdlib.h>
#include <string.h>

OTTO_API void otto_strlist_free(otto_strlist *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

OTTO_API long otto_strlist_index(const otto_strlist *list, const char *s)
{
	if (!list || !s)
		return -1;
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i] && strcmp(list->items[i], s) == 0)
			return (long)i;
	return -1;
}

void otto__host_rec_clear(otto_host_rec *host)
{
	if (!host)
		return;
	/* lab_build.c puts a host's strings and arrays in one allocation that
	 * starts with its key. */
	free(host->key);
	memset(host, 0, sizeof *host);
}

void otto__link_rec_clear(otto_link_rec *link)
{
	if (!link)
		return;
	for (size_t i = 0; i < link->n_endpoints; i++) {
		free(link->endpoints[i].host);
		free(link->endpoints[i].interface);
	}
	free(link->endpoints);
	free(link->protocol);
	free(link->extra_json);
	memset(link, 0, sizeof *link);
}

OTTO_API void otto_lab_free(otto_lab *lab)
{
	if (!lab)
		return;
	free(lab->name);
	otto_strlist_free(&lab->resources);
	for (size_t i = 0; i < lab->n_hosts; i++)
		otto__host_rec_clear(&lab->hosts[i]);
	free(lab->hosts);
	for (size_t i = 0; i < lab->n_links; i++)
		otto__link_rec_clear(&lab->links[i]);
	free(lab->links);
	free(lab);
}

OTTO_API const otto_host_rec *otto_lab_host(const otto_lab *lab, const char *key)
{
	if (!lab || !key)
		return NULL;
	/* Hosts are sorted by key (strcmp order) and keys are unique. */
	size_t lo = 0, hi = lab->n_hosts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(lab->hosts[mid].key, key);
		if (c == 0)
			return &lab->hosts[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void otto__summary_rec_clear(otto_summary_rec *summary)
{
	if (!summary)
		return;
	free(summary->id);
	otto_strlist_free(&summary->labs);
	free(summary->ip);
	free(summary->element);
	memset(summary, 0, sizeof *summary);
}

OTTO_API void otto_summary_list_free(otto_summary_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		otto__summary_rec_clear(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

OTTO_API void otto_window_list_free(otto_window_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].resource);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

OTTO_API void otto_check_result_free(otto_check_result *result)
{
	if (!result)
		return;
	otto_strlist_free(&result->required);
	for (size_t i = 0; i < result->n_missing; i++) {
		free(result->missing[i].resource);
		otto_strlist_free(&result->missing[i].holders);
	}
	free(result->missing);
	free(result->message);
	memset(result, 0, sizeof *result);
}
