/*
 * otto-conformance: shared types.
 *
 * The parent process (main, plugin probe, isolation, reports) never loads a
 * plugin into its own address space: the probe and every rule run in forked
 * children that report over a pipe with a small line protocol (isolate.c).
 */
#ifndef OTTO_CONF_H
#define OTTO_CONF_H

#include <otto/otto.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/util.h"

/* docs/conformance.md "Exit codes": 3 means no violation, but a selected
 * rule could not run because a prerequisite failed (0 with --allow-skips). */
enum { CONF_EXIT_OK = 0, CONF_EXIT_VIOLATION = 1, CONF_EXIT_UNUSABLE = 2, CONF_EXIT_INCOMPLETE = 3 };

/* The probe names of contracts.md section 5. */
#define CONF_PROBE_LAB "__otto_conformance_no_such_lab__"
#define CONF_PROBE_USER "__otto_conformance_probe_user__"
#define CONF_PROBE_RESOURCE "__otto_conformance_probe_resource__"

/* At most this many messages are kept per rule; the rest are counted. */
#define CONF_MAX_MESSAGES 20
/* A violation or skip reason longer than this is cut (the cut is said):
 * plugin-supplied names can be any length, a report line cannot. */
#define CONF_MAX_MESSAGE_BYTES (64u * 1024u)

/* ---------------------------------------------------------------- rules -- */

typedef enum conf_scope { CONF_SCOPE_PLUGIN = 1, CONF_SCOPE_LAB, CONF_SCOPE_RESERVATION, CONF_SCOPE_BACKEND } conf_scope;
typedef enum conf_rule_kind { CONF_STRUCTURAL = 1, CONF_GROUND_TRUTH, CONF_CAPABILITY } conf_rule_kind;

typedef struct conf_child conf_child;

typedef struct conf_rule {
	const char *id;
	conf_scope scope; /* BACKEND: every backend of either kind */
	conf_rule_kind kind;
	const char *statement;
	void (*check)(conf_child *c); /* NULL: decided by the plugin probe */
} conf_rule;

extern const conf_rule conf_rules[];
extern const size_t conf_rule_count;
int conf_rule_index(const char *id); /* -1 when unknown */
const char *conf_rule_kind_name(conf_rule_kind kind);
bool conf_rule_applies(const conf_rule *rule, conf_scope section_scope);

/* -------------------------------------------------------------- options -- */

typedef enum conf_format { CONF_FORMAT_TEXT, CONF_FORMAT_TAP, CONF_FORMAT_JUNIT, CONF_FORMAT_JSON } conf_format;

/* One report to write: a format and a file (NULL: stdout). */
typedef struct conf_output {
	conf_format format;
	const char *path;
} conf_output;

typedef struct conf_options {
	const char *plugin;        /* PLUGIN: a path (contains '/' or ends in .so) or a backend name */
	const char *backend;       /* --backend NAME */
	int kind;                  /* --kind: 0 (both), OTTO_KIND_LAB, OTTO_KIND_RESERVATION */
	otto_strlist sets;         /* --set KEY=VALUE, in order */
	const char *settings_file; /* --settings FILE */
	bool from_settings;        /* --from-settings */
	otto_strlist plugin_dirs;  /* --plugin-dir DIR */
	otto_strlist expect_labs, known_users, known_resources;
	conf_output *outputs;      /* --format, --junit, --tap, --json: every report of the run */
	size_t n_outputs;
	bool allow_skips;          /* --allow-skips: rules blocked by a prerequisite do not fail the run */
	int timeout_s;             /* --timeout SECONDS (per plugin call) */
	bool *selected;            /* per rule, after --only/--skip */
	bool list_rules, help, no_isolation;
	/* The command line as given (argv[1..]), handed to the rule runner. */
	int argc;
	char **argv;
} conf_options;

/* 0 on success; CONF_EXIT_UNUSABLE after printing a usage error. */
int conf_options_parse(conf_options *o, int argc, char **argv);
void conf_options_free(conf_options *o);
void conf_print_usage(FILE *f);

