/*
 * The backend worker: plugin code runs in `otto-worker`, a separate
 * program beside libotto (<libdir>/otto/otto-worker), never in the process
 * that decides what otto answers. This header is the protocol between the
 * two and the API both sides use.
 *
 * OTTO WORKER PROTOCOL, version 1
 *
 *   Transport. One SOCK_STREAM socket pair. The worker's end is its fd 3;
 *   its stdin is /dev/null, its stdout a pipe libotto watches (a plugin
 *   that writes there breaks the ABI's rule of conduct and its call
 *   fails), its stderr a pipe libotto keeps the first and last KiB of, for
 *   the report when the worker dies. Every other descriptor is closed.
 *
 *   Frames (util.h): u32 length, u32 type, u32 tag, then `length` bytes of
 *   payload (at most OTTO__FRAME_MAX, 16 MiB). Integers little-endian;
 *   strings u32 length + bytes + NUL, 0xffffffff for NULL. Below, a field
 *   list is written {u32 x, str y}, and `strs` is {u64 count, u8 is_null,
 *   then `count` strings unless is_null} (a plugin's (pointer, count) pair,
 *   NULL pointer included, so that the host's checks see what the plugin
 *   gave).
 *
 *   1. Handshake. The worker speaks first: HELLO, tag 0,
 *        {u32 protocol, u32 abi_major, u32 abi_minor, str libotto_version}.
 *      libotto stops a worker whose protocol, ABI or version is not its
 *      own, or that sends anything else first.
 *
 *   2. Requests, one at a time, libotto -> worker, each with a new tag
 *      (1, 2, 3 ...). The answer is zero or more item frames, then one END
 *      {i32 status, str message}; every answer frame carries the request's
 *      tag. A frame with another tag, a type the request cannot have, a
 *      malformed payload, end of file or the worker's death before END, or
 *      no END within the per-call time limit ends the worker: the call
 *      fails, and so does every later call of that backend.
 *
 *      SCAN   {u32 n, n x {str path, stamp}}, with n descriptors passed
 *             (SCM_RIGHTS) on the frame, one per file, in order. Answer: one
 *             PLUGIN frame per file, in order, then END. A death charges
 *             the file after the last PLUGIN received.
 *               stamp  = {u64 dev, u64 ino, i64 size, i64 mtime_ns}
 *               PLUGIN = {u32 index, u32 status, str detail, str name,
 *                         str version, u32 abi_major, u32 abi_minor,
 *                         u32 n, n x backend}
 *               backend = {u32 kind, str name, str description,
 *                          u32 capabilities (OTTO_BACKEND_CAP_*, only those
 *                          of its kind), u32 n_keys (at most 256),
 *                          n_keys x {str key, u32 type, u32 flags,
 *                          str description}}  (its settings_keys)
 *      OPEN   {u32 kind, str backend, str path, stamp}, one descriptor
 *             passed: load that file, register its backends, find `backend`.
 *             Answer: OPENED {u32 capabilities, str description}, END.
 *             capabilities: 1 host summaries, 2 usernames, 4 windows,
 *             8 reserve and cancel, 16 prepare.
 *      CREATE {config}                                -> END
 *               config  = {str backend, str section, str repo_root, str url,
 *                          u32 n, n x setting}
 *               setting = {str key, u32 type, str string, i64 integer,
 *                          u8 boolean, strs items, str file, u32 line}
 *      DESTROY {}                                     -> END; the worker
 *             then leaves when the socket closes.
 *      LIST_LABS {}                                   -> STRINGS..., END
 *      LOAD_LAB {str name, u8 has_preferences[, config]}
 *                                       -> HOSTS, RESOURCES, LINKS..., END
 *      LIST_HOST_SUMMARIES {}                         -> SUMMARIES..., END
 *      BACKEND_NAME {}                   -> STRINGS (exactly one), END
 *      GET_RESERVED_RESOURCES {str user}              -> STRINGS..., END
 *      WHO_RESERVED {str resource}                    -> STRINGS..., END
 *      LIST_USERNAMES {}                              -> STRINGS..., END
 *      GET_RESERVATION_WINDOWS {str user}             -> WINDOWS..., END
 *      RESERVE / CANCEL {str user, strs resources, i64 start, i64 end,
 *                        u32 flags}                   -> WINDOWS..., END
 *      PREPARE {}                                     -> STRINGS..., END
 *      Lock stores (kind 3, ABI 1.2), each call with the manager's claim:
 *      LOCK_WHERE {}                     -> STRINGS (exactly one), END
 *      LOCK_ACQUIRE {claim}              -> LOCKS..., LOCK_OUTCOME, END
 *      LOCK_RELEASE / LOCK_GET / LOCK_LIST / LOCK_RENEW {claim}
 *                                        -> LOCKS..., END
 *             (LOCK_RENEW to a store without renew: END OTTO_EINVALID)
 *      LOCK_PREPARE {}                                -> STRINGS..., END
 *               claim  = {str name, holder, str new_sha256,
 *                         str held_sha256, str given_sha256,
 *                         i64 expiry_seconds, u32 flags, u8 check_pid,
 *                         i64 now}
 *               holder = {str user, i64 uid, str host, i64 pid,
 *                         u64 pid_start, str boot_id, str pidns}
 *             LOCK_OUTCOME {u32 outcome} is not an item: at most one, after
 *             the items, and only in the answer of LOCK_ACQUIRE. The
 *             worker refuses lock calls to a backend of another kind, and
 *             the calls of other kinds to a lock store.
 *
 *   3. Item frames stream the out-object calls the plugin makes, in order,
 *      in batches of up to ~64 KiB: {u32 n, n x item}, each item one add:
 *        STRINGS   str
 *        HOSTS     {u8 present, str key, str ip, str element,
 *                   i64 element_id, str board, i64 slot, str os_type,
 *                   strs resources, strs labs, u8 docker_capable,
 *                   u64 n_creds, u8 creds_null, n x {str login, str password},
 *                   str extra_json}   (fields past the plugin's struct_size
 *                   arrive as their "absent" value)
 *        RESOURCES str
 *        LINKS     {u8 present, u64 struct_size, u64 n_endpoints,
 *                   u8 endpoints_null, n x {str host, str interface},
 *                   str protocol, str extra_json}
 *        SUMMARIES {u8 present, str id, strs labs, str ip, str element,
 *                   i64 element_id, str board, i64 slot, u8 docker_capable}
 *        WINDOWS   {str resource, i64 start, i64 end}
 *        LOCKS     {str name, u32 state, str problem, str user, i64 uid,
 *                   str host, i64 pid, i64 taken, i64 expiry, str where,
 *                   u64 fence}   (otto_lock_out_add; fields past the
 *                   plugin's struct_size arrive as their "absent" value)
 *        WARNINGS  str   (otto_string_out_warn / otto_summary_out_warn,
 *                   in any answer of STRINGS or SUMMARIES; cut to
 *                   4 KiB by the worker, so a warning never fails a call)
 *      libotto replays each one into the real out-object, so the host's
 *      checks (lab_build.c) and its error messages are exactly those of an
 *      in-process call; after the first item it refuses, it ignores the
 *      rest of the answer and reports that refusal.
 *
 *   4. The END status and message are the plugin's own return value and
 *      otto_error message, judged by libotto as if it had called the
 *      plugin itself (otto__call_result). When the worker could not carry
 *      an item (larger than a frame), END says so with OTTO_ERROR, whatever
 *      the plugin returned: an answer is never silently shortened.
 *
 * Nothing the worker sends is trusted: every length is checked, every
 * string must be whole, and every item goes through the same validation
 * as an in-process one.
 */
