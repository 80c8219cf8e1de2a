/*
 * The pieces under the worker, linked in directly (util.h): frames and
 * their bounds-checked reader, and the child-process helper's promises
 * (descriptors closed, signals reset, stderr kept, deadlines, process
 * groups, the path without pidfd).
 */
#include "testutil.h"
#include "util/util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* -------------------------------------------------------------- frames -- */

static otto__frame frame_of(const otto_buf *b, size_t start)
{
	otto__frame f;
	uint32_t len;
	memcpy(&len, b->data + start, 4);
	memcpy(&f.type, b->data + start + 4, 4);
	memcpy(&f.tag, b->data + start + 8, 4);
	f.data = (const unsigned char *)b->data + start + OTTO__FRAME_HEADER;
	f.len = len;
	return f;
}

Test(frames, fields_round_trip)
{
	otto_buf b = {0};
	size_t at = otto__frame_begin(&b, 7, 42);
	otto__put_u8(&b, 200);
	otto__put_u32(&b, 0xdeadbeef);
	otto__put_u64(&b, 1ull << 40);
	otto__put_i64(&b, -5);
	otto__put_str(&b, "hello");
	otto__put_str(&b, NULL);
	otto__put_str(&b, "");
	cr_assert(otto__frame_end(&b, at));
	otto__frame f = frame_of(&b, at);
	cr_assert_eq(f.type, 7);
	cr_assert_eq(f.tag, 42);
	cr_assert_eq(f.len, b.len - OTTO__FRAME_HEADER);
	otto__reader r;
	otto__reader_init(&r, &f);
	cr_assert_eq(otto__get_u8(&r), 200);
	cr_assert_eq(otto__get_u32(&r), 0xdeadbeef);
	cr_assert_eq(otto__get_u64(&r), 1ull << 40);
	cr_assert_eq(otto__get_i64(&r), -5);
	cr_assert_str_eq(otto__get_str(&r), "hello");
	cr_assert_null(otto__get_str(&r));
	cr_assert_not(r.bad, "a NULL string is no fault");
	cr_assert_str_eq(otto__get_str(&r), "");
	cr_assert(otto__reader_done(&r));
	otto__buf_free(&b);
}

/* A reader over raw bytes. */
static otto__reader raw(const void *p, size_t n)
{
	otto__frame f = {1, 0, p, n};
	otto__reader r;
	otto__reader_init(&r, &f);
	return r;
}

Test(frames, the_reader_never_reads_past_the_end)
{
	otto__reader r = raw("\x01\x02", 2);
	cr_assert_eq(otto__get_u32(&r), 0, "a short integer reads as 0");
	cr_assert(r.bad);
	cr_assert_null(otto__get_str(&r), "nothing after a fault");

	r = raw("\x05\x00\x00\x00" "abc", 7);
	cr_assert_null(otto__get_str(&r), "a string longer than the rest");
	cr_assert(r.bad);

	r = raw("\x03\x00\x00\x00" "abcd", 8);
	cr_assert_null(otto__get_str(&r), "no NUL where the string ends");
	cr_assert(r.bad);

	r = raw("\x03\x00\x00\x00" "a\0c\0", 8);
	cr_assert_null(otto__get_str(&r), "a NUL inside the string");
	cr_assert(r.bad);

	r = raw("\xff\xff\xff\x0f", 4);
	cr_assert_eq(otto__get_count(&r, 4), 0, "more items than the rest could hold");
	cr_assert(r.bad);

	r = raw("\x01\x00\x00\x00" "x\0" "z", 7);
	cr_assert_str_eq(otto__get_str(&r), "x");
	cr_assert_not(otto__reader_done(&r), "a byte left over is not done");
}

