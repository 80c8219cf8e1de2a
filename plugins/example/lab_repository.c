/*
 * The `example` lab repository: labs held in memory.
 *
 * With no configuration it serves the demo set (contracts.md section 6):
 * lab east with router1 (10.0.0.1) and lab west with router2 (10.0.1.1),
 * both with the login admin/admin. Its own data comes from settings:
 *
 *   [lab]
 *   backend = "example"
 *
 *   [lab.example]
 *   # "LAB[,LAB...]: ELEMENT IP [RESOURCE...]": one host per entry
 *   hosts = ["east: router1 10.0.0.1 router1", "east,west: shared-psu 10.0.9.9 psu"]
 *   login = "admin"      # optional, for every host (default "admin")
 *   password = "admin"   # optional (default "admin")
 *
 * Everything is checked once, in create(), so that a bad entry is reported
 * with its file:line before any command runs.
 */
#include "example.h"

#include "entries.h"

#include <stdlib.h>

#define HOST_FORM "LAB[,LAB...]: ELEMENT IP [RESOURCE...]"

/* The demo set, in the same compact form a user writes. */
static const char *const demo_hosts[] = {"east: router1 10.0.0.1 router1", "west: router2 10.0.1.1 router2"};

typedef struct example_host {
	example_strv labs; /* lab names, in the order written */
	char *element;
	char *ip;
	example_strv resources;
	char id[128]; /* the id the host library will compute (to detect duplicates) */
} example_host;

typedef struct example_repo {
	example_host *hosts;
	size_t n_hosts;
	example_strv lab_names; /* sorted */
	char *login;
	char *password;
} example_repo;

static void repo_free(example_repo *repo)
{
	if (!repo)
		return;
	for (size_t i = 0; i < repo->n_hosts; i++) {
		example_strv_free(&repo->hosts[i].labs);
		example_strv_free(&repo->hosts[i].resources);
		free(repo->hosts[i].element);
		free(repo->hosts[i].ip);
	}
	free(repo->hosts);
	example_strv_free(&repo->lab_names);
	free(repo->login);
	free(repo->password);
	free(repo);
}

/* Split "east,west" into the host's labs. */
static int parse_labs(const char *head, example_host *host)
{
	char *copy = strdup(head), *save = NULL;
	int rc = copy ? OTTO_OK : OTTO_ENOMEM;
	for (char *lab = copy ? strtok_r(copy, ", \t", &save) : NULL; lab && rc == OTTO_OK;
	     lab = strtok_r(NULL, ", \t", &save))
		rc = example_strv_push_unique(&host->labs, lab);
	free(copy);
	return rc;
}

/* Turn entry `index` of the hosts array into repo->hosts[repo->n_hosts]. */
static int add_host_entry(example_repo *repo, const otto_config *cfg, const otto_setting *hosts, size_t index,
			  otto_error *err)
{
	example_entry entry;
	char where[800];
	int rc = example_entry_parse(cfg, hosts, index, HOST_FORM, &entry, err);
	if (rc != OTTO_OK)
		return rc;
	example_entry_where(cfg, hosts, index, where, sizeof where);

	example_host *host = &repo->hosts[repo->n_hosts];
	memset(host, 0, sizeof *host);
	if (entry.words.count < 2) {
		rc = otto_error_set(err, OTTO_EINVALID,
				    "%s: '%s' needs an element and an IP after ':'; expected \"%s\"", where,
				    hosts->items[index], HOST_FORM);
		goto out;
	}
	if (otto_host_id(host->id, sizeof host->id, entry.words.items[0], OTTO_NO_NUMBER, NULL, OTTO_NO_NUMBER) == 0) {
		rc = otto_error_set(err, OTTO_EINVALID,
				    "%s: element '%s' has no letter or digit to make a host id from", where,
				    entry.words.items[0]);
		goto out;
	}
	for (size_t i = 0; i < repo->n_hosts; i++) {
		if (strcmp(repo->hosts[i].id, host->id) == 0) {
			rc = otto_error_set(err, OTTO_EINVALID,
					    "%s: host '%s' is already defined by entry %zu; list all its labs before "
					    "the ':' of one entry instead (\"east,west: ...\")",
					    where, host->id, i);
			goto out;
		}
	}
	rc = parse_labs(entry.head, host);
	if (rc == OTTO_OK && host->labs.count == 0)
		rc = otto_error_set(err, OTTO_EINVALID, "%s: '%s' names no lab before ':'", where, hosts->items[index]);
	for (size_t i = 2; rc == OTTO_OK && i < entry.words.count; i++)
		rc = example_strv_push_unique(&host->resources, entry.words.items[i]);
	for (size_t i = 0; rc == OTTO_OK && i < host->labs.count; i++)
		rc = example_strv_push_unique(&repo->lab_names, host->labs.items[i]);
	if (rc == OTTO_OK) {
		host->element = strdup(entry.words.items[0]);
		host->ip = strdup(entry.words.items[1]);
		if (!host->element || !host->ip)
			rc = OTTO_ENOMEM;
	}
	/* Counted even on failure so that repo_free() releases what was filled. */
	repo->n_hosts++;
	if (rc == OTTO_ENOMEM)
		otto_error_set(err, rc, "out of memory");
out:
	example_entry_free(&entry);
	return rc;
}

