/*
 * The child side: one backend, exercised rule by rule. Every plugin call is
 * bracketed (conf_call_begin/end) so that the parent knows which call was
 * running when the child died or stopped answering; a call that killed an
 * earlier child is "poisoned" and is not made again.
 */
#ifndef OTTO_CONF_CHILD_H
#define OTTO_CONF_CHILD_H

#include "conf.h"

#include <sys/types.h>

/* The outcome of one cached plugin call. */
typedef struct conf_fetch {
	bool done;
	bool attempted; /* the call was made and returned (false: not made, or poisoned) */
	bool ok;
	int status;
	char *why; /* when !ok: one sentence saying what went wrong */
} conf_fetch;

/* A string list fetched by key (a user, a resource ...). */
typedef struct conf_keyed {
	char *key;
	conf_fetch f;
	otto_strlist list;
	conf_fetch f2; /* a second call, for determinism */
	otto_strlist list2;
} conf_keyed;

typedef struct conf_keyed_set {
	size_t count;
	conf_keyed *items;
} conf_keyed_set;

typedef struct conf_lab_load {
	conf_fetch f;
	otto_lab *lab;
	conf_fetch f2;
	otto_lab *lab2;
} conf_lab_pair;

struct conf_child {
	const conf_options *opts;
	conf_target *target;
	conf_session *direct;       /* in-process mode: lines go straight to the session */
	int out_fd;                 /* protocol pipe (isolated mode) */
	const otto_strlist *poisoned;
	int rule;                   /* the rule being checked */
	/* Why the rule being checked did not pass outright, decided when it
	 * ends (violations go out at once and outweigh both): a prerequisite
	 * that failed (a block) outweighs a plain skip. */
	char *skip_reason;
	char *block_reason;
	int stdout_fd;              /* capture of fd 1, -1 when not captured */
	off_t stdout_seen;
	const char *call;           /* the call in progress */

	/* Raw access to the plugin's type (NULL for built-ins and --from-settings). */
	conf_plugin plugin;
	bool have_plugin;
	const otto_lab_repository_type *lab_type;
	const otto_reservation_backend_type *res_type;

	conf_fetch f_create;
	otto_lab_repository *repo;
	otto_reservation_backend *res;
	conf_fetch f_raw_create;
	void *raw_self;

	/* Lab caches. */
	conf_fetch f_labs;
	otto_strlist labs; /* as answered, NULLs dropped */
	size_t labs_nulls;
	conf_lab_pair *loads; /* parallel to labs */
	conf_fetch f_summaries;
	otto_summary_list summaries;
	struct conf_host_ref *labs_sorted; /* (name, index) of every listed lab, sorted by name */
	bool hosts_indexed;
	size_t n_hosts;
	struct conf_host_ref *hosts; /* every host of every lab that loads, sorted by id */

	/* Reservation caches. */
	conf_fetch f_names;
	char *names[3];
	conf_keyed_set reserved;
	conf_keyed_set who;
	conf_keyed_set windows_calls; /* only f is used */
	otto_window_list *windows;    /* parallel to windows_calls */
	conf_fetch f_usernames;
	otto_strlist usernames;
};