Test(frames, a_frame_too_large_is_refused_and_removed)
{
	otto_buf b = {0};
	otto__buf_append(&b, "keep");
	size_t at = otto__frame_begin(&b, 1, 1);
	char *big = calloc(1, OTTO__FRAME_MAX + 1);
	otto__buf_appendn(&b, big, OTTO__FRAME_MAX + 1);
	free(big);
	cr_assert_not(otto__frame_end(&b, at));
	cr_assert_eq(b.len, 4);
	cr_assert_str_eq(b.data, "keep");
	otto__buf_free(&b);
}

Test(frames, incoming_frames_in_pieces)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	otto_buf b = {0};
	size_t at = otto__frame_begin(&b, 3, 9);
	otto__put_str(&b, "payload");
	otto__frame_end(&b, at);
	otto__frame_in in = {0};
	otto__frame f;
	cr_assert_eq(otto__frame_in_fill(&in, sv[0]), -1, "nothing there yet");
	/* The header in two pieces, then the rest. */
	cr_assert_eq(write(sv[1], b.data, 5), 5);
	cr_assert_gt(otto__frame_in_fill(&in, sv[0]), 0);
	cr_assert_eq(otto__frame_in_next(&in, &f), 0);
	cr_assert_eq(write(sv[1], b.data + 5, b.len - 5), (ssize_t)(b.len - 5));
	cr_assert_gt(otto__frame_in_fill(&in, sv[0]), 0);
	cr_assert_eq(otto__frame_in_next(&in, &f), 1);
	cr_assert_eq(f.type, 3);
	cr_assert_eq(f.tag, 9);
	cr_assert_eq(otto__frame_in_pending(&in), 0);
	/* A header announcing too much. */
	static const unsigned char huge[12] = {0, 0, 0, 2, 1, 0, 0, 0, 1, 0, 0, 0};
	cr_assert_eq(write(sv[1], huge, sizeof huge), (ssize_t)sizeof huge);
	cr_assert_gt(otto__frame_in_fill(&in, sv[0]), 0);
	cr_assert_eq(otto__frame_in_next(&in, &f), -1);
	close(sv[1]);
	cr_assert_eq(otto__frame_in_fill(&in, sv[0]), 0, "end of file");
	close(sv[0]);
	otto__frame_in_free(&in);
	otto__buf_free(&b);
}

/* -------------------------------------------------------- the children -- */

/* Run `script` with /bin/sh as a child with a channel; its stdout goes to a
 * file whose text is returned (caller frees). */
static char *run_sh(const char *script, otto__child *keep)
{
	char *dir = tu_mkdtemp();
	char *out_path = tu_fmt("%s/out", dir);
	int out = open(out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	cr_assert(out >= 0);
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	otto__child_spec spec = {.path = "/bin/sh", .argv = argv, .channel = true, .in = OTTO__CHILD_DEVNULL,
				 .out = OTTO__CHILD_FD, .out_fd = out, .err = OTTO__CHILD_PIPE,
				 .own_process_group = true, .die_with_parent = true};
	otto__child c;
	char why[256];
	cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
	cr_assert(otto__child_finish(&c, otto__now_ms() + 30000), "the script failed");
	if (keep)
		*keep = c;
	else
		otto__child_free(&c);
	close(out);
	char *text = tu_read(out_path);
	tu_rm_rf(dir);
	free(out_path);
	free(dir);
	return text;
}

Test(child, a_missing_program_is_an_error_at_spawn)
{
	const char *argv[] = {"/nonexistent/otto-worker", NULL};
	otto__child_spec spec = {.path = argv[0], .argv = argv, .channel = true};
	otto__child c;
	char why[256];
	cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), -1);
	cr_assert_str_eq(why, "cannot start /nonexistent/otto-worker: No such file or directory");
	cr_assert_eq(c.pid, 0);
	cr_assert_eq(c.channel, -1, "nothing left open");
}