static int read_credential(const otto_config *cfg, const char *key, char **out, otto_error *err)
{
	const otto_setting *s = otto_config_find(cfg, key);
	int rc = s ? example_expect_string(cfg, s, err) : OTTO_OK;
	if (rc != OTTO_OK)
		return rc;
	*out = strdup(s ? s->string : "admin");
	return *out ? OTTO_OK : otto_error_set(err, OTTO_ENOMEM, "out of memory");
}

static int lab_create(const otto_config *config, void **self, otto_error *err)
{
	/* url and repo_root are accepted (every backend is handed them) and
	 * ignored: the data is all in memory. */
	static const char *const known[] = {"hosts", "login", "password", "url", "repo_root", NULL};
	const otto_setting demo = {.key = "hosts", .type = OTTO_VALUE_ARRAY, .items = demo_hosts,
				   .n_items = sizeof demo_hosts / sizeof demo_hosts[0], .file = "(built-in demo data)"};
	const otto_setting *hosts;
	example_repo *repo;
	int rc = otto_config_check_keys(config, known, err);
	if (rc != OTTO_OK)
		return rc;
	hosts = otto_config_find(config, "hosts");
	if (!hosts)
		hosts = &demo;
	rc = example_expect_array(config, hosts, "\"east: router1 10.0.0.1 router1\"", err);
	if (rc != OTTO_OK)
		return rc;

	repo = calloc(1, sizeof *repo);
	if (!repo || !(repo->hosts = calloc(hosts->n_items ? hosts->n_items : 1, sizeof *repo->hosts))) {
		free(repo);
		return otto_error_set(err, OTTO_ENOMEM, "out of memory");
	}
	for (size_t i = 0; rc == OTTO_OK && i < hosts->n_items; i++)
		rc = add_host_entry(repo, config, hosts, i, err);
	if (rc == OTTO_OK)
		rc = read_credential(config, "login", &repo->login, err);
	if (rc == OTTO_OK)
		rc = read_credential(config, "password", &repo->password, err);
	if (rc != OTTO_OK) {
		repo_free(repo); /* create() failed: the host will not call destroy() */
		return rc;
	}
	example_strv_sort(&repo->lab_names);
	*self = repo;
	return OTTO_OK;
}

static void lab_destroy(void *self)
{
	repo_free(self);
}

static int lab_list_labs(void *self, otto_string_out *out, otto_error *err)
{
	const example_repo *repo = self;
	for (size_t i = 0; i < repo->lab_names.count; i++) {
		int rc = otto_string_out_add(out, repo->lab_names.items[i], err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

static int lab_load_lab(void *self, const char *name, const otto_config *preferences, otto_lab_out *out,
			otto_error *err)
{
	const example_repo *repo = self;
	(void)preferences; /* nothing in these records depends on preferences */
	if (example_strv_index(&repo->lab_names, name) < 0)
		return otto_error_set(err, OTTO_ENOTFOUND, "no lab named '%s' in the example lab repository", name);

	/* The host copies everything it is handed, so every host is described
	 * straight from our own storage: the lab is built afresh each call. */
	for (size_t i = 0; i < repo->n_hosts; i++) {
		const example_host *h = &repo->hosts[i];
		if (example_strv_index(&h->labs, name) < 0)
			continue;
		otto_cred cred = {repo->login, repo->password};
		otto_host host = OTTO_HOST_INIT;
		host.ip = h->ip;
		host.element = h->element;
		host.resources = (const char *const *)h->resources.items;
		host.n_resources = h->resources.count;
		host.labs = (const char *const *)h->labs.items;
		host.n_labs = h->labs.count;
		host.creds = &cred;
		host.n_creds = 1;
		int rc = otto_lab_out_add_host(out, &host, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

static int lab_list_host_summaries(void *self, otto_summary_out *out, otto_error *err)
{
	const example_repo *repo = self;
	for (size_t i = 0; i < repo->n_hosts; i++) {
		const example_host *h = &repo->hosts[i];
		otto_host_summary summary = OTTO_HOST_SUMMARY_INIT;
		summary.labs = (const char *const *)h->labs.items;
		summary.n_labs = h->labs.count;
		summary.ip = h->ip;
		summary.element = h->element;
		int rc = otto_summary_out_add(out, &summary, err);
		if (rc != OTTO_OK)
			return rc;
	}
	return OTTO_OK;
}

const otto_lab_repository_type example_lab_repository = {
	.struct_size = sizeof(otto_lab_repository_type),
	.name = "example",
	.description = "in-memory sample labs (east, west), or the hosts given in [lab.example]",
	.create = lab_create,
	.destroy = lab_destroy,
	.list_labs = lab_list_labs,
	.load_lab = lab_load_lab,
	.list_host_summaries = lab_list_host_summaries,
};