/* --------------------------------------------------------- plugin probe -- */

/* What the plugin registered (recorded by our own registrar). */
typedef struct conf_registered {
	otto_backend_kind kind;
	const otto_lab_repository_type *lab;
	const otto_reservation_backend_type *reservation;
} conf_registered;

typedef struct conf_plugin {
	void *handle;
	const otto_plugin_descriptor *descriptor;
	size_t count;
	size_t capacity;
	conf_registered *items;  /* as many as the plugin registers: no cap */
	int rule_failed;  /* index of the plugin rule that failed, -1 when loaded */
	char message[OTTO_ERROR_MESSAGE_MAX + 256];
	otto_strlist abi_problems;  /* C3: type struct sizes otto refuses */
	otto_strlist name_problems; /* C9: backend names otto refuses */
} conf_plugin;

/* dlopen (RTLD_NOW) + symbol + descriptor ABI, in this process. Returns
 * false with rule_failed/message set. */
bool conf_plugin_open(conf_plugin *p, const char *path);
/* Then register_backends with our own accepting registrar. */
bool conf_plugin_register(conf_plugin *p, const char *path);
/* Both. */
bool conf_plugin_load(conf_plugin *p, const char *path);
void conf_plugin_close(conf_plugin *p);

/* ------------------------------------------------------------- results -- */

typedef enum conf_state { CONF_NOT_RUN = 0, CONF_PASS, CONF_FAIL, CONF_SKIP } conf_state;

typedef struct conf_outcome {
	conf_state state;
	bool ran;
	bool blocked; /* skipped because a prerequisite failed (skip_reason says which) */
	otto_strlist messages;
	size_t n_violations;
	char *skip_reason;
} conf_outcome;

typedef struct conf_section {
	char *label;      /* "plugin /x/y.so", "lab backend 'example'" */
	conf_scope scope; /* PLUGIN, LAB or RESERVATION */
	conf_outcome *outcomes; /* conf_rule_count entries */
} conf_section;

typedef struct conf_report {
	char *subject; /* the PLUGIN argument or the settings file */
	size_t n_sections;
	conf_section **sections; /* each allocated on its own: targets keep pointers */
	double seconds;
} conf_report;

