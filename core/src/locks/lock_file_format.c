/*
 * The lock record: a small key=value text, first line "otto-lock 1", last
 * line "end" so that a truncated file is recognised as such.
 */
#include "locks/lock_file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

bool otto__lock_name_valid(const char *name)
{
	size_t n = 0;
	if (!name || !name[0] || name[0] == '.')
		return false;
	for (const char *p = name; *p; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			  c == '_' || c == '-' || c == ':' || c == '@' || c == '+';
		if (!ok || n >= OTTO__LOCK_NAME_MAX)
			return false;
	}
	return true;
}

int otto__lockrec_format(const otto__lockrec *r, char *buf, size_t size)
{
	char expiry[32] = "none";
	int n;
	if (r->expiry > 0)
		snprintf(expiry, sizeof expiry, "%" PRId64, r->expiry);
	n = snprintf(buf, size,
		     OTTO__LOCK_MAGIC "\n"
				      "kind=%s\nname=%s\nuser=%s\nuid=%" PRId64 "\nhost=%s\npid=%" PRId64
				      "\npid_start=%" PRIu64 "\nboot_id=%s\ntaken=%" PRId64 "\nexpiry=%s\ntoken=%s\nend\n",
		     r->kind == OTTO__LOCKREC_RELEASED ? "released" : "lock", r->name, r->user, r->uid, r->host, r->pid,
		     r->pid_start, r->boot_id[0] ? r->boot_id : "-", r->taken, expiry, r->token);
	return n < 0 || (size_t)n >= size ? -1 : n;
}

static int fail(char *why, size_t size, const char *msg, const char *detail)
{
	snprintf(why, size, "%s%s%s", msg, detail ? detail : "", detail ? "'" : "");
	return -1;
}

static bool parse_i64(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static bool copy_value(char *dst, size_t size, const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= size)
		return false;
	memcpy(dst, v, n + 1);
	return true;
}

enum { K_KIND, K_NAME, K_USER, K_UID, K_HOST, K_PID, K_START, K_BOOT, K_TAKEN, K_EXPIRY, K_TOKEN, K_COUNT };
static const char *const KEYS[K_COUNT] = {"kind", "name", "user", "uid", "host", "pid",
					  "pid_start", "boot_id", "taken", "expiry", "token"};

static bool set_field(otto__lockrec *r, int k, const char *v)
{
	int64_t n;
	switch (k) {
	case K_KIND:
		if (strcmp(v, "lock") == 0)
			r->kind = OTTO__LOCKREC_LOCK;
		else if (strcmp(v, "released") == 0)
			r->kind = OTTO__LOCKREC_RELEASED;
		else
			return false;
		return true;
	case K_NAME:
		return copy_value(r->name, sizeof r->name, v) && otto__lock_name_valid(v);
	case K_USER:
		return copy_value(r->user, sizeof r->user, v);
	case K_UID:
		return parse_i64(v, &r->uid);
	case K_HOST:
		return copy_value(r->host, sizeof r->host, v);
	case K_PID:
		return parse_i64(v, &r->pid) && r->pid > 0;
	case K_START:
		if (!parse_i64(v, &n))
			return false;
		r->pid_start = (uint64_t)n;
		return true;
	case K_BOOT:
		/* An empty boot id is legal (no /proc): written as "-". */
		return copy_value(r->boot_id, sizeof r->boot_id, v);
	case K_TAKEN:
		return parse_i64(v, &r->taken);
	case K_EXPIRY:
		if (strcmp(v, "none") == 0) {
			r->expiry = 0;
			return true;
		}
		return parse_i64(v, &r->expiry) && r->expiry > 0;
	case K_TOKEN:
		if (strlen(v) != 32 || strspn(v, "0123456789abcdef") != 32)
			return false;
		memcpy(r->token, v, 33);
		return true;
	}
	return false;
}

int otto__lockrec_parse(const char *text, size_t len, otto__lockrec *r, char *why, size_t why_size)
{
	char buf[OTTO__LOCK_RECORD_MAX + 1];
	bool seen[K_COUNT] = {false};
	bool ended = false;
	char *line, *save = NULL;

	memset(r, 0, sizeof *r);
	if (len == 0)
		return fail(why, why_size, "the file is empty", NULL);
	if (len > OTTO__LOCK_RECORD_MAX)
		return fail(why, why_size, "the file is larger than a lock record can be", NULL);
	if (memchr(text, '\0', len))
		return fail(why, why_size, "the file contains a NUL byte", NULL);
	if (text[len - 1] != '\n')
		return fail(why, why_size, "the file is truncated (no final newline)", NULL);
	memcpy(buf, text, len);
	buf[len] = '\0';

	line = strtok_r(buf, "\n", &save);
	if (!line || strcmp(line, OTTO__LOCK_MAGIC) != 0)
		return fail(why, why_size, "the first line is not '" OTTO__LOCK_MAGIC "'", NULL);
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *eq;
		int k;
		if (ended)
			return fail(why, why_size, "text after the 'end' line", NULL);
		if (strcmp(line, "end") == 0) {
			ended = true;
			continue;
		}
		eq = strchr(line, '=');
		if (!eq)
			return fail(why, why_size, "a line is not key=value: '", line);
		*eq = '\0';
		for (k = 0; k < K_COUNT && strcmp(KEYS[k], line) != 0; k++)
			;
		if (k == K_COUNT)
			continue; /* a newer writer's extra field */
		if (seen[k])
			return fail(why, why_size, "duplicate key '", line);
		seen[k] = true;
		if (!set_field(r, k, eq + 1))
			return fail(why, why_size, "bad value for key '", line);
	}
	if (!ended)
		return fail(why, why_size, "the file is truncated (no 'end' line)", NULL);
	for (int k = 0; k < K_COUNT; k++)
		if (!seen[k])
			return fail(why, why_size, "missing key '", KEYS[k]);
	if (r->expiry && r->expiry < r->taken)
		return fail(why, why_size, "the expiry is before the time it was taken", NULL);
	if (strcmp(r->boot_id, "-") == 0)
		r->boot_id[0] = '\0';
	return 0;
}

int otto__lockrec_read(int dirfd, const char *file, const char *expect_name, otto__lockrec *rec, char *why,
		       size_t why_size)
{
	char text[OTTO__LOCK_RECORD_MAX + 1];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ELOOP) {
			snprintf(why, why_size, "it is a symbolic link, not a lock file");
			return 1;
		}
		return -errno;
	}
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, why_size, "it is not a regular file");
		return 1;
	}
	while (len < sizeof text && (n = read(fd, text + len, sizeof text - len)) != 0) {
		if (n < 0) {
			int e = errno;
			if (e == EINTR)
				continue;
			close(fd);
			return -e;
		}
		len += (size_t)n;
	}
	close(fd);
	if (otto__lockrec_parse(text, len, rec, why, why_size) != 0)
		return 1;
	if (expect_name && strcmp(rec->name, expect_name) != 0) {
		snprintf(why, why_size, "it records the name '%s'", rec->name);
		return 1;
	}
	/* The owner of the file is the one fact a user cannot forge. */
	if ((uint64_t)rec->uid != (uint64_t)st.st_uid) {
		snprintf(why, why_size, "it claims uid %" PRId64 " but the file belongs to uid %lu", rec->uid,
			 (unsigned long)st.st_uid);
		return 1;
	}
	return 0;
}