Test(child, only_0_to_3_reach_the_child)
{
	/* Descriptors of ours, inheritable ones included. */
	int leak = open("/dev/null", O_RDONLY);
	int leak2 = dup2(leak, 40);
	cr_assert(leak >= 0 && leak2 == 40);
	char *fds = run_sh("cd /proc/self/fd && ls | sort -n | tr '\\n' ' '", NULL);
	/* ls's own descriptor for the folder shows too, once. */
	cr_assert(strncmp(fds, "0 1 2 3 ", 8) == 0, "%s", fds);
	cr_assert(!tu_contains(fds, " 40 "), "%s", fds);
	free(fds);
	close(leak);
	close(leak2);
}

Test(child, signals_come_back_to_their_defaults)
{
	signal(SIGTERM, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	char *status = run_sh("grep -E '^Sig(Ign|Blk)' /proc/self/status | tr '\\n' ' '", NULL);
	cr_assert_str_eq(status, "SigBlk:\t0000000000000000 SigIgn:\t0000000000000000 ");
	free(status);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &block, NULL);
}

Test(child, stderr_keeps_its_head_and_tail)
{
	otto__child c;
	char *out = run_sh("i=0; while [ $i -lt 300 ]; do echo \"line $i\" >&2; i=$((i+1)); done", &c);
	free(out);
	char *text = otto__child_stderr_text(&c, OTTO__CHILD_ERR_KEEP);
	cr_assert(text);
	cr_assert(strncmp(text, "line 0\\nline 1\\n", 16) == 0, "%s", text);
	cr_assert(tu_contains(text, "...("), "%s", text);
	size_t n = strlen(text);
	cr_assert(n > 8 && strcmp(text + n - 8, "line 299") == 0, "the tail: %s", text + n - 40);
	free(text);
	otto__child_free(&c);
}

Test(child, a_deadline_ends_the_wait_and_a_kill_takes_the_group)
{
	/* The child starts a grandchild in its group and says its pid. */
	const char *argv[] = {"/bin/sh", "-c", "sleep 60 & echo $! >&3; sleep 60", NULL};
	otto__child_spec spec = {.path = "/bin/sh", .argv = argv, .channel = true, .own_process_group = true,
				 .die_with_parent = true};
	otto__child c;
	char why[256];
	cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
	char said[32] = "";
	cr_assert_eq(otto__child_wait(&c, POLLIN, -1), OTTO__CHILD_READY);
	cr_assert_gt(recv(c.channel, said, sizeof said - 1, 0), 0);
	int grandchild = pidfd_open((pid_t)atoi(said), 0);
	cr_assert(grandchild >= 0, "pidfd_open(%s): %s", said, strerror(errno));
	cr_assert_eq(otto__child_wait(&c, POLLIN, otto__now_ms() + 100), OTTO__CHILD_TIMEOUT);
	otto__child_kill(&c);
	cr_assert(c.reaped);
	char *how = otto__child_describe_end(&c);
	cr_assert_str_eq(how, "was killed by SIGKILL");
	free(how);
	/* The grandchild went with it (its end is an event: no clock). */
	struct pollfd p = {grandchild, POLLIN, 0};
	cr_assert_eq(poll(&p, 1, -1), 1, "the group survived");
	close(grandchild);
	otto__child_free(&c);
}

static void end_of(const char *script, bool pidfd, const char *want)
{
	otto__child_without_pidfd = !pidfd;
	const char *argv[] = {"/bin/sh", "-c", script, NULL};
	otto__child_spec spec = {.path = "/bin/sh", .argv = argv, .channel = true, .own_process_group = true};
	otto__child c;
	char why[256];
	cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
	cr_assert_eq(c.pidfd >= 0, pidfd, "%s", script);
	otto__child_event e;
	do
		e = otto__child_wait(&c, POLLIN, otto__now_ms() + 30000);
	while (e == OTTO__CHILD_READY && recv(c.channel, why, sizeof why, MSG_DONTWAIT) > 0);
	cr_assert_neq(e, OTTO__CHILD_TIMEOUT, "%s", script);
	cr_assert(otto__child_reap(&c, otto__now_ms() + 30000), "%s", script);
	char *how = otto__child_describe_end(&c);
	cr_assert_str_eq(how, want, "%s (pidfd %d)", script, pidfd);
	free(how);
	otto__child_free(&c);
	otto__child_without_pidfd = false;
}

