/*
 * The write capability (ABI 1.2 reserve and cancel), rules X1-X4. X1 holds
 * for every reservation backend (both entries or neither); X2-X4 only for a
 * backend that has them (a read-only one is skipped, never failed). They
 * write: one exclusive one-hour window of a resource nobody else uses
 * ("otto-conformance-<pid>-<time>"), in the year 9000 so that no check of a
 * real lab sees it, which X4 cancels again. They write in the name of the
 * user running the runner, as otto does: a backend whose identity is its
 * own (a database role) refuses any other name, so the conflicting reserve
 * of X3 is the same user's second one (an exclusive window overlaps
 * anyone's, the same user's included).
 */
#include "child.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FALLBACK_USER "otto-conformance-writer"
#define WINDOW_START ((int64_t)221845392000) /* 9000-01-01T00:00:00Z */
#define WINDOW_END (WINDOW_START + 3600)

/* What X2 made, for X3 and X4 (one child runs the rules in order). */
static struct {
	const conf_child *child;
	bool made;
	char resource[96];
} written;

/* The login user (as otto passes it), or a fixed name when unknown. */
static const char *write_user(void)
{
	static char name[128];
	if (!name[0]) {
		char *me = otto_current_user(NULL);
		snprintf(name, sizeof name, "%s", me && me[0] ? me : FALLBACK_USER);
		free(me);
	}
	return name;
}

static bool can_write(conf_child *c)
{
	if (c->res_type)
		return c->res_type->reserve && c->res_type->cancel;
	return conf_instance(c) && otto_reservation_backend_can_write(c->res);
}

void conf_check_X1(conf_child *c)
{
	if (!c->res_type) {
		conf_skip(c, "not checked: the backend type is only reachable through libotto here");
		return;
	}
	if ((c->res_type->reserve == NULL) != (c->res_type->cancel == NULL))
		conf_fail(c, "the backend type has %s but not %s: the write capability is both or neither (otto "
			     "treats the backend as read-only)",
			  c->res_type->reserve ? "reserve" : "cancel", c->res_type->reserve ? "cancel" : "reserve");
}

static bool write_prerequisites(conf_child *c)
{
	if (!can_write(c)) {
		conf_skip(c, "the backend does not advertise the write capability (reserve and cancel): read-only");
		return false;
	}
	if (!conf_instance(c)) {
		conf_block(c, "not checked: a prerequisite failed: the backend could not be created (see R1)");
		return false;
	}
	return true;
}

static int call_write(conf_child *c, bool reserve, const char *user, uint32_t flags, otto_window_list *out,
		      otto_error *err)
{
	const char *resources[] = {written.resource};
	otto_reservation_request request = OTTO_RESERVATION_REQUEST_INIT;
	request.user = user;
	request.resources = resources;
	request.n_resources = 1;
	request.start = WINDOW_START;
	request.end = reserve ? WINDOW_END : WINDOW_START;
	request.flags = flags;
	char *desc = otto__asprintf("%s(\"%s\", \"%s\")", reserve ? "reserve" : "cancel", user, written.resource);
	int rc = OTTO_ERROR;
	if (conf_call_begin(c, desc)) {
		rc = reserve ? otto_reservation_backend_reserve(c->res, &request, out, err)
			     : otto_reservation_backend_cancel(c->res, &request, out, err);
		conf_call_end(c);
	} else {
		otto_error_set(err, OTTO_ERROR, "%s was not made (it crashed an earlier run)", desc);
	}
	free(desc);
	return rc;
}

/* Whether the user's windows (asked afresh, not cached) show ours. */
static int windows_show(conf_child *c, const char *user, bool *shown, otto_error *err)
{
	otto_window_list list = {0};
	int rc = OTTO_ERROR;
	*shown = false;
	if (conf_call_begin(c, "get_reservation_windows (after a write)")) {
		rc = otto_reservation_backend_windows(c->res, user, &list, err);
		conf_call_end(c);
	}
	for (size_t i = 0; rc == OTTO_OK && i < list.count; i++)
		*shown = *shown || (list.items[i].resource && strcmp(list.items[i].resource, written.resource) == 0 &&
				    list.items[i].start == WINDOW_START && list.items[i].end == WINDOW_END);
	otto_window_list_free(&list);
	return rc;
}

