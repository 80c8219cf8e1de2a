/*
 * The rule table: stable ids (never renumber: users filter on them), in the
 * order the rules run (C8 and C9 came later than C4-C7, so ids are not in
 * order here). C6 and C7 run last because their violations are
 * found during every other rule's calls.
 */
#include "child.h"

#include <string.h>

#define PLUGIN CONF_SCOPE_PLUGIN
#define LAB CONF_SCOPE_LAB
#define RES CONF_SCOPE_RESERVATION
#define ANY CONF_SCOPE_BACKEND
#define STRUCT CONF_STRUCTURAL
#define TRUTH CONF_GROUND_TRUTH
#define CAP CONF_CAPABILITY

const conf_rule conf_rules[] = {
	{"C1", PLUGIN, STRUCT, "the plugin loads with every symbol bound (RTLD_NOW)", NULL},
	{"C2", PLUGIN, STRUCT, "the registration symbol otto_plugin exists and register_backends answers OTTO_OK", NULL},
	{"C3", PLUGIN, STRUCT, "the ABI version and struct sizes are acceptable to this host", NULL},
	{"C8", PLUGIN, STRUCT,
	 "register_backends returns (no crash, exit or hang) and nothing is written to stdout while the plugin loads "
	 "and registers",
	 NULL},
	{"C9", PLUGIN, STRUCT, "every backend name is valid: [a-z0-9][a-z0-9_-]*, at most 64 characters (as otto requires)",
	 NULL},
	{"C4", ANY, STRUCT, "every required entry of the backend type is present (create, destroy, and the operations)",
	 conf_check_C4},
	{"C5", ANY, STRUCT, "a returned error carries a message", conf_check_C5},

	{"L1", LAB, STRUCT, "the backend is created from its configuration and destroyed cleanly", conf_check_L1},
	{"L2", LAB, STRUCT, "the backend provides list_labs", conf_check_L2},
	{"L3", LAB, STRUCT, "the backend provides load_lab", conf_check_L3},
	{"L4", LAB, STRUCT, "list_labs succeeds", conf_check_L4},
	{"L5", LAB, STRUCT, "list_labs answers a list of non-empty strings without duplicates", conf_check_L5},
	{"L6", LAB, STRUCT, "every listed lab loads", conf_check_L6},
	{"L7", LAB, STRUCT, "every listed lab loads to a lab of that name", conf_check_L7},
	{"L8", LAB, STRUCT, "every host is well-formed (non-empty id and element, ip present, os_type set)",
	 conf_check_L8},
	{"L9", LAB, STRUCT, "every host key equals the host's id", conf_check_L9},
	{"L10", LAB, STRUCT, "a second load of each lab succeeds", conf_check_L10},
	{"L11", LAB, STRUCT, "a second load yields the same host ids and the same resources (idempotent)",
	 conf_check_L11},
	{"L12", LAB, STRUCT, "the unknown-lab probe yields not-found (OTTO_ENOTFOUND)", conf_check_L12},
	{"L13", LAB, TRUTH, "each expected lab (--expect-lab) is listed", conf_check_L13},
	{"L14", LAB, TRUTH, "each expected lab (--expect-lab) loads", conf_check_L14},
	{"L15", LAB, STRUCT, "every link has an endpoint among the lab's hosts (when a lab has links)", conf_check_L15},

	{"S1", LAB, CAP, "list_host_summaries succeeds", conf_check_S1},
	{"S2", LAB, CAP, "every summary names its element", conf_check_S2},
	{"S3", LAB, CAP, "every summary has an ip string (\"\" if none) and a valid element_id", conf_check_S3},
	{"S4", LAB, CAP, "every summary names its labs, without duplicates", conf_check_S4},
	{"S5", LAB, CAP, "summary ids are non-empty", conf_check_S5},
	{"S6", LAB, CAP, "summary ids are unique", conf_check_S6},
	{"S7", LAB, CAP, "every summarized id (of a lab that loads) is produced by load_lab", conf_check_S7},
	{"S8", LAB, CAP, "every host that load_lab produces is summarized", conf_check_S8},
	{"S9", LAB, CAP, "a summary's ip equals the built host's", conf_check_S9},
	{"S10", LAB, CAP, "a summary's element equals the built host's", conf_check_S10},
	{"S11", LAB, CAP, "a summary's element_id (presence and value) equals the built host's", conf_check_S11},
	{"S12", LAB, CAP, "a summary's docker_capable equals the built host's", conf_check_S12},
	{"S13", LAB, CAP, "a summary's labs name exactly the loaded labs that contain the host", conf_check_S13},

	{"R1", RES, STRUCT, "the backend is created from its configuration and destroyed cleanly", conf_check_R1},
	{"R2", RES, STRUCT, "the backend provides backend_name", conf_check_R2},
	{"R3", RES, STRUCT, "the backend provides get_reserved_resources", conf_check_R3},
	{"R4", RES, STRUCT, "the backend provides who_reserved", conf_check_R4},
	{"R5", RES, STRUCT, "backend_name is non-empty", conf_check_R5},
	{"R6", RES, STRUCT, "backend_name is stable across calls", conf_check_R6},
	{"R7", RES, STRUCT, "get_reserved_resources succeeds (for unknown users too: an empty set)", conf_check_R7},
	{"R8", RES, STRUCT, "get_reserved_resources answers a set of non-empty strings (no duplicates)",
	 conf_check_R8},
	{"R9", RES, STRUCT, "who_reserved succeeds and answers non-empty strings without duplicates", conf_check_R9},
	{"R10", RES, STRUCT, "who_reserved is deterministic (same holders, same order)", conf_check_R10},
	{"R11", RES, TRUTH, "each known resource lists the known user as a holder", conf_check_R11},
	{"R12", RES, TRUTH, "the known user's set contains each known resource", conf_check_R12},
	{"R13", RES, STRUCT, "round trip: every holder of a resource has it in their own set", conf_check_R13},
	{"W1", RES, CAP, "get_reservation_windows succeeds", conf_check_W1},
	{"W2", RES, CAP, "every window names a non-empty resource", conf_check_W2},
	{"W3", RES, CAP, "every window has start <= end", conf_check_W3},
	{"W4", RES, CAP, "window times are UTC Unix times between the epoch and the far future", conf_check_W4},
	{"W5", RES, CAP, "every resource covered now by a window is in get_reserved_resources", conf_check_W5},
	{"W6", RES, CAP, "every resource of get_reserved_resources is covered now by a window", conf_check_W6},
	{"U1", RES, CAP, "list_usernames succeeds", conf_check_U1},
	{"U2", RES, CAP, "list_usernames answers non-empty strings without duplicates", conf_check_U2},
	{"X1", RES, STRUCT, "reserve and cancel are both present or both absent (the write capability)", conf_check_X1},
	{"X2", RES, CAP, "reserve of a free resource succeeds, reports its window, and get_reservation_windows shows it",
	 conf_check_X2},
	{"X3", RES, CAP, "an overlapping exclusive reserve (the same user's second) is OTTO_ECONFLICT with a message",
	 conf_check_X3},
	{"X4", RES, CAP, "cancel removes the window and reports it; a second cancel answers nothing", conf_check_X4},

	{"E1", ANY, STRUCT, "a failure is reported as an error, never as an answer (a refused add is returned)",
	 conf_check_E1},
	{"C6", ANY, STRUCT, "answers contain no NULL strings", conf_check_C6},
	{"C7", ANY, STRUCT, "the plugin never writes to stdout", conf_check_C7},
};

const size_t conf_rule_count = sizeof conf_rules / sizeof conf_rules[0];

/* C9's statement spells out libotto's limit. */
_Static_assert(OTTO__BACKEND_NAME_MAX == 64, "update C9's statement and docs/conformance.md");

int conf_rule_index(const char *id)
{
	for (size_t i = 0; i < conf_rule_count; i++)
		if (strcmp(conf_rules[i].id, id) == 0)
			return (int)i;
	return -1;
}

const char *conf_rule_kind_name(conf_rule_kind kind)
{
	switch (kind) {
	case CONF_STRUCTURAL:
		return "structural";
	case CONF_GROUND_TRUTH:
		return "ground truth";
	case CONF_CAPABILITY:
		return "capability";
	}
	return "?";
}

bool conf_rule_applies(const conf_rule *rule, conf_scope section_scope)
{
	if (rule->scope == section_scope)
		return true;
	return rule->scope == CONF_SCOPE_BACKEND && section_scope != CONF_SCOPE_PLUGIN;
}