Test(child, how_a_child_ended_with_and_without_pidfd)
{
	for (int pidfd = 0; pidfd < 2; pidfd++) {
		end_of("exit 3", pidfd, "exited with status 3");
		end_of("kill -SEGV $$", pidfd, "crashed with SIGSEGV");
		end_of("kill -ABRT $$", pidfd, "crashed with SIGABRT");
		end_of("kill -TERM $$", pidfd, "was killed by SIGTERM");
	}
}

Test(child, a_child_that_closed_its_end_but_stays_is_killed_at_the_deadline)
{
	for (int pidfd = 0; pidfd < 2; pidfd++) {
		otto__child_without_pidfd = !pidfd;
		const char *argv[] = {"/bin/sh", "-c", "exec 3>&-; sleep 60", NULL};
		otto__child_spec spec = {.path = "/bin/sh", .argv = argv, .channel = true, .own_process_group = true};
		otto__child c;
		char why[256];
		cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
		cr_assert_eq(otto__child_wait(&c, POLLIN, otto__now_ms() + 30000), OTTO__CHILD_READY);
		cr_assert_eq(recv(c.channel, why, sizeof why, MSG_DONTWAIT), 0, "end of file");
		cr_assert_not(otto__child_reap(&c, otto__now_ms() + 200), "it did not end by itself");
		cr_assert(c.reaped);
		otto__child_free(&c);
		otto__child_without_pidfd = false;
	}
}

Test(child, finish_lets_a_child_leave_or_stops_it)
{
	const char *leaves[] = {"/bin/sh", "-c", "read x <&3; exit 0", NULL};
	otto__child_spec spec = {.path = "/bin/sh", .argv = leaves, .channel = true};
	otto__child c;
	char why[256];
	cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
	cr_assert(otto__child_finish(&c, otto__now_ms() + 30000), "closing the channel is its cue");
	otto__child_free(&c);

	const char *stays[] = {"/bin/sh", "-c", "trap '' TERM; sleep 60", NULL};
	spec.argv = stays;
	cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
	cr_assert_not(otto__child_finish(&c, otto__now_ms() + 200));
	char *how = otto__child_describe_end(&c);
	cr_assert_str_eq(how, "was killed by SIGKILL");
	free(how);
	otto__child_free(&c);
}

/* What `otto lock run` needs: a command with the caller's stdio and no
 * channel, waited for until it ends, with and without pidfd. */
Test(child, a_command_without_a_channel)
{
	for (int pidfd = 0; pidfd < 2; pidfd++) {
		otto__child_without_pidfd = !pidfd;
		const char *argv[] = {"/bin/sh", "-c", "exit 7", NULL};
		otto__child_spec spec = {.path = "/bin/sh", .argv = argv, .in = OTTO__CHILD_INHERIT,
					 .out = OTTO__CHILD_INHERIT, .err = OTTO__CHILD_INHERIT,
					 .own_process_group = true, .die_with_parent = true};
		otto__child c;
		char why[256];
		cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
		cr_assert_eq(otto__child_wait(&c, 0, -1), OTTO__CHILD_ENDED);
		cr_assert(c.reaped);
		cr_assert(WIFEXITED(c.wstatus) && WEXITSTATUS(c.wstatus) == 7);
		otto__child_free(&c);

		/* With a deadline it passes: killed. */
		const char *slow[] = {"/bin/sh", "-c", "sleep 60", NULL};
		spec.argv = slow;
		cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
		cr_assert_eq(otto__child_wait(&c, 0, otto__now_ms() + 100), OTTO__CHILD_TIMEOUT);
		otto__child_free(&c);
		otto__child_without_pidfd = false;
	}
}