#ifndef OTTO_WORKER_H
#define OTTO_WORKER_H

#include "util/util.h"

#include <sys/stat.h>

#define OTTO__WORKER_PROTOCOL 1
#define OTTO__WORKER_PROGRAM "otto-worker"
/* Items are sent when a batch reaches this size. */
#define OTTO__WORKER_BATCH (64u * 1024u)
/* How much of a failed worker's stderr a message shows, from its start and
 * from its end (an error message holds OTTO_ERROR_MESSAGE_MAX bytes). */
#define OTTO__WORKER_STDERR_SHOWN 160
/* The most files one SCAN request carries (descriptors in one message). */
#define OTTO__WORKER_SCAN_MAX 64

enum otto__worker_frame {
	OTTO__W_HELLO = 1,

	OTTO__W_SCAN = 10,
	OTTO__W_OPEN = 11,
	OTTO__W_CREATE = 12,
	OTTO__W_DESTROY = 13,
	OTTO__W_LIST_LABS = 20,
	OTTO__W_LOAD_LAB = 21,
	OTTO__W_LIST_HOST_SUMMARIES = 22,
	OTTO__W_BACKEND_NAME = 30,
	OTTO__W_GET_RESERVED_RESOURCES = 31,
	OTTO__W_WHO_RESERVED = 32,
	OTTO__W_LIST_USERNAMES = 33,
	OTTO__W_GET_RESERVATION_WINDOWS = 34,
	OTTO__W_RESERVE = 35,
	OTTO__W_CANCEL = 36,
	OTTO__W_PREPARE = 37,
	OTTO__W_LOCK_WHERE = 40,
	OTTO__W_LOCK_ACQUIRE = 41,
	OTTO__W_LOCK_RELEASE = 42,
	OTTO__W_LOCK_GET = 43,
	OTTO__W_LOCK_LIST = 44,
	OTTO__W_LOCK_PREPARE = 45,
	OTTO__W_LOCK_RENEW = 46,

