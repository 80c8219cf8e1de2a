/*
 * The completion answer cache: what a backend answered to a completion
 * (lab names, host ids, resources, user names), kept a few seconds per
 * user, so that pressing TAB again answers without starting the backend's
 * worker. Only `otto __complete` reads or writes it: completion is
 * advisory, and no command (never the gate) looks at it.
 *
 * THE KEY of an answer covers: the query; otto's version; the user otto
 * acts for; the settings file (path, device, inode, size, mtime and ctime
 * in ns; or its absence) and the repo root; and for every backend the
 * settings select ([lab] backend, each [lab.sources.*] backend, the
 * [reservations] backend): its name, the plugin file the registry resolves
 * it to now (with the same stamp) and the stamp of every existing path a
 * string of its settings names (absolute, or relative to the repo root:
 * a json backend's data file). The key is made before the backend is
 * asked, so a change while it answers misses next time.
 *
 * NOT COVERED, hence the time limit (OTTO_COMPLETE_CACHE_TTL seconds,
 * default 10; 0 turns the cache off): data a backend holds elsewhere (a
 * server, a database, files its settings do not name), the environment
 * its worker inherits, the libraries a plugin loads, and a file rewritten
 * twice within one tick of the file system's clock with the same size.
 *
 * WHERE. $XDG_CACHE_HOME/otto/complete.cache, else $HOME/.cache/otto/...,
 * with the registry cache's rules: a real folder of the effective user,
 * writable by nobody else; a regular file (never through a symlink) of the
 * effective user, readable and writable by nobody else (0600), at most
 * CLI_ANSWER_CACHE_MAX bytes, checksummed; anything else is ignored, and
 * replaced whole (temporary file, then rename) when an answer is kept.
 */
#ifndef OTTO_CLI_COMPLETE_CACHE_H
#define OTTO_CLI_COMPLETE_CACHE_H

#include "commands.h"

#include <stdbool.h>
#include <stddef.h>

#define CLI_ANSWER_CACHE_MAX (1u << 20)
#define CLI_ANSWER_CACHE_ENTRIES 64

typedef struct cli_answer_key {
	unsigned char *data;
	size_t len;
} cli_answer_key;

/* The key of `query` ("labs", "hosts", "resources", "users") on this
 * command line. false (and key empty) when the cache is off or the
 * settings or registry cannot be had; cli_answer_key_free either way. */
bool cli_answer_key_make(otto_cli *cli, const char *query, cli_answer_key *key);
void cli_answer_key_free(cli_answer_key *key);

/* The answer kept for `key`, when younger than the time limit: true and
 * *names filled (caller frees); else false and *names empty. */
bool cli_answer_cache_get(const cli_answer_key *key, otto_strlist *names);

/* Keep `names` as the answer for `key` (written by cli_answer_cache_save). */
void cli_answer_cache_put(const cli_answer_key *key, const otto_strlist *names);

/* Write what was put, dropping expired answers and the oldest beyond
 * CLI_ANSWER_CACHE_ENTRIES; then forget everything. Never fails: a
 * cache that cannot be written is none next time. */
void cli_answer_cache_save(void);

#endif
