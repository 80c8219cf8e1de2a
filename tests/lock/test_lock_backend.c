/*
 * The `lock` reservation backend fails closed: a lock folder it cannot read
 * (missing, a file in its place, not a folder on the way, unreadable) and a
 * lock it cannot read (corrupt, unreadable) are errors naming the path, from
 * every operation, never a crash and never "nothing reserved". The plugin
 * is the real lock.so, found by the real discovery.
 *
 * Regression: get_reserved_resources once freed an uninitialised pointer
 * when the folder was missing (SIGABRT "free(): invalid pointer"). A crash
 * ends the test's process, so Criterion reports the test as crashed.
 */
#include "lock_test.h"

#include "testutil.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static otto_registry *registry;
static char *root, *dir;
/* Who the operations ask about: the owner of the test's records, also
 * when a child asks as nobody. */
static char owner[64];

static void setup(void)
{
	otto_error err = {0};
	root = lt_folder(&dir);
	snprintf(owner, sizeof owner, "%s", lt_me());
	cr_assert_eq(otto_registry_new(&registry, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_add_dir(registry, OTTO_PLUGIN_BUILD_DIR, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto_registry_scan(registry, &err), OTTO_OK, "%s", err.message);
}

static void teardown(void)
{
	otto_registry_free(registry);
	chmod(root, 0700);
	chmod(dir, 0700);
	tu_rm_rf(root);
	free(root);
	free(dir);
}

TestSuite(lock_backend, .init = setup, .fini = teardown, .timeout = 30);

/* The real plugin, configured with `[reservations.lock] dir = path`. */
static otto_reservation_backend *open_lock_backend(const char *path)
{
	otto_setting s = {.key = "dir", .type = OTTO_VALUE_STRING, .string = path, .file = "test", .line = 1};
	otto_config cfg = {.struct_size = sizeof cfg,
			   .backend = "lock",
			   .section = "reservations.lock",
			   .repo_root = root,
			   .settings = &s,
			   .n_settings = 1};
	otto_reservation_backend *b = NULL;
	otto_error err = {0};
	cr_assert_eq(otto_reservation_backend_open(&b, registry, "lock", &cfg, &err), OTTO_OK, "open lock: %s",
		     err.message);
	cr_assert(otto_reservation_backend_has_windows(b) && otto_reservation_backend_has_usernames(b));
	return b;
}

typedef struct op_result {
	int rc[4];
	char message[4][OTTO_ERROR_MESSAGE_MAX];
} op_result;

static const char *const OP_NAMES[4] = {"get_reserved_resources", "who_reserved", "get_reservation_windows",
					"list_usernames"};

/* Every operation once; the answers are freed, the outcomes kept. */
static void call_every_operation(otto_reservation_backend *b, const char *name, op_result *r)
{
	otto_strlist list = {0};
	otto_window_list windows = {0};
	otto_error err[4] = {{0}};

	r->rc[0] = otto_reservation_backend_reserved_resources(b, owner, &list, &err[0]);
	otto_strlist_free(&list);
	r->rc[1] = otto_reservation_backend_who_reserved(b, name, &list, &err[1]);
	otto_strlist_free(&list);
	r->rc[2] = otto_reservation_backend_windows(b, owner, &windows, &err[2]);
	otto_window_list_free(&windows);
	r->rc[3] = otto_reservation_backend_list_usernames(b, &list, &err[3]);
	otto_strlist_free(&list);
	for (int i = 0; i < 4; i++)
		snprintf(r->message[i], sizeof r->message[i], "%s", err[i].message);
}

/* The needle is printf-formatted. */
static void assert_every_operation_fails(const op_result *r, const char *needle_fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void assert_every_operation_fails(const op_result *r, const char *needle_fmt, ...)
{
	va_list ap;
	char *needle = NULL;
	va_start(ap, needle_fmt);
	int n = vasprintf(&needle, needle_fmt, ap);
	va_end(ap);
	cr_assert(n >= 0, "vasprintf failed");
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(r->rc[i], OTTO_ERROR, "%s must fail closed, returned %d (%s)", OP_NAMES[i], r->rc[i],
			     r->message[i]);
		cr_assert(tu_contains(r->message[i], needle), "%s: expected \"%s\" in \"%s\"", OP_NAMES[i], needle,
			  r->message[i]);
	}
	free(needle);
}

/* Open the backend on `path` and run every operation in a child as
 * `nobody` (root reads anything), the outcomes back through a pipe.
 * Without root, this user is as good. The backend is opened after the
 * privileges are dropped: its worker runs as whoever opened it. */
static void call_every_operation_unprivileged(const char *path, const char *name, op_result *r)
{
	int p[2];
	cr_assert(pipe(p) == 0);
	fflush(NULL);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		op_result mine;
		memset(&mine, 0, sizeof mine);
		close(p[0]);
		if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0))
			_exit(3);
		otto_setting s = {.key = "dir", .type = OTTO_VALUE_STRING, .string = path, .file = "test", .line = 1};
		otto_config cfg = {.struct_size = sizeof cfg,
				   .backend = "lock",
				   .section = "reservations.lock",
				   .repo_root = root,
				   .settings = &s,
				   .n_settings = 1};
		otto_reservation_backend *b = NULL;
		otto_error err = {0};
		int rc = otto_reservation_backend_open(&b, registry, "lock", &cfg, &err);
		if (rc != OTTO_OK) {
			for (int i = 0; i < 4; i++) {
				mine.rc[i] = rc;
				snprintf(mine.message[i], sizeof mine.message[i], "open: %.900s", err.message);
			}
		} else {
			call_every_operation(b, name, &mine);
			otto_reservation_backend_free(b);
		}
		_exit(write(p[1], &mine, sizeof mine) == (ssize_t)sizeof mine ? 0 : 4);
	}
	close(p[1]);
	ssize_t n = read(p[0], r, sizeof *r);
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the unprivileged child ended with status %d", status);
	cr_assert_eq(n, (ssize_t)sizeof *r);
}

