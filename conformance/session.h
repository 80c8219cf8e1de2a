/*
 * The parent side of one backend's run: it reads the child's protocol lines
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

/* One protocol line from the child ("K <rule> <text>"). */
void conf_session_line(conf_session *s, const char *line);

#endif
