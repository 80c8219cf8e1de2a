/*
 * The lock record: a small key=value text, first line "otto-lock 2", last
 * line "end" so that a truncated file is recognised as such. Reading checks
 * what a user cannot forge: the file's owner is the uid and the user the
 * record names (lock_file.h has the format).
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
				      "\npid_start=%" PRIu64 "\nboot_id=%s\npidns=%s\ntaken=%" PRId64
				      "\nexpiry=%s\ntoken_sha256=%s\nend\n",
		     r->kind == OTTO__LOCKREC_RELEASED ? "released" : "lock", r->name, r->user, r->uid, r->host, r->pid,
		     r->pid_start, r->boot_id[0] ? r->boot_id : "-", r->pidns[0] ? r->pidns : "-", r->taken, expiry,
		     r->token_sha256);
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

enum { K_KIND, K_NAME, K_USER, K_UID, K_HOST, K_PID, K_START, K_BOOT, K_PIDNS, K_TAKEN, K_EXPIRY, K_TOKEN, K_COUNT };
static const char *const KEYS[K_COUNT] = {"kind",    "name",  "user",  "uid",    "host",  "pid",
					  "pid_start", "boot_id", "pidns", "taken", "expiry", "token_sha256"};

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
		/* A pid_t, and never 0 or negative: kill(0) and kill(-1) mean groups. */
		return parse_i64(v, &r->pid) && r->pid > 0 && r->pid <= INT32_MAX;
	case K_START:
		if (!parse_i64(v, &n))
			return false;
		r->pid_start = (uint64_t)n;
		return true;
	case K_BOOT:
		/* An unknown boot id is legal (no /proc): written as "-". */
		return copy_value(r->boot_id, sizeof r->boot_id, v);
	case K_PIDNS:
		/* "-" when unknown, else the namespace's inode number. */
		if (strcmp(v, "-") != 0 && (strspn(v, "0123456789") != strlen(v) || !v[0]))
			return false;
		return copy_value(r->pidns, sizeof r->pidns, v);
	case K_TAKEN:
		return parse_i64(v, &r->taken);
	case K_EXPIRY:
		if (strcmp(v, "none") == 0) {
			r->expiry = 0;
			return true;
		}
		return parse_i64(v, &r->expiry) && r->expiry > 0;
	case K_TOKEN:
		if (strlen(v) != 64 || strspn(v, "0123456789abcdef") != 64)
			return false;
		memcpy(r->token_sha256, v, 65);
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
	if (line && strcmp(line, "otto-lock 1") == 0)
		return fail(why, why_size,
			    "it was written by an older otto (format 1, without PID namespace or token hash); "
			    "release it with --force",
			    NULL);
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
	if (strcmp(r->pidns, "-") == 0)
		r->pidns[0] = '\0';
	return 0;
}

/* One small cache of uid -> name per thread: a folder of many locks of a
 * few users must not cost a password-database lookup per record. */
static _Thread_local struct {
	bool set;
	uid_t uid;
	char name[64];
} name_cache[8];
static _Thread_local unsigned name_cache_next;

static const char *owner_name(uid_t uid)
{
	for (size_t i = 0; i < sizeof name_cache / sizeof *name_cache; i++)
		if (name_cache[i].set && name_cache[i].uid == uid)
			return name_cache[i].name;
	unsigned slot = name_cache_next++ % (sizeof name_cache / sizeof *name_cache);
	otto__user_name_of(uid, name_cache[slot].name, sizeof name_cache[slot].name);
	name_cache[slot].uid = uid;
	name_cache[slot].set = true;
	return name_cache[slot].name;
}

static int not_a_record(const struct stat *st, char *why, size_t why_size)
{
	const char *what = S_ISFIFO(st->st_mode)   ? "a FIFO"
			   : S_ISDIR(st->st_mode)  ? "a folder"
			   : S_ISLNK(st->st_mode)  ? "a symbolic link"
			   : S_ISSOCK(st->st_mode) ? "a socket"
			   : S_ISCHR(st->st_mode)  ? "a character device"
			   : S_ISBLK(st->st_mode)  ? "a block device"
						   : "not a regular file";
	snprintf(why, why_size, "it is %s, not a lock file", what);
	return 1;
}

int otto__lockrec_read(int dirfd, const char *file, const char *expect_name, otto__lockrec *rec, int64_t *owner,
		       char *why, size_t why_size)
{
	char text[OTTO__LOCK_RECORD_MAX + 1];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	/* O_NONBLOCK: a FIFO put in a record's place must not hang a reader. */
	int fd = openat(dirfd, file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	memset(rec, 0, sizeof *rec);
	*owner = -1;
	if (fd < 0) {
		int e = errno;
		if (fstatat(dirfd, file, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			*owner = (int64_t)st.st_uid;
			if (!S_ISREG(st.st_mode))
				return not_a_record(&st, why, why_size);
		}
		if (e == EACCES) {
			snprintf(why, why_size, "it cannot be read (%s)", strerror(e));
			return 1;
		}
		return -e;
	}
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	*owner = (int64_t)st.st_uid;
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return not_a_record(&st, why, why_size);
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
	/* The owner of the file is the one fact a user cannot forge: the uid
	 * and the user name must both be the owner's. */
	if ((uint64_t)rec->uid != (uint64_t)st.st_uid) {
		snprintf(why, why_size, "it claims uid %" PRId64 " but the file belongs to uid %lu", rec->uid,
			 (unsigned long)st.st_uid);
		return 1;
	}
	const char *name = owner_name(st.st_uid);
	if (strcmp(rec->user, name) != 0) {
		snprintf(why, why_size, "it claims user '%s' but the file belongs to %s (uid %lu)", rec->user, name,
			 (unsigned long)st.st_uid);
		return 1;
	}
	return 0;
}
