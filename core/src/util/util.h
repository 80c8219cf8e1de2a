/*
 * Internal helpers shared by libotto's sources (not installed).
 * Allocation failures abort with a message: libotto treats running out of
 * memory as fatal, so that every other error path can be tested.
 */
#ifndef OTTO_UTIL_H
#define OTTO_UTIL_H

#include "util/path_trust.h"

#include <otto/otto.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define OTTO_API __attribute__((visibility("default")))

void *otto__malloc(size_t size);
void *otto__calloc(size_t count, size_t size);
void *otto__realloc(void *ptr, size_t size);
char *otto__strdup(const char *s);       /* NULL in, NULL out */
char *otto__strndup(const char *s, size_t n);
char *otto__asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *otto__vasprintf(const char *fmt, va_list ap);

/* Append a copy of s to list. */
void otto__strlist_push(otto_strlist *list, const char *s);
/* Append s itself (ownership taken). */
void otto__strlist_push_owned(otto_strlist *list, char *s);
/* Sort and remove duplicates in place. */
void otto__strlist_sort_unique(otto_strlist *list);
/* Deep copy. */
void otto__strlist_copy(otto_strlist *dst, const otto_strlist *src);

/* A growable string. */
typedef struct otto_buf {
	char *data; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
} otto_buf;
void otto__buf_append(otto_buf *b, const char *s);
void otto__buf_appendn(otto_buf *b, const char *s, size_t n);
void otto__buf_printf(otto_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the string (never NULL) and reset the buffer. */
char *otto__buf_take(otto_buf *b);
void otto__buf_free(otto_buf *b);

/* util_arena.c: zeroed blocks that are all freed at once by
 * otto__arena_free (which leaves an empty arena, ready for use). Start
 * with {0}. */
typedef struct otto__arena {
	struct otto__arena_block *head;
} otto__arena;
void *otto__arena_alloc(otto__arena *a, size_t size);
void otto__arena_free(otto__arena *a);

/* util_text.c: text safe to print (see there for what is escaped and why). */
/* True when s[0..len) needs no escaping. */
bool otto__text_is_plain(const char *s, size_t len);
/* Append s[0..len) with control characters, invalid UTF-8 and invisible
 * formatting marks escaped visibly (\n, \x1b, \u202e). */
void otto__buf_append_escaped(otto_buf *b, const char *s, size_t len);
/* The same as a new string; NULL in, NULL out. */
char *otto__text_escape(const char *s);

/* util_abi.c: what otto accepts from a registration, shared by libotto's
 * registry and otto-conformance (rules C3, C9). Backend names are
 * [a-z0-9][a-z0-9_-]*, at most OTTO__BACKEND_NAME_MAX characters. The
 * *_problem functions return true, with one sentence in `why` (may be
 * NULL), when the value is refused. */
#define OTTO__BACKEND_NAME_MAX 64
bool otto__valid_backend_name(const char *name);
bool otto__backend_name_problem(const char *name, char *why, size_t why_size);
/* A type's struct_size: at least up to its last required entry, at most
 * the host's own sizeof. */
bool otto__type_size_problem(otto_backend_kind kind, size_t struct_size, char *why, size_t why_size);
/* The whole sentence otto refuses a plugin with (and otto-conformance
 * reports), or NULL when the value is accepted. Caller frees. */
char *otto__backend_name_refusal(otto_backend_kind kind, const char *name);
char *otto__type_size_refusal(otto_backend_kind kind, const char *name, size_t struct_size);

/* util_file.c: read the whole regular file at `path` (at most `cap`
 * bytes; NUL-terminated; caller frees *text). A FIFO, device, folder or
 * socket, a file swapped while being opened, a file larger than cap, and
 * read errors fail with `code` and a message naming `what` ("settings
 * file") and the path. Out-parameters are NULL/0 on failure. */
int otto__read_regular_file(const char *path, const char *what, size_t cap, int code, char **text, size_t *len,
			    otto_error *err);
/* util_file.c: read a private data file of this user (a cache): not
 * through a symbolic link, a regular file owned by the effective user and
 * writable by nobody else, at most `cap` bytes, all judged on the opened
 * descriptor. 0 with *data (NUL-terminated, caller frees) and *len; 1 when
 * there is no such file; -1 with the reason in `why`. */
int otto__read_private_file(const char *path, size_t cap, char **data, size_t *len, char *why, size_t why_size);
/* "1 MiB", "64 KiB", "100 bytes": a size for messages. */
void otto__size_text(char *buf, size_t size, size_t bytes);

/* Levenshtein distance, for "Did you mean". */
size_t otto__edit_distance(const char *a, const char *b);

/* Join dir and name with one '/'; an absolute name is returned as is. */
char *otto__path_join(const char *dir, const char *name);

/* libotto's warning channel (see otto_set_warning_handler in otto.h). */
void otto__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* self_location.c: the folder holding libotto (the file this code was
 * loaded from), absolute and without symlinks; NULL when the loader cannot
 * say. Caller frees. */
char *otto__self_dir(void);
/* <that folder>/otto/<name>, e.g. "plugins" or "otto-worker". Caller frees. */
char *otto__self_private_path(const char *name);

/* CLOCK_MONOTONIC in milliseconds: deadlines are points on this clock. */
int64_t otto__now_ms(void);

/* ------------------------------------------------ child processes (util_child.c) --
 *
 * The one way libotto, otto-conformance and the otto command start a
 * process that runs code they do not trust (a plugin) or do not own (the
 * command of `otto lock run`): fork, then in the child only
 * async-signal-safe steps (safe in a multi-threaded caller) and exec:
 *
 *   - its own process group when asked (killing the child kills whatever
 *     it forked too);
 *   - every signal disposition back to the default, the signal mask empty
 *     (a plugin must see a clean process, and a handler or mask inherited
 *     from the caller must not hide a crash);
 *   - PR_SET_PDEATHSIG(SIGKILL) when asked, then getppid() checked again
 *     (the caller may have died before the request was made). Linux ties
 *     it to the *thread* that forked: start children from a thread that
 *     outlives them;
 *   - fd 0, 1, 2 as the spec says; the protocol channel (one end of a
 *     SOCK_STREAM socketpair) as fd 3; every other descriptor closed
 *     (close_range), so nothing the caller holds leaks into plugin code;
 *   - execve. A failed exec is reported to the caller as errno through a
 *     close-on-exec pipe, so "cannot start X: No such file" is an error at
 *     spawn time, not a mysterious early death.
 *
 * Waiting never sleeps: poll() on the channel, the child's stdout and
 * stderr pipes and a pidfd (the child's end as an event), with a deadline.
 * Without pidfd support (kernels before 5.3, or valgrind) the end of the
 * child shows as end-of-file on the channel, and only then is it reaped
 * with a short bounded wait.
 */

/* How one of the child's standard streams is set up. */
typedef enum otto__child_stdio {
	OTTO__CHILD_DEVNULL = 0, /* /dev/null */
	OTTO__CHILD_INHERIT,     /* the caller's own descriptor */
	OTTO__CHILD_PIPE,        /* a pipe to the caller: stdout is watched (bytes counted, dropped), stderr is kept
				    (its first and last OTTO__CHILD_ERR_KEEP bytes) */
	OTTO__CHILD_FD           /* a descriptor of the caller (stdout only: out_fd) */
} otto__child_stdio;

#define OTTO__CHILD_ERR_KEEP 1024

typedef struct otto__child_spec {
	const char *path;           /* the program, an absolute path */
	const char *const *argv;    /* argv[0] first, NULL-terminated */
	const char *const *wrapper; /* NULL, or words to run the program under (wrapper[0] looked up in PATH) */
	bool channel;               /* a socketpair; the child's end is its fd 3 */
	otto__child_stdio in, out, err;
	int out_fd;                 /* for out == OTTO__CHILD_FD */
	bool own_process_group;
	bool die_with_parent;
} otto__child_spec;

typedef struct otto__child {
	pid_t pid;       /* 0: none */
	int pidfd;       /* -1 without pidfd support */
	int channel;     /* the caller's end (non-blocking), -1 when none or closed */
	int out_pipe;    /* -1 when not piped or at end of file */
	int err_pipe;
	bool own_group;
	bool reaped;
	bool status_lost; /* someone else (a SIGCHLD handler of the caller) reaped it */
	int wstatus;      /* once reaped */
	uint64_t out_bytes; /* bytes seen on a watched stdout */
	uint64_t err_bytes;
	size_t err_head_len;
	char err_head[OTTO__CHILD_ERR_KEEP];
	char err_tail[OTTO__CHILD_ERR_KEEP]; /* a ring: the last bytes, oldest at err_bytes % size */
} otto__child;

/* Set by tests to take the path of systems without pidfd support. */
extern bool otto__child_without_pidfd;

/* Start a child. 0, or -1 with one sentence in `why` (the child is then
 * already gone). `c` is zeroed first; free it with otto__child_free. */
int otto__child_spawn(otto__child *c, const otto__child_spec *spec, char *why, size_t why_size);

typedef enum otto__child_event {
	OTTO__CHILD_READY = 1, /* the channel can be read (or written, for POLLOUT), or is at end of file */
	OTTO__CHILD_ENDED,     /* the child ended (reaped) and nothing more can come */
	OTTO__CHILD_TIMEOUT    /* the deadline passed */
} otto__child_event;

/* Wait for the channel to become ready for `events` (POLLIN or POLLOUT),
 * draining the child's stdout and stderr pipes meanwhile. deadline_ms < 0:
 * no deadline. A child without a channel is waited for until it ends; where
 * there is no pidfd either, that is a blocking waitpid() (no deadline, no
 * pipes) or the bounded reap of otto__child_reap, which kills the child
 * at the deadline. */
otto__child_event otto__child_wait(otto__child *c, short events, int64_t deadline_ms);

/* After end of file on the channel: reap the child, waiting at most until
 * the deadline (then it is killed; < 0: no deadline). True when it ended
 * by itself. */
bool otto__child_reap(otto__child *c, int64_t deadline_ms);

/* Drain what the stdout and stderr pipes hold now, without waiting. */
void otto__child_drain(otto__child *c);

/* Kill the child (and its group) with SIGKILL and reap it. */
void otto__child_kill(otto__child *c);

/* Close the channel (the child's cue to leave), wait until the deadline for
 * it to end (< 0: no deadline), kill it past the deadline. True when it
 * ended by itself with exit status 0. */
bool otto__child_finish(otto__child *c, int64_t deadline_ms);

/* Kill the child if it is still there, close every descriptor. NULL-safe. */
void otto__child_free(otto__child *c);

/* How a reaped child ended, as words that follow its name: "exited with
 * status 3", "crashed with SIGSEGV" (the signals of a crash: SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS, SIGTRAP), "was killed by
 * SIGTERM", "ended (its exit status was collected elsewhere)". Caller frees. */
char *otto__child_describe_end(const otto__child *c);

/* What the child wrote to stderr, printable (escaped as otto__text_escape
 * does, "...(N bytes)..." where the middle was dropped): at most `keep` bytes of
 * its start and of its end (up to OTTO__CHILD_ERR_KEEP each), or NULL when
 * it wrote nothing. Caller frees. */
char *otto__child_stderr_text(const otto__child *c, size_t keep);

/* "SIGSEGV" for SIGSEGV (and "signal 77" for one without a name): static
 * or thread-local storage. */
const char *otto__signal_name(int sig);

/* ------------------------------------------------------ frames (util_frame.c) --
 *
 * A frame on a byte stream: a 12-byte header, all little-endian,
 *
 *     u32 length   payload bytes that follow (at most OTTO__FRAME_MAX)
 *     u32 type     what the payload is (defined by the protocol using it)
 *     u32 tag      which request it belongs to
 *
 * then the payload: a sequence of fields. Integers are little-endian
 * (u8, u32, u64, i64). A string is u32 length, that many bytes, and a NUL;
 * the length 0xffffffff stands for NULL (no bytes follow). A reader never
 * trusts a length: every field is checked against what is left of the
 * frame, a string must end with its NUL and hold no other, and any fault
 * marks the reader bad instead of reading past the end.
 */

#define OTTO__FRAME_HEADER 12u
#define OTTO__FRAME_MAX (16u << 20)
#define OTTO__NULL_STRING 0xffffffffu

typedef struct otto__frame {
	uint32_t type;
	uint32_t tag;
	const unsigned char *data; /* the payload, valid until the next frame is read */
	size_t len;
} otto__frame;

/* Start a frame at the end of `b`; returns where it starts. */
size_t otto__frame_begin(otto_buf *b, uint32_t type, uint32_t tag);
/* Patch the length of the frame that starts at `start`. False (and the
 * frame removed) when its payload is larger than OTTO__FRAME_MAX. */
bool otto__frame_end(otto_buf *b, size_t start);

void otto__put_u8(otto_buf *b, uint8_t v);
void otto__put_u32(otto_buf *b, uint32_t v);
void otto__put_u64(otto_buf *b, uint64_t v);
void otto__put_i64(otto_buf *b, int64_t v);
void otto__put_str(otto_buf *b, const char *s); /* NULL is a NULL string */

typedef struct otto__reader {
	const unsigned char *p;
	size_t left;
	bool bad;
} otto__reader;

void otto__reader_init(otto__reader *r, const otto__frame *f);
uint8_t otto__get_u8(otto__reader *r);
uint32_t otto__get_u32(otto__reader *r);
uint64_t otto__get_u64(otto__reader *r);
int64_t otto__get_i64(otto__reader *r);
/* A string inside the frame, or NULL (check r->bad to tell a NULL string
 * from a fault). */
const char *otto__get_str(otto__reader *r);
/* A count of items that take at least `min_item_bytes` each: more than
 * the rest of the frame could hold marks the reader bad. */
uint32_t otto__get_count(otto__reader *r, size_t min_item_bytes);
/* The whole payload was read without a fault. */
bool otto__reader_done(const otto__reader *r);

/* Frames arriving on a descriptor. */
typedef struct otto__frame_in {
	unsigned char *data;
	size_t len, cap;
	size_t start; /* the first byte not yet handed out */
} otto__frame_in;

/* Read what the descriptor has now (it must be non-blocking): the number
 * of bytes, 0 at end of file, -1 when nothing is there (EAGAIN), -2 on an
 * error (errno set). */
ssize_t otto__frame_in_fill(otto__frame_in *in, int fd);
/* The next complete frame: 1 (in *f, valid until the next call), 0 when
 * more bytes are needed, -1 when the header announces more than
 * OTTO__FRAME_MAX (the stream is garbage). */
int otto__frame_in_next(otto__frame_in *in, otto__frame *f);
/* Bytes received that are not a complete frame yet. */
size_t otto__frame_in_pending(const otto__frame_in *in);
void otto__frame_in_free(otto__frame_in *in);

/* Write all of p on a blocking descriptor (the worker's side), passing
 * `fds` with the first byte. -1 with errno on failure. Never raises
 * SIGPIPE. */
int otto__send_all(int fd, const void *p, size_t n, const int *fds, size_t n_fds);

#endif
