/*
 * A worker that breaks the protocol on purpose, for the tests of what
 * libotto accepts from a worker. Started in place of otto-worker through
 * OTTO_WORKER_WRAPPER (which runs "fake_worker <otto-worker path>"), it does
 * what OTTO_TEST_FAKE says:
 *
 *   exit            exit(0) before greeting
 *   bad_hello       greet with protocol 99
 *   garbage_first   send a STRINGS frame instead of the greeting
 *   huge            greet, then answer with a header announcing 2 GiB
 *   wrong_tag       greet, then answer with another tag
 *   bad_end         greet, then answer with an END cut short
 *   wrong_item      greet, then answer OPEN with a STRINGS frame
 *   nul_string      greet, then answer with a string holding a NUL
 *   silent          greet, then never answer
 *   close           greet, then close fd 3 and sleep
 *   stderr          greet, write 5000 bytes to stderr, then exit(3)
 *   stdout_at_end   greet; answer OPEN well, then write to stdout just
 *                   before the END of CREATE
 */
#include "util/util.h"
#include "worker/worker.h"

#include <otto/otto.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FD 3

static void send_buf(otto_buf *b)
{
	if (otto__send_all(FD, b->data, b->len, NULL, 0) != 0)
		_exit(4);
	b->len = 0;
}

static void hello(otto_buf *b, uint32_t protocol)
{
	size_t at = otto__frame_begin(b, OTTO__W_HELLO, 0);
	otto__put_u32(b, protocol);
	otto__put_u32(b, OTTO_ABI_MAJOR);
	otto__put_u32(b, OTTO_ABI_MINOR);
	otto__put_str(b, OTTO_VERSION);
	otto__frame_end(b, at);
	send_buf(b);
}

static void end(otto_buf *b, uint32_t tag, int status)
{
	size_t at = otto__frame_begin(b, OTTO__W_END, tag);
	otto__put_u32(b, (uint32_t)status);
	otto__put_str(b, NULL);
	otto__frame_end(b, at);
	send_buf(b);
}

/* The next request's type and tag (blocking); false at end of file. */
static bool next_request(otto__frame_in *in, uint32_t *type, uint32_t *tag)
{
	for (;;) {
		otto__frame f;
		if (otto__frame_in_next(in, &f) > 0) {
			*type = f.type;
			*tag = f.tag;
			return true;
		}
		char buf[65536];
		ssize_t n = read(FD, buf, sizeof buf);
		if (n <= 0)
			return false;
		if (in->cap - in->len < (size_t)n) {
			in->cap = in->len + (size_t)n + 65536;
			in->data = realloc(in->data, in->cap);
		}
		memcpy(in->data + in->len, buf, (size_t)n);
		in->len += (size_t)n;
	}
}

int main(void)
{
	const char *mode = getenv("OTTO_TEST_FAKE");
	otto_buf b = {0};
	otto__frame_in in = {0};
	uint32_t type, tag;
	if (!mode)
		mode = "";
	if (strcmp(mode, "exit") == 0)
		return 0;
	if (strcmp(mode, "bad_hello") == 0) {
		hello(&b, 99);
		pause();
	}
	if (strcmp(mode, "garbage_first") == 0) {
		size_t at = otto__frame_begin(&b, OTTO__W_STRINGS, 0);
		otto__put_u32(&b, 0);
		otto__frame_end(&b, at);
		send_buf(&b);
		pause();
	}
	hello(&b, OTTO__WORKER_PROTOCOL);
	if (strcmp(mode, "stderr") == 0) {
		for (int i = 0; i < 100; i++)
			fprintf(stderr, "line %02d of a long story, with \033[31mcolour\033[0m\n", i);
		exit(3);
	}
	if (strcmp(mode, "close") == 0) {
		close(FD);
		pause();
	}
	while (next_request(&in, &type, &tag)) {
		if (strcmp(mode, "silent") == 0) {
			pause();
		} else if (strcmp(mode, "huge") == 0) {
			static const unsigned char header[12] = {0, 0, 0, 0x80, 64, 0, 0, 0, 1, 0, 0, 0};
			if (write(FD, header, sizeof header) < 0)
				return 4;
			pause();
		} else if (strcmp(mode, "wrong_tag") == 0) {
			end(&b, tag + 7, OTTO_OK);
		} else if (strcmp(mode, "bad_end") == 0) {
			size_t at = otto__frame_begin(&b, OTTO__W_END, tag);
			otto__put_u8(&b, 1);
			otto__frame_end(&b, at);
			send_buf(&b);
		} else if (strcmp(mode, "wrong_item") == 0) {
			size_t at = otto__frame_begin(&b, OTTO__W_STRINGS, tag);
			otto__put_u32(&b, 1);
			otto__put_str(&b, "x");
			otto__frame_end(&b, at);
			end(&b, tag, OTTO_OK);
		} else if (strcmp(mode, "nul_string") == 0) {
			size_t at = otto__frame_begin(&b, OTTO__W_OPENED, tag);
			otto__put_u32(&b, 0);
			otto__put_u32(&b, 3);
			otto__buf_appendn(&b, "a\0b\0", 4);
			otto__frame_end(&b, at);
			end(&b, tag, OTTO_OK);
		} else if (strcmp(mode, "stdout_at_end") == 0) {
			if (type == OTTO__W_OPEN) {
				size_t at = otto__frame_begin(&b, OTTO__W_OPENED, tag);
				otto__put_u32(&b, 0);
				otto__put_str(&b, "fake");
				otto__frame_end(&b, at);
			} else if (type == OTTO__W_CREATE) {
				if (write(STDOUT_FILENO, "sneaky\n", 7) < 0)
					return 4;
			}
			end(&b, tag, OTTO_OK);
		} else {
			end(&b, tag, OTTO_EINVALID);
		}
	}
	otto__buf_free(&b);
	free(in.data);
	return 0;
}