/* Protocol (child -> parent). */
void conf_child_rule_start(conf_child *c, int rule);
void conf_child_rule_done(conf_child *c);
/* A violation of the rule being checked. */
void conf_fail(conf_child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A violation of another rule (e.g. C7 no stdout, found during any call). */
void conf_fail_rule(conf_child *c, const char *id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A plain skip: no ground truth, a capability not advertised, data that
 * gives the rule nothing to check. The run may still exit 0. */
void conf_skip(conf_child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Not checked because a prerequisite failed: the run does not exit 0
 * unless --allow-skips. */
void conf_block(conf_child *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Block because a fetch this rule needs failed (its own rule reports it). */
void conf_skip_fetch(conf_child *c, const conf_fetch *f);
/* Note that the rule being checked met a failed fetch it needed: unless
 * the rule finds a violation, it is blocked by it. Every accessor below
 * calls it, so that no rule passes on data it never saw. */
void conf_note_missing(conf_child *c, const conf_fetch *f);

/* Start a cached call: false when already done or poisoned (then f says why). */
bool conf_fetch_begin(conf_child *c, conf_fetch *f, const char *desc);
/* End it: record the status and error (why = "<desc> failed: <message>"). */
void conf_fetch_end(conf_child *c, conf_fetch *f, const char *desc, int status, const otto_error *err);
/* Uncached call bracket. */
bool conf_call_begin(conf_child *c, const char *desc);
void conf_call_end(conf_child *c);
void conf_fetch_clear(conf_fetch *f);

/* Instances (created on first use). */
bool conf_instance(conf_child *c);     /* the wrapper instance */
bool conf_raw_instance(conf_child *c); /* the raw instance (false when no raw type) */

/* Lab data. */
const otto_strlist *conf_lab_names(conf_child *c);
const otto_lab *conf_lab_load(conf_child *c, size_t i, bool second, const conf_fetch **f);
const otto_summary_list *conf_lab_summaries(conf_child *c);

/* Every host of every listed lab that loads (first load), sorted by id
 * then lab order. */
typedef struct conf_host_ref {
	const char *id;
	size_t lab; /* index into labs */
	const otto_host_rec *host;
} conf_host_ref;
const conf_host_ref *conf_lab_hosts(conf_child *c, size_t *count);
/* The first entry for id, or NULL; *n gets the number of entries for it. */
const conf_host_ref *conf_lab_host_find(conf_child *c, const char *id, size_t *n);
/* Whether listed lab `name` loaded (first load). */
bool conf_lab_loaded(conf_child *c, const char *name);

/* Touch every basic call once (for C6/C7 when run alone). */
void conf_touch_all(conf_child *c);

/* Ground truth missing: skip with the flag that would enable the rule. */
void conf_skip_truth(conf_child *c, const char *flags);
/* Report a failed fetch: a violation when the call itself failed, a skip
 * when it was never made (its cause is reported elsewhere). */
void conf_fetch_report(conf_child *c, const conf_fetch *f);

/* Reservation data. */
const otto_strlist *conf_res_reserved(conf_child *c, const char *user, const conf_fetch **f);
const otto_strlist *conf_res_who(conf_child *c, const char *resource, bool second, const conf_fetch **f);
const otto_window_list *conf_res_windows(conf_child *c, const char *user, const conf_fetch **f);
const otto_strlist *conf_res_usernames(conf_child *c);
const char *conf_res_name(conf_child *c, int i, const conf_fetch **f);

/* Users and resources worth asking about: the probes, ground truth, and
 * (when advertised) every known username. Caller frees the lists. */
void conf_res_users(conf_child *c, otto_strlist *out);

/* Capabilities, from the raw type or the instance. */
bool conf_lab_has_summaries(conf_child *c);
bool conf_res_has_usernames(conf_child *c);
bool conf_res_has_windows(conf_child *c);

/* Host-side out-objects that record what a plugin hands over. With
 * `refuse`, every add fails (an injected host failure, for E1). */
typedef struct conf_string_out {
	otto_string_out base;
	otto_strlist *list;
	size_t nulls;
	size_t adds;
	bool refuse;
} conf_string_out;
void conf_string_out_init(conf_string_out *o, otto_strlist *list, bool refuse);

typedef struct conf_sink_out {
	otto_lab_out lab;
	otto_summary_out summary;
	otto_window_out window;
	size_t adds;
	bool refuse; /* false: accept and count (nothing is kept) */
} conf_sink_out;
void conf_sink_out_init(conf_sink_out *o, bool refuse);

/* A violation per empty string and one naming the duplicates, when a
 * list must be a set of names. */
void conf_check_string_set(conf_child *c, const char *call, const otto_strlist *l);

/* Strings for messages: a list as "[a, b]" (caller frees). */
char *conf_list_text(const otto_strlist *l);

/* Entry points. */
void conf_child_init(conf_child *c, const conf_options *o, conf_target *t);
void conf_child_run(conf_child *c, size_t first_rule);
void conf_child_teardown(conf_child *c);

/* Rule checks (rules_*.c). */
void conf_check_L1(conf_child *c);
void conf_check_L2(conf_child *c);
void conf_check_L3(conf_child *c);
void conf_check_L4(conf_child *c);
void conf_check_L5(conf_child *c);
void conf_check_L6(conf_child *c);
void conf_check_L7(conf_child *c);
void conf_check_L8(conf_child *c);
void conf_check_L9(conf_child *c);
void conf_check_L10(conf_child *c);
void conf_check_L11(conf_child *c);
void conf_check_L12(conf_child *c);
void conf_check_L13(conf_child *c);
void conf_check_L14(conf_child *c);
void conf_check_L15(conf_child *c);
void conf_check_S1(conf_child *c);
void conf_check_S2(conf_child *c);
void conf_check_S3(conf_child *c);
void conf_check_S4(conf_child *c);
void conf_check_S5(conf_child *c);
void conf_check_S6(conf_child *c);
void conf_check_S7(conf_child *c);
void conf_check_S8(conf_child *c);
void conf_check_S9(conf_child *c);
void conf_check_S10(conf_child *c);
void conf_check_S11(conf_child *c);
void conf_check_S12(conf_child *c);
void conf_check_S13(conf_child *c);
void conf_check_R1(conf_child *c);
void conf_check_R2(conf_child *c);
void conf_check_R3(conf_child *c);
void conf_check_R4(conf_child *c);
void conf_check_R5(conf_child *c);
void conf_check_R6(conf_child *c);
void conf_check_R7(conf_child *c);
void conf_check_R8(conf_child *c);
void conf_check_R9(conf_child *c);
void conf_check_R10(conf_child *c);
void conf_check_R11(conf_child *c);
void conf_check_R12(conf_child *c);
void conf_check_R13(conf_child *c);
void conf_check_W1(conf_child *c);
void conf_check_W2(conf_child *c);
void conf_check_W3(conf_child *c);
void conf_check_W4(conf_child *c);
void conf_check_W5(conf_child *c);
void conf_check_W6(conf_child *c);
void conf_check_U1(conf_child *c);
void conf_check_U2(conf_child *c);
void conf_check_X1(conf_child *c);
void conf_check_X2(conf_child *c);
void conf_check_X3(conf_child *c);
void conf_check_X4(conf_child *c);
void conf_check_C4(conf_child *c);
void conf_check_C5(conf_child *c);
void conf_check_C6(conf_child *c);
void conf_check_C7(conf_child *c);
void conf_check_E1(conf_child *c);

#endif
