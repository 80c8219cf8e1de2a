/*
 * The `example` reservation backend's data, shared by its read side
 * (reservations.c) and its write side (reservation_writes.c).
 */
#ifndef EXAMPLE_RESERVATIONS_H
#define EXAMPLE_RESERVATIONS_H

#include "entries.h"
#include "example.h"

#include <stdlib.h>

typedef struct example_user {
	char *name;
	example_strv resources;
} example_user;

/* One window made by reserve(). */
typedef struct example_window {
	char *resource;
	char *user;
	int64_t start, end;
	bool shared;
} example_window;

typedef struct example_reservations {
	example_user *users; /* the holds of the settings: open windows */
	size_t n_users;
	example_window *made; /* what reserve() made, in memory only */
	size_t n_made;
	example_strv admins;
} example_reservations;

example_user *example_find_user(const example_reservations *r, const char *name);

/* Read `admins` from the settings. */
int example_writes_configure(example_reservations *r, const otto_config *config, otto_error *err);
void example_writes_free(example_reservations *r);

/* The made windows' share of each question (see reservations.c). */
int example_writes_reserved(const example_reservations *r, const char *user, otto_string_out *out, otto_error *err);
int example_writes_who(const example_reservations *r, const char *resource, otto_string_out *out, otto_error *err);
int example_writes_users(const example_reservations *r, otto_string_out *out, otto_error *err);
int example_writes_windows(const example_reservations *r, const char *user, otto_window_out *out, otto_error *err);

int example_reserve(void *self, const otto_reservation_request *request, otto_window_out *made, otto_error *err);
int example_cancel(void *self, const otto_reservation_request *request, otto_window_out *cancelled,
		   otto_error *err);

#endif