/* Control: the same calls answer on a readable folder, so the failures
 * below come from what is wrong with the folder. */
Test(lock_backend, a_healthy_folder_answers)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	bool got = false;
	otto_error err = {0};
	cr_assert_eq(otto_lock_manager_acquire(m, "router1", 3600, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	cr_assert(got);

	otto_reservation_backend *b = open_lock_backend(dir);
	otto_strlist list = {0};
	cr_assert_eq(otto_reservation_backend_reserved_resources(b, lt_me(), &list, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(list.count, 1);
	cr_assert_str_eq(list.items[0], "router1");
	otto_strlist_free(&list);
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "router1", &list, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(list.count, 1);
	cr_assert_str_eq(list.items[0], lt_me());
	otto_strlist_free(&list);
	otto_window_list w = {0};
	cr_assert_eq(otto_reservation_backend_windows(b, lt_me(), &w, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(w.count, 1);
	cr_assert_str_eq(w.items[0].resource, "router1");
	cr_assert_eq(w.items[0].end - w.items[0].start, 3600);
	otto_window_list_free(&w);
	cr_assert_eq(otto_reservation_backend_list_usernames(b, &list, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(list.count, 1);
	cr_assert_str_eq(list.items[0], lt_me());
	otto_strlist_free(&list);
	otto_reservation_backend_free(b);
	otto_lock_manager_free(m);
}

Test(lock_backend, a_missing_folder_is_an_error_naming_it)
{
	otto_reservation_backend *b = open_lock_backend(dir);
	op_result r;
	/* Twice: the second call runs on a stack the first one dirtied. */
	for (int round = 0; round < 2; round++) {
		call_every_operation(b, "router1", &r);
		assert_every_operation_fails(&r, "lock folder %s: No such file or directory", dir);
	}
	cr_assert_eq(access(dir, F_OK), -1, "the backend is read-only: it must not create the folder");
	otto_reservation_backend_free(b);
}

Test(lock_backend, a_file_in_its_place_is_an_error_naming_it)
{
	free(tu_write(root, "locks", "not a folder\n"));
	otto_reservation_backend *b = open_lock_backend(dir);
	op_result r;
	call_every_operation(b, "router1", &r);
	assert_every_operation_fails(&r, "refusing lock folder %s: %s is not a folder", dir, dir);
	otto_reservation_backend_free(b);
}

Test(lock_backend, a_file_on_the_way_is_an_error_naming_the_folder)
{
	free(tu_write(root, "plain", "a file\n"));
	char *below = tu_fmt("%s/plain/locks", root);
	otto_reservation_backend *b = open_lock_backend(below);
	op_result r;
	call_every_operation(b, "router1", &r);
	assert_every_operation_fails(&r, "lock folder %s: %s/plain: Not a directory", below, root);
	otto_reservation_backend_free(b);
	free(below);
}

Test(lock_backend, a_dangling_symlink_is_an_error_naming_it)
{
	cr_assert(symlink("/nonexistent/otto-locks", dir) == 0, "%s", strerror(errno));
	otto_reservation_backend *b = open_lock_backend(dir);
	op_result r;
	call_every_operation(b, "router1", &r);
	assert_every_operation_fails(&r, "lock folder %s: /nonexistent: No such file or directory", dir);
	otto_reservation_backend_free(b);
}

Test(lock_backend, an_unreadable_folder_is_an_error_naming_it)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	bool got = false;
	otto_error err = {0};
	cr_assert_eq(otto_lock_manager_acquire(m, "router1", 0, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	chmod(root, 0755);
	chmod(dir, 0700); /* owned by this user: nobody else may list it */
	if (geteuid() != 0)
		chmod(dir, 0);
	op_result r;
	call_every_operation_unprivileged(dir, "router1", &r);
	assert_every_operation_fails(&r, "cannot open lock folder %s: Permission denied", dir);
	chmod(dir, 01777);
	otto_lock_manager_free(m);
}

Test(lock_backend, an_unreadable_lock_is_an_error_naming_its_file)
{
	otto_lock_options o = lt_options(dir, true, NULL);
	otto_lock_manager *m = lt_manager(&o, 0);
	bool got = false;
	otto_error err = {0};
	cr_assert_eq(otto_lock_manager_acquire(m, "router1", 0, 0, &got, NULL, &err), OTTO_OK, "%s", err.message);
	chmod(root, 0755);
	char *file = tu_fmt("%s/router1.lock.1", dir);
	cr_assert(chmod(file, 0600) == 0, "%s: %s", file, strerror(errno));
	if (geteuid() != 0)
		chmod(file, 0);
	op_result r;
	call_every_operation_unprivileged(dir, "router1", &r);
	assert_every_operation_fails(&r, "lock 'router1' is corrupt (%s: it cannot be read (Permission denied))", file);
	otto_lock_manager_free(m);
	free(file);
}

/* Each kind of corrupt record fails every operation with its path and reason. */
Test(lock_backend, a_corrupt_lock_is_an_error_naming_its_file)
{
	int64_t now = (int64_t)time(NULL);
	char *good = lt_record("router1", lt_me(), (long)getpid(), lt_start_time(getpid()), now, now + 3600);
	char *other_name = lt_record("router2", lt_me(), (long)getpid(), lt_start_time(getpid()), now, 0);
	char *other_user = lt_record("router1", "alice", (long)getpid(), lt_start_time(getpid()), now, 0);
	char *truncated = strndup(good, strlen(good) / 2);
	char *claims_alice = tu_fmt("it claims user 'alice' but the file belongs to %s (uid %ld)", owner, (long)geteuid());
	struct {
		const char *content; /* NULL: a symbolic link; "" with mkdir: a folder; "|": a FIFO */
		bool folder;
		const char *why;
	} cases[] = {
		{"", false, "the file is empty"},
		{truncated, false, "the file is truncated (no final newline)"},
		{"otto-lock 2\nkind=lock\nname=router1\n", false, "the file is truncated (no 'end' line)"},
		{"otto-lock 1\nkind=lock\nend\n", false,
		 "it was written by an older otto (format 1, without PID namespace or token hash); release it with --force"},
		{"garbage\n", false, "the first line is not 'otto-lock 2'"},
		{other_name, false, "it records the name 'router2'"},
		{other_user, false, claims_alice},
		{NULL, false, "it is a symbolic link, not a lock file"},
		{"", true, "it is a folder, not a lock file"},
		{"|", false, "it is a FIFO, not a lock file"},
	};
	mkdir(dir, 0755);
	otto_reservation_backend *b = open_lock_backend(dir);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *file = tu_fmt("%s/router1.lock.7", dir);
		if (cases[i].folder)
			cr_assert(mkdir(file, 0755) == 0);
		else if (cases[i].content && strcmp(cases[i].content, "|") == 0)
			cr_assert(mkfifo(file, 0644) == 0);
		else if (!cases[i].content)
			cr_assert(symlink("router1.guard", file) == 0);
		else
			free(tu_write(dir, "router1.lock.7", cases[i].content));
		op_result r;
		call_every_operation(b, "router1", &r);
		assert_every_operation_fails(&r, "lock 'router1' is corrupt (%s: %s)", file, cases[i].why);
		cr_assert(cases[i].folder ? rmdir(file) == 0 : unlink(file) == 0);
		free(file);
	}
	otto_reservation_backend_free(b);
	free(good);
	free(other_name);
	free(other_user);
	free(claims_alice);
	free(truncated);
}

/* A record claiming another user's uid is a forgery: corrupt, not a lock of theirs. */
Test(lock_backend, a_record_whose_uid_is_not_its_owner_is_corrupt)
{
	int64_t now = (int64_t)time(NULL);
	char *text = lt_record("router1", lt_me(), (long)getpid(), lt_start_time(getpid()), now, 0);
	char *forged = tu_fmt("%.*suid=4242%s", (int)(strstr(text, "uid=") - text), text,
			      strchr(strstr(text, "uid="), '\n'));
	mkdir(dir, 0755);
	char *file = tu_write(dir, "router1.lock.1", forged);
	otto_reservation_backend *b = open_lock_backend(dir);
	op_result r;
	call_every_operation(b, "router1", &r);
	assert_every_operation_fails(&r,
				     "lock 'router1' is corrupt (%s: it claims uid 4242 but the file "
				     "belongs to uid %lu)",
				     file, (unsigned long)geteuid());
	otto_reservation_backend_free(b);
	free(file);
	free(forged);
	free(text);
}

/* Bad settings are refused at creation, naming the file, line and key. */
Test(lock_backend, bad_settings_are_refused_naming_the_key)
{
	struct {
		otto_setting s;
		const char *msg;
	} cases[] = {
		{{.key = "dir", .type = OTTO_VALUE_INTEGER, .string = "5", .integer = 5, .file = "s.toml", .line = 3},
		 "s.toml:3: [reservations.lock] dir must be a non-empty string"},
		{{.key = "dir", .type = OTTO_VALUE_STRING, .string = "", .file = "s.toml", .line = 4},
		 "s.toml:4: [reservations.lock] dir must be a non-empty string"},
		{{.key = "check_pid", .type = OTTO_VALUE_STRING, .string = "yes", .file = "s.toml", .line = 5},
		 "s.toml:5: [reservations.lock] check_pid must be a boolean (true or false)"},
		{{.key = "folder", .type = OTTO_VALUE_STRING, .string = "/x", .file = "s.toml", .line = 6},
		 "s.toml:6: unknown key 'folder' in [reservations.lock] for backend 'lock' (accepted: dir, check_pid)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		otto_config cfg = {.struct_size = sizeof cfg,
				   .backend = "lock",
				   .section = "reservations.lock",
				   .repo_root = root,
				   .settings = &cases[i].s,
				   .n_settings = 1};
		otto_reservation_backend *b = NULL;
		otto_error err = {0};
		cr_assert_eq(otto_reservation_backend_open(&b, registry, "lock", &cfg, &err), OTTO_EINVALID,
			     "case %zu: %s", i, err.message);
		cr_assert_null(b);
		cr_assert(tu_contains(err.message, cases[i].msg), "case %zu: %s", i, err.message);
	}
}

/* A relative dir is the repository root's, as in settings. */
Test(lock_backend, a_relative_dir_is_relative_to_the_repository_root)
{
	otto_reservation_backend *b = open_lock_backend("locks");
	otto_strlist list = {0};
	otto_error err = {0};
	cr_assert_eq(otto_reservation_backend_who_reserved(b, "x", &list, &err), OTTO_ERROR);
	cr_assert(lt_contains_fmt(err.message, "lock folder %s: No such file or directory", dir), "%s", err.message);
	otto_reservation_backend_free(b);
}
