/*
 * Frames on a byte stream (the format is in util.h): writing them into a
 * buffer, reading their fields with every length checked against what is
 * left, and cutting an incoming stream into frames. What a frame type means
 * belongs to the protocol that uses it (worker/worker.h, conformance).
 */
#include "util/util.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* -------------------------------------------------------------- writing -- */

static void put_raw(otto_buf *b, const void *p, size_t n)
{
	otto__buf_appendn(b, p, n);
}

void otto__put_u8(otto_buf *b, uint8_t v)
{
	put_raw(b, &v, 1);
}

void otto__put_u32(otto_buf *b, uint32_t v)
{
	uint32_t le = htole32(v);
	put_raw(b, &le, sizeof le);
}

void otto__put_u64(otto_buf *b, uint64_t v)
{
	uint64_t le = htole64(v);
	put_raw(b, &le, sizeof le);
}

void otto__put_i64(otto_buf *b, int64_t v)
{
	otto__put_u64(b, (uint64_t)v);
}

void otto__put_str(otto_buf *b, const char *s)
{
	if (!s) {
		otto__put_u32(b, OTTO__NULL_STRING);
		return;
	}
	size_t n = strlen(s);
	/* A string too long for its length field becomes one that says so. */
	if (n >= OTTO__FRAME_MAX) {
		otto__put_u32(b, OTTO__NULL_STRING);
		return;
	}
	otto__put_u32(b, (uint32_t)n);
	put_raw(b, s, n + 1);
}

size_t otto__frame_begin(otto_buf *b, uint32_t type, uint32_t tag)
{
	size_t start = b->len;
	otto__put_u32(b, 0);
	otto__put_u32(b, type);
	otto__put_u32(b, tag);
	return start;
}

bool otto__frame_end(otto_buf *b, size_t start)
{
	size_t payload = b->len - start - OTTO__FRAME_HEADER;
	if (payload > OTTO__FRAME_MAX) {
		b->len = start;
		if (b->data)
			b->data[b->len] = '\0';
		return false;
	}
	uint32_t le = htole32((uint32_t)payload);
	memcpy(b->data + start, &le, sizeof le);
	return true;
}

/* -------------------------------------------------------------- reading -- */

void otto__reader_init(otto__reader *r, const otto__frame *f)
{
	r->p = f->data;
	r->left = f->len;
	r->bad = false;
}

static bool take(otto__reader *r, void *out, size_t n)
{
	if (r->bad || r->left < n) {
		r->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

uint8_t otto__get_u8(otto__reader *r)
{
	uint8_t v;
	take(r, &v, 1);
	return v;
}

uint32_t otto__get_u32(otto__reader *r)
{
	uint32_t v;
	take(r, &v, sizeof v);
	return le32toh(v);
}

uint64_t otto__get_u64(otto__reader *r)
{
	uint64_t v;
	take(r, &v, sizeof v);
	return le64toh(v);
}

int64_t otto__get_i64(otto__reader *r)
{
	return (int64_t)otto__get_u64(r);
}

const char *otto__get_str(otto__reader *r)
{
	uint32_t n = otto__get_u32(r);
	if (r->bad || n == OTTO__NULL_STRING)
		return NULL;
	/* n bytes and the NUL, which must be the only one. */
	if ((size_t)n >= r->left || r->p[n] != '\0' || memchr(r->p, '\0', n)) {
		r->bad = true;
		return NULL;
	}
	const char *s = (const char *)r->p;
	r->p += (size_t)n + 1;
	r->left -= (size_t)n + 1;
	return s;
}

uint32_t otto__get_count(otto__reader *r, size_t min_item_bytes)
{
	uint32_t n = otto__get_u32(r);
	if (!r->bad && min_item_bytes && n > r->left / min_item_bytes)
		r->bad = true;
	return r->bad ? 0 : n;
}

bool otto__reader_done(const otto__reader *r)
{
	return !r->bad && r->left == 0;
}

/* ----------------------------------------------------- incoming frames -- */

ssize_t otto__frame_in_fill(otto__frame_in *in, int fd)
{
	/* Move what is not handed out yet to the front, then make room. */
	if (in->start > 0) {
		memmove(in->data, in->data + in->start, in->len - in->start);
		in->len -= in->start;
		in->start = 0;
	}
	if (in->cap - in->len < 65536) {
		in->cap = in->cap ? in->cap * 2 : 131072;
		in->data = otto__realloc(in->data, in->cap);
	}
	for (;;) {
		/* recv, not recvmsg: descriptors the peer tries to pass are
		 * dropped by the kernel, never installed here. */
		ssize_t n = recv(fd, in->data + in->len, in->cap - in->len, MSG_DONTWAIT);
		if (n > 0) {
			in->len += (size_t)n;
			return n;
		}
		if (n == 0)
			return 0;
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : -2;
	}
}

int otto__frame_in_next(otto__frame_in *in, otto__frame *f)
{
	size_t avail = in->len - in->start;
	if (avail < OTTO__FRAME_HEADER)
		return 0;
	const unsigned char *h = in->data + in->start;
	uint32_t len, type, tag;
	memcpy(&len, h, 4);
	memcpy(&type, h + 4, 4);
	memcpy(&tag, h + 8, 4);
	len = le32toh(len);
	if (len > OTTO__FRAME_MAX)
		return -1;
	if (avail < OTTO__FRAME_HEADER + (size_t)len)
		return 0;
	f->type = le32toh(type);
	f->tag = le32toh(tag);
	f->data = h + OTTO__FRAME_HEADER;
	f->len = len;
	in->start += OTTO__FRAME_HEADER + (size_t)len;
	return 1;
}

size_t otto__frame_in_pending(const otto__frame_in *in)
{
	return in->len - in->start;
}

void otto__frame_in_free(otto__frame_in *in)
{
	free(in->data);
	memset(in, 0, sizeof *in);
}

/* ------------------------------------------------------------- sending -- */

int otto__send_all(int fd, const void *p, size_t n, const int *fds, size_t n_fds)
{
	const char *at = p;
	while (n > 0) {
		ssize_t w;
		if (n_fds > 0) {
			struct iovec iov = {(void *)at, n};
			union {
				char buf[CMSG_SPACE(sizeof(int) * 64)];
				struct cmsghdr align;
			} control;
			if (n_fds > 64) {
				errno = EINVAL;
				return -1;
			}
			memset(&control, 0, sizeof control);
			struct msghdr msg = {0};
			msg.msg_iov = &iov;
			msg.msg_iovlen = 1;
			msg.msg_control = control.buf;
			msg.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
			memcpy(CMSG_DATA(cm), fds, sizeof(int) * n_fds);
			w = sendmsg(fd, &msg, MSG_NOSIGNAL);
		} else {
			w = send(fd, at, n, MSG_NOSIGNAL);
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		/* The descriptors went with the first byte. */
		n_fds = 0;
		at += w;
		n -= (size_t)w;
	}
	return 0;
}
