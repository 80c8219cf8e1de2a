/*
 * The parent side of one backend's run: it reads the rule runner's events
 * and remembers which rule and which call were in progress, so that a crash
 * or a hang is attributed to them.
 */
#ifndef OTTO_CONF_SESSION_H
#define OTTO_CONF_SESSION_H

#include "conf.h"

#include <time.h>

struct conf_session {
	conf_target *target;
	const conf_options *opts;
	int current_rule; /* the last rule started, -1 before any */
	int last_done;    /* the last rule finished, -1 before any */
	char *current_call; /* the call in progress, NULL between calls */
	struct timespec call_start;
	otto_strlist poisoned; /* calls that killed a child: never made again */
};

/* One event from the rule runner: kind (CONF_EV_*), the rule it concerns,
 * its text (may be NULL). */
void conf_session_event(conf_session *s, uint32_t kind, int rule, const char *text);

#endif