conf_section *conf_report_add_section(conf_report *r, conf_scope scope, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void conf_outcome_violation(conf_outcome *o, const char *message);
void conf_outcome_skip(conf_outcome *o, const char *reason);
/* Not checked because a prerequisite failed: counts against exit 0. */
void conf_outcome_block(conf_outcome *o, const char *reason);
/* Turn a rule's collected facts into its final state. */
void conf_outcome_finish(conf_outcome *o);
void conf_report_count(const conf_report *r, const conf_options *o, size_t *passed, size_t *failed, size_t *skipped);
/* How many of the skipped were blocked by a failed prerequisite. */
size_t conf_report_blocked(const conf_report *r, const conf_options *o);
void conf_report_free(conf_report *r);

void conf_report_text(FILE *f, const conf_report *r, const conf_options *o, bool colour);
void conf_report_tap(FILE *f, const conf_report *r, const conf_options *o);
void conf_report_junit(FILE *f, const conf_report *r, const conf_options *o);
void conf_report_json(FILE *f, const conf_report *r, const conf_options *o);

/* ------------------------------------------------------------- targets -- */

/* One backend to exercise. */
typedef struct conf_target {
	otto_backend_kind kind;
	char *name;            /* backend name; NULL with --from-settings */
	bool from_settings;
	const char *plugin_path; /* the file for raw access; NULL for built-ins and --from-settings */
	otto_registry *registry;
	otto_settings *settings;
	otto_config config;     /* what create() receives */
	otto_setting *owned_settings;
	otto_strlist owned_strings;
	conf_section *section;
} conf_target;

void conf_target_build_config(conf_target *t, const conf_options *o);
void conf_target_free(conf_target *t);

/* ----------------------------------------------------------- isolation -- *
 *
 * The probe and the rules run in otto-conformance itself, started again
 * through libotto's child-process code (util.h: its own process group,
 * signals reset, every other descriptor closed, killed with us) with a
 * hidden first argument. They report over fd 3 in libotto's frames: the
 * frame type is one of the CONF_EV_* letters, the tag the rule's index
 * (CONF_NO_RULE for none), the payload {str text}. The parent sends the
 * rule runner one job first, a CONF_EV_JOB frame:
 *     {u32 kind, str name, u8 from_settings, str plugin_path,
 *      u32 first_rule, u32 n, n x str poisoned_call}
 */
#define CONF_PROBE_ARG "--internal-probe"
#define CONF_RUNNER_ARG "--internal-rule-runner"
#define CONF_NO_RULE 0xffffffffu

enum conf_event {
	CONF_EV_RULE = 'R',       /* a rule starts */
	CONF_EV_CALL = 'C',       /* a plugin call starts: text names it */
	CONF_EV_CALL_END = 'E',
	CONF_EV_VIOLATION = 'V',
	CONF_EV_SKIP = 'S',
	CONF_EV_BLOCK = 'K',      /* not checked: a prerequisite failed (text says which) */
	CONF_EV_PASS = 'P',       /* the rule ran (its checks held unless violated) */
	CONF_EV_DONE = 'D',       /* the rule finished */
	CONF_EV_FINISHED = 'F',   /* the runner finished every rule */
	CONF_EV_JOB = 'J',
	/* The probe's. */
	CONF_EV_LOADING = 'L',
	CONF_EV_REGISTERING = 'G',
	CONF_EV_PLUGIN_FAIL = 'X', /* text "<rule id> <message>" */
	CONF_EV_ABI = 'A',
	CONF_EV_BACKEND = 'B',     /* text "lab <name>" or "reservation <name>" */
	CONF_EV_NAME = 'N',        /* a backend name otto refuses (C9) */
	CONF_EV_STDOUT = 'O'       /* the plugin wrote to stdout while loading or registering (C8) */
};

/* Hidden entry points (main.c dispatches on argv[1]). */
int conf_runner_main(int argc, char **argv);
int conf_probe_main(int argc, char **argv);

/* Send one event frame on fd `fd` (blocking); leaves the process when the
 * parent is gone. */
void conf_send_event(int fd, uint32_t kind, uint32_t rule, const char *text);

/* Start this program again with `args` after the hidden argument: the
 * child's fd 3 is c->channel's other end, its stdout `stdout_fd` (-1:
 * /dev/null). False after printing why. */
bool conf_spawn_self(otto__child *c, const char *hidden, const char *const *args, int stdout_fd);

/* An unlinked temporary file (O_CLOEXEC) to hand a child as its stdout,
 * so that what a plugin prints can be reported; -1 when none could be made. */
int conf_capture_file(void);
/* What was written to the capture file `fd` since *seen, as
 * "N bytes to stdout (\"sample...\")" (caller frees), or NULL; moves *seen. */
char *conf_stdout_news(int fd, off_t *seen);

/* Settings and registry as otto builds them (setup.c). 0, or an exit code
 * after printing why. */
int conf_setup(const conf_options *o, otto_settings **settings, otto_registry **registry, bool *path_given);


typedef struct conf_session conf_session;

/* The rule runner kept from one backend to the next (isolate.c). */
typedef struct conf_pool conf_pool;
conf_pool *conf_pool_new(void);
void conf_pool_free(conf_pool *p, const conf_options *o);

/* Run every selected rule of the target's kind, each backend in a child
 * (or in-process with --no-isolation), filling t->section. */
void conf_run_target(conf_target *t, const conf_options *o, conf_pool *pool);

/* The plugin probe, in a child with the time limit: fills the plugin rules
 * (C1-C3, C8, C9) of `section` and returns the registered backends (kind + name). */
bool conf_probe_plugin(const char *path, const conf_options *o, conf_section *section, otto_strlist *lab_names,
		       otto_strlist *reservation_names);

/* Signal name for messages ("SIGSEGV"). */
const char *conf_signal_name(int sig);

#endif