	OTTO__W_END = 64,
	OTTO__W_PLUGIN = 65,
	OTTO__W_OPENED = 66,
	OTTO__W_STRINGS = 70,
	OTTO__W_HOSTS = 71,
	OTTO__W_RESOURCES = 72,
	OTTO__W_LINKS = 73,
	OTTO__W_SUMMARIES = 74,
	OTTO__W_WINDOWS = 75,
	OTTO__W_WARNINGS = 76,
	OTTO__W_LOCKS = 77,
	OTTO__W_LOCK_OUTCOME = 78
};

/* The OPENED frame's capabilities: the public OTTO_BACKEND_CAP_* bits
 * (otto.h), so that a scan and an open can never disagree on a bit. */
enum {
	OTTO__CAP_SUMMARIES = OTTO_BACKEND_CAP_SUMMARIES,
	OTTO__CAP_USERNAMES = OTTO_BACKEND_CAP_USERNAMES,
	OTTO__CAP_WINDOWS = OTTO_BACKEND_CAP_WINDOWS,
	OTTO__CAP_WRITE = OTTO_BACKEND_CAP_WRITE,
	OTTO__CAP_PREPARE = OTTO_BACKEND_CAP_PREPARE /* reservation backends and lock stores: prepare */
};

/* What identifies the file a plugin was scanned from. A file whose stamp
 * differs when it is used is another file, or the same one rewritten. */
typedef struct otto__file_stamp {
	uint64_t dev, ino;
	int64_t size, mtime_ns;
	uint32_t mode, uid; /* compared too: a file made writable by others since the scan is not the same file */
} otto__file_stamp;

void otto__stamp_from_stat(otto__file_stamp *stamp, const struct stat *st);
bool otto__stamp_equal(const otto__file_stamp *a, const otto__file_stamp *b);
/* What differs between the two, for a message ("inode 12 -> 34"). Caller frees. */
char *otto__stamp_difference(const otto__file_stamp *then, const otto__file_stamp *now);

/* ---------------------------------------------- fields (worker_codec.c) -- */

void otto__put_stamp(otto_buf *b, const otto__file_stamp *stamp);
void otto__get_stamp(otto__reader *r, otto__file_stamp *stamp);

/* A (pointer, count) array of strings: `strs` above. */
void otto__put_strs(otto_buf *b, const char *const *items, size_t n);

/* config: what create() (or load_lab's preferences) receives. */
void otto__put_config(otto_buf *b, const otto_config *config);
/* Read a config; its strings point into the frame, its arrays into
 * `hold` (free with otto__config_hold_free once the call returned). */
typedef struct otto__config_hold {
	otto_setting *settings;
	const char **items;
} otto__config_hold;
void otto__get_config(otto__reader *r, otto__config_hold *hold, otto_config *config);
void otto__config_hold_free(otto__config_hold *hold);

/* RESERVE / CANCEL. */
void otto__put_request(otto_buf *b, const otto_reservation_request *request);
void otto__get_request(otto__reader *r, otto__config_hold *hold, otto_reservation_request *request);

/* Lock stores: the claim of every call, and the records it answers
 * (worker_lock.c). A claim read back points into the frame and `holder`. */
void otto__put_lock_claim(otto_buf *b, const otto_lock_claim *claim);
void otto__get_lock_claim(otto__reader *r, otto_lock_holder *holder, otto_lock_claim *claim);
void otto__put_lock_record(otto_buf *b, const otto_lock_record *record);
void otto__get_lock_record(otto__reader *r, otto_lock_record *record);

