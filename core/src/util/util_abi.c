/*
 * What otto accepts from a plugin's registration, written once: the
 * backend-name syntax and the acceptable struct_size of a backend type.
 * libotto's registry refuses a plugin with these, and otto-conformance
 * (which links this file, see core/CMakeLists.txt) reports its rules C3 and
 * C9 with the same functions and the same sentences, so that the two can
 * never disagree about a file.
 */
#include "util/util.h"

#include <stdio.h>
#include <string.h>

#define END_OF(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))

bool otto__valid_backend_name(const char *name)
{
	return otto__backend_name_problem(name, NULL, 0) == false;
}

/* Printable form of one byte for a message. */
static void show_byte(char *out, size_t size, unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		snprintf(out, size, "'%c'", c);
	else
		snprintf(out, size, "byte 0x%02x", c);
}

bool otto__backend_name_problem(const char *name, char *why, size_t why_size)
{
	char dummy[1];
	if (!why) {
		why = dummy;
		why_size = sizeof dummy;
	}
	if (!name) {
		snprintf(why, why_size, "the name is NULL");
		return true;
	}
	size_t n = strlen(name);
	if (n == 0) {
		snprintf(why, why_size, "the name is empty");
		return true;
	}
	if (n > OTTO__BACKEND_NAME_MAX) {
		snprintf(why, why_size, "the name is %zu characters long; at most %d are allowed", n,
			 OTTO__BACKEND_NAME_MAX);
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
		if (!ok) {
			char shown[16];
			show_byte(shown, sizeof shown, c);
			snprintf(why, why_size, "%s at position %zu is not allowed%s", shown, i + 1,
				 i == 0 && (c == '_' || c == '-') ? " first" : "");
			return true;
		}
	}
	return false;
}

/* The last entry a type must reach: everything after it is optional and
 * reads as NULL when an older SDK's struct stops short. */
static size_t required_size(otto_backend_kind kind)
{
	switch (kind) {
	case OTTO_KIND_LAB:
		return END_OF(otto_lab_repository_type, load_lab);
	case OTTO_KIND_LOCK_STORE:
		return END_OF(otto_lock_store_type, list);
	default:
		return END_OF(otto_reservation_backend_type, who_reserved);
	}
}

static size_t host_size(otto_backend_kind kind)
{
	switch (kind) {
	case OTTO_KIND_LAB:
		return sizeof(otto_lab_repository_type);
	case OTTO_KIND_LOCK_STORE:
		return sizeof(otto_lock_store_type);
	default:
		return sizeof(otto_reservation_backend_type);
	}
}

bool otto__type_size_problem(otto_backend_kind kind, size_t struct_size, char *why, size_t why_size)
{
	char dummy[1];
	if (!why) {
		why = dummy;
		why_size = sizeof dummy;
	}
	size_t low = required_size(kind), high = host_size(kind);
	if (struct_size < low) {
		snprintf(why, why_size, "its type is %zu bytes (struct_size); otto ABI %d needs at least %zu", struct_size,
			 OTTO_ABI_MAJOR, low);
		return true;
	}
	/* The descriptor's minor is never newer than the host's (checked
	 * before registration), so a larger type than the host's own is not a
	 * newer SDK's: struct_size is wrong, and what lies past the host's
	 * fields cannot be trusted either. */
	if (struct_size > high) {
		snprintf(why, why_size,
			 "its type is %zu bytes (struct_size), more than the %zu of otto ABI %d.%d, the newest this host "
			 "knows (set struct_size to sizeof the type)",
			 struct_size, high, OTTO_ABI_MAJOR, OTTO_ABI_MINOR);
		return true;
	}
	return false;
}

/* As otto_backend_kind_name, which lives in libotto proper: this file is
 * also linked without it (otto_util). */
static const char *kind_word(otto_backend_kind kind)
{
	return kind == OTTO_KIND_LAB ? "lab" : kind == OTTO_KIND_LOCK_STORE ? "lock store" : "reservation";
}

char *otto__backend_name_refusal(otto_backend_kind kind, const char *name)
{
	char why[160];
	if (!otto__backend_name_problem(name, why, sizeof why))
		return NULL;
	return otto__asprintf("%s backend name '%s' is invalid: %s (use lower-case letters, digits, '_' and '-', "
			      "starting with a letter or digit, at most %d characters)",
			      kind_word(kind), name ? name : "(null)", why, OTTO__BACKEND_NAME_MAX);
}

char *otto__type_size_refusal(otto_backend_kind kind, const char *name, size_t struct_size)
{
	char why[256];
	if (!otto__type_size_problem(kind, struct_size, why, sizeof why))
		return NULL;
	return otto__asprintf("%s backend '%s': %s", kind_word(kind), name ? name : "(null)", why);
}