/* ------------------------------------------------ otto-worker itself -- */

#define WORKER OTTO_BUILD_DIR "/lib/otto/otto-worker"

/* Read one frame from the worker (blocking, with a generous deadline). */
static otto__frame read_frame(otto__child *c, otto__frame_in *in)
{
	otto__frame f;
	for (;;) {
		int got = otto__frame_in_next(in, &f);
		cr_assert_geq(got, 0, "a bad frame");
		if (got)
			return f;
		if (otto__frame_in_fill(in, c->channel) > 0)
			continue;
		cr_assert_eq(otto__child_wait(c, POLLIN, otto__now_ms() + 60000), OTTO__CHILD_READY);
	}
}

/* One SCAN request can carry several files (what a batched scan will
 * send): the worker answers one PLUGIN frame per file, in order. */
Test(worker, a_scan_request_with_several_files)
{
	const char *argv[] = {WORKER, NULL};
	otto__child_spec spec = {.path = WORKER, .argv = argv, .channel = true, .out = OTTO__CHILD_PIPE,
				 .err = OTTO__CHILD_PIPE, .own_process_group = true, .die_with_parent = true};
	otto__child c;
	char why[256];
	cr_assert_eq(otto__child_spawn(&c, &spec, why, sizeof why), 0, "%s", why);
	otto__frame_in in = {0};
	otto__frame f = read_frame(&c, &in);
	cr_assert_eq(f.type, 1, "the greeting first");

	const char *paths[2] = {OTTO_TEST_PLUGIN_DIR "/core_good/good.so", OTTO_TEST_PLUGIN_DIR "/core_nosym/nosym.so"};
	int fds[2];
	otto_buf b = {0};
	size_t at = otto__frame_begin(&b, 10 /* SCAN */, 1);
	otto__put_u32(&b, 2);
	for (int i = 0; i < 2; i++) {
		fds[i] = open(paths[i], O_RDONLY | O_CLOEXEC);
		cr_assert(fds[i] >= 0);
		otto__put_str(&b, paths[i]);
		for (int k = 0; k < 4; k++)
			otto__put_u64(&b, 0); /* the stamp: the worker only carries it */
	}
	cr_assert(otto__frame_end(&b, at));
	/* The channel is non-blocking on our side; the request is small. */
	cr_assert_eq(otto__send_all(c.channel, b.data, b.len, fds, 2), 0);
	for (uint32_t i = 0; i < 2; i++) {
		f = read_frame(&c, &in);
		cr_assert_eq(f.type, 65, "PLUGIN for file %u", i);
		cr_assert_eq(f.tag, 1);
		otto__reader r;
		otto__reader_init(&r, &f);
		cr_assert_eq(otto__get_u32(&r), i, "in order");
		uint32_t status = otto__get_u32(&r);
		cr_assert_eq(status, i == 0 ? OTTO_PLUGIN_LOADED : OTTO_PLUGIN_NOT_A_PLUGIN, "file %u", i);
	}
	f = read_frame(&c, &in);
	cr_assert_eq(f.type, 64, "then END");
	cr_assert(otto__child_finish(&c, otto__now_ms() + 60000), "it leaves cleanly when the socket closes");
	otto__child_free(&c);
	otto__frame_in_free(&in);
	otto__buf_free(&b);
	close(fds[0]);
	close(fds[1]);
}

Test(worker, run_by_hand_it_explains_itself)
{
	tu_result r = tu_run((const char *const[]){WORKER, NULL}, NULL, NULL, 30);
	cr_assert_eq(r.status, 2);
	cr_assert_str_eq(r.err, "otto-worker: runs plugin code for libotto, which starts it; it is not meant to be run "
				"by hand\n");
	tu_result_free(&r);
}