/* Items, as the worker reads them from the plugin's structs (fields past
 * the plugin's struct_size are absent). NULL: a NULL record. */
void otto__put_host(otto_buf *b, const otto_host *host);
void otto__put_link(otto_buf *b, const otto_link *link);
void otto__put_summary(otto_buf *b, const otto_host_summary *summary);

/* Items as libotto reads them back: pointers into the frame and into
 * `scratch` (reused from one item to the next). False when malformed.
 * *present false: the plugin passed a NULL record. */
typedef struct otto__item_scratch {
	const char **ptrs;
	size_t ptrs_cap;
	otto_cred *creds;
	size_t creds_cap;
	otto_link_endpoint *ends;
	size_t ends_cap;
} otto__item_scratch;
bool otto__get_host(otto__reader *r, otto__item_scratch *s, otto_host *host, bool *present);
bool otto__get_link(otto__reader *r, otto__item_scratch *s, otto_link *link, bool *present);
bool otto__get_summary(otto__reader *r, otto__item_scratch *s, otto_host_summary *summary, bool *present);
void otto__item_scratch_free(otto__item_scratch *s);

/* ------------------------------------------------------ parent side -- */

/* What went wrong with a worker, when something did. */
typedef enum otto__worker_fault {
	OTTO__WF_NONE = 0,
	OTTO__WF_START,   /* it could not be started, or its handshake was wrong */
	OTTO__WF_ENDED,   /* it ended before answering (how: `how`) */
	OTTO__WF_TIMEOUT, /* no answer within the time limit: stopped */
	OTTO__WF_CLOSED,  /* it closed its end of the socket but stayed: stopped */
	OTTO__WF_GARBAGE, /* it sent something the protocol does not allow: stopped */
	OTTO__WF_STDOUT,  /* the plugin wrote to stdout during the call */
	OTTO__WF_IO       /* libotto could not write to it (it is gone) */
} otto__worker_fault;

typedef struct otto__worker {
	otto__child child;
	otto__frame_in in;
	otto_buf out;
	uint32_t tag;
	unsigned timeout_ms;
	uint64_t stdout_seen; /* bytes of stdout already charged */
	bool started;         /* its greeting was right */
	otto__worker_fault fault;
	char *fault_op;       /* the call it happened in */
	char *how;            /* "crashed with SIGSEGV", "exited with status 0", the garbage... */
	bool answered_part;   /* item frames of the failed call had arrived */
} otto__worker;

/* Start otto-worker (or $OTTO_WORKER_WRAPPER words before it: a test-only
 * way to run it under valgrind) and check its HELLO within timeout_ms.
 * False with w->fault set on failure; w must then still be freed. */
bool otto__worker_start(otto__worker *w, unsigned timeout_ms);

/* Start a request of `type` in w->out (fields follow with otto__put_*). */
otto_buf *otto__worker_request(otto__worker *w, uint32_t type);

/* Called for every answer frame but END. False: the frame is not
 * acceptable here (the worker is then treated as sending garbage; say why
 * in *why, a static string). */
typedef bool (*otto__worker_item_fn)(void *ud, const otto__frame *f, const char **why);

/* Send the request built by otto__worker_request (passing `fds`), then
 * read its answer until END, within the time limit. True with the
 * plugin's status and message; false with w->fault set (the worker is
 * stopped and every later call fails at once). `op` names the call in
 * messages. */
bool otto__worker_call(otto__worker *w, const char *op, const int *fds, size_t n_fds, otto__worker_item_fn on_item,
		       void *ud, int *status, char message[OTTO_ERROR_MESSAGE_MAX]);

/* The fault as words after the backend's name: "crashed with SIGSEGV during
 * load_lab", "did not answer who_reserved within 30 s and was stopped",
 * "wrote to stdout during create, which a plugin must never do"...,
 * followed by what the worker wrote on stderr, when anything. Caller frees. */
char *otto__worker_fault_text(const otto__worker *w);

/* Let the worker go: close the socket and wait (up to the time limit) for
 * it to leave. True when it left by itself with status 0. */
bool otto__worker_stop(otto__worker *w);
void otto__worker_free(otto__worker *w);

/* -------------------------------------------------------- worker side -- */

/* otto-worker's main(). */
int otto__worker_main(int argc, char **argv);

#endif
