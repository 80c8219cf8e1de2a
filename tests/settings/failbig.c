/*
 * LD_PRELOAD'ed into the otto command by test_settings_files.c: malloc and
 * realloc fail (NULL, ENOMEM) for blocks larger than OTTO_TEST_FAIL_BIG
 * bytes, as they would when memory runs out, so that a test can watch what
 * the settings reader does then. Everything else goes to glibc.
 */
#include <errno.h>
#include <stdlib.h>

void *__libc_malloc(size_t size);
void *__libc_realloc(void *ptr, size_t size);
void *malloc(size_t size);
void *realloc(void *ptr, size_t size);

static size_t limit(void)
{
	static size_t cached;
	if (!cached) {
		const char *s = getenv("OTTO_TEST_FAIL_BIG");
		cached = s ? strtoull(s, NULL, 10) : (size_t)-1;
	}
	return cached;
}

void *malloc(size_t size)
{
	if (size > limit()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *realloc(void *ptr, size_t size)
{
	if (size > limit()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(ptr, size);
}