void conf_check_X2(conf_child *c)
{
	if (!write_prerequisites(c))
		return;
	otto_window_list made = {0};
	otto_error err = {0};
	written.child = c;
	written.made = false;
	snprintf(written.resource, sizeof written.resource, "otto-conformance-%ld-%lld", (long)getpid(),
		 (long long)time(NULL));
	int rc = call_write(c, true, write_user(), 0, &made, &err);
	if (rc != OTTO_OK) {
		conf_fail(c, "reserve of a resource nobody holds failed: %s", err.message);
		return;
	}
	written.made = true;
	bool reported = false;
	for (size_t i = 0; i < made.count; i++)
		reported = reported || strcmp(made.items[i].resource, written.resource) == 0;
	otto_window_list_free(&made);
	if (!reported)
		conf_fail(c, "reserve succeeded without adding the window it made to `made`");
	if (!conf_res_has_windows(c))
		return;
	bool shown;
	if (windows_show(c, write_user(), &shown, &err) != OTTO_OK)
		conf_fail(c, "get_reservation_windows after reserve failed: %s", err.message);
	else if (!shown)
		conf_fail(c, "get_reservation_windows(\"%s\") does not show the window reserve made (%s, 9000-01-01 "
			     "for one hour)",
			  write_user(), written.resource);
}

static bool made_here(conf_child *c)
{
	if (written.child == c && written.made)
		return true;
	conf_block(c, "not checked: a prerequisite failed: X2 made no reservation in this run");
	return false;
}

void conf_check_X3(conf_child *c)
{
	if (!write_prerequisites(c) || !made_here(c))
		return;
	otto_window_list made = {0};
	otto_error err = {0};
	int rc = call_write(c, true, write_user(), 0, &made, &err);
	size_t n_made = made.count;
	otto_window_list_free(&made);
	if (rc == OTTO_ECONFLICT) {
		if (!err.message[0])
			conf_fail(c, "the conflicting reserve returned OTTO_ECONFLICT without a message");
		return;
	}
	if (rc == OTTO_OK)
		conf_fail(c, "an overlapping exclusive reserve succeeded (%zu window(s) made): the store must refuse it",
			  n_made);
	else
		conf_fail(c, "an overlapping exclusive reserve returned %s, not OTTO_ECONFLICT: %s",
			  otto_status_name(rc), err.message);
}

void conf_check_X4(conf_child *c)
{
	if (!write_prerequisites(c) || !made_here(c))
		return;
	otto_window_list cancelled = {0};
	otto_error err = {0};
	int rc = call_write(c, false, write_user(), 0, &cancelled, &err);
	bool reported = false;
	for (size_t i = 0; rc == OTTO_OK && i < cancelled.count; i++)
		reported = reported || strcmp(cancelled.items[i].resource, written.resource) == 0;
	otto_window_list_free(&cancelled);
	if (rc != OTTO_OK) {
		conf_fail(c, "cancel of the window X2 made failed: %s", err.message);
		return;
	}
	written.made = false;
	if (!reported)
		conf_fail(c, "cancel succeeded without adding the window it removed to `cancelled`");
	bool shown = false;
	if (conf_res_has_windows(c) && windows_show(c, write_user(), &shown, &err) == OTTO_OK && shown)
		conf_fail(c, "get_reservation_windows still shows the window after cancel");
	rc = call_write(c, false, write_user(), 0, &cancelled, &err);
	if (rc != OTTO_OK)
		conf_fail(c, "a second cancel (nothing left to cancel) failed instead of answering nothing: %s",
			  err.message);
	else if (cancelled.count)
		conf_fail(c, "a second cancel reported %zu window(s) cancelled again", cancelled.count);
	otto_window_list_free(&cancelled);
}
