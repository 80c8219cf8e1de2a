/*
 * The registry cache's parts on their own (INTERNAL): the key (every field
 * counts), the format (each header field, the checksum, entries the scan
 * never keeps), and the private-file reader (what it refuses to read).
 */
#include "cache/cache.h"
#include "testutil.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static otto__cache_key sample_key(void)
{
	otto__cache_key k;
	memset(&k, 0, sizeof k);
	k.stamp.dev = 0x801;
	k.stamp.ino = 1234567;
	k.stamp.size = 16384;
	k.stamp.mtime_ns = 1700000000123456789;
	k.stamp.mode = 0100644;
	k.stamp.uid = 0;
	k.ctime_ns = 1700000000223456789;
	return k;
}

static void sample_insp(otto__inspection *insp, otto_plugin_status status)
{
	memset(insp, 0, sizeof *insp);
	insp->status = status;
	insp->plugin_name = strdup("sample");
	insp->plugin_version = strdup("1.0");
	insp->abi_major = 1;
	insp->abi_minor = 2;
	if (status == OTTO_PLUGIN_LOADED) {
		insp->backends = calloc(1, sizeof *insp->backends);
		insp->backends[0].kind = OTTO_KIND_LAB;
		insp->backends[0].name = strdup("sample");
		insp->backends[0].description = strdup("a sample");
		insp->n_backends = 1;
	} else {
		insp->detail = strdup("why not");
	}
}

static otto__cache *fresh_cache(char **home)
{
	*home = tu_mkdtemp();
	setenv("XDG_CACHE_HOME", *home, 1);
	unsetenv("OTTO_PLUGIN_CACHE");
	otto__cache *c = otto__cache_open(true);
	cr_assert(c);
	return c;
}

Test(cache_units, every_key_field_counts)
{
	char *home;
	otto__cache *c = fresh_cache(&home);
	otto__cache_key k = sample_key();
	otto__inspection insp, got;
	sample_insp(&insp, OTTO_PLUGIN_LOADED);
	otto__cache_put(c, "/p/a.so", &k, &insp);
	cr_assert(otto__cache_lookup(c, "/p/a.so", &k, &got, NULL));
	cr_assert_str_eq(got.backends[0].name, "sample");
	otto__inspection_free(&got);
	cr_assert_not(otto__cache_lookup(c, "/p/b.so", &k, &got, NULL), "another path");
	for (int field = 0; field < 7; field++) {
		otto__cache_key m = k;
		switch (field) {
		case 0:
			m.stamp.dev++;
			break;
		case 1:
			m.stamp.ino++;
			break;
		case 2:
			m.stamp.size++;
			break;
		case 3:
			m.stamp.mtime_ns++;
			break;
		case 4:
			m.ctime_ns++;
			break;
		case 5:
			m.stamp.mode |= 020;
			break;
		case 6:
			m.stamp.uid = 1000;
			break;
		}
		cr_assert_not(otto__cache_lookup(c, "/p/a.so", &m, &got, NULL), "key field %d changed: a miss", field);
	}
	otto__inspection_free(&insp);
	otto__cache_free(c);
	tu_rm_rf(home);
	free(home);
}

Test(cache_units, many_entries_are_found)
{
	char *home;
	otto__cache *c = fresh_cache(&home);
	otto__cache_key k = sample_key();
	otto__inspection insp, got;
	sample_insp(&insp, OTTO_PLUGIN_LOADED);
	for (int i = 0; i < 3000; i++) {
		char path[64];
		snprintf(path, sizeof path, "/p/plugin%d.so", i);
		k.stamp.ino = (uint64_t)i;
		otto__cache_put(c, path, &k, &insp);
	}
	for (int i = 0; i < 3000; i++) {
		char path[64];
		snprintf(path, sizeof path, "/p/plugin%d.so", i);
		k.stamp.ino = (uint64_t)i;
		cr_assert(otto__cache_lookup(c, path, &k, &got, NULL), "%s", path);
		otto__inspection_free(&got);
	}
	otto__inspection_free(&insp);
	otto__cache_free(c);
	tu_rm_rf(home);
	free(home);
}

/* Encode one entry of `status`. */
static otto_buf encoded(otto_plugin_status status)
{
	otto__cache_entry e;
	memset(&e, 0, sizeof e);
	e.path = "/p/a.so";
	e.key = sample_key();
	sample_insp(&e.insp, status);
	otto_buf b = {0};
	otto__cache_encode(&b, &e, 1);
	otto__inspection_free(&e.insp);
	return b;
}

static bool decodes(const otto_buf *b)
{
	otto__cache_entry *entries;
	size_t n;
	otto__arena arena = {0};
	bool ok = otto__cache_decode((const unsigned char *)b->data, b->len, &arena, &entries, &n);
	otto__cache_entries_free(entries, n);
	otto__arena_free(&arena);
	return ok;
}

Test(cache_units, a_sound_file_round_trips)
{
	otto_buf b = encoded(OTTO_PLUGIN_LOADED);
	otto__cache_entry *entries;
	size_t n;
	otto__arena arena = {0};
	cr_assert(otto__cache_decode((const unsigned char *)b.data, b.len, &arena, &entries, &n));
	cr_assert_eq(n, 1);
	cr_assert_str_eq(entries[0].path, "/p/a.so");
	otto__cache_key k = sample_key();
	cr_assert(otto__stamp_equal(&entries[0].key.stamp, &k.stamp) && entries[0].key.ctime_ns == k.ctime_ns);
	cr_assert_str_eq(entries[0].insp.backends[0].description, "a sample");
	/* Nothing was copied: the strings are the file's own bytes. */
	cr_assert(entries[0].insp.borrowed && !entries[0].path_owned);
	cr_assert(entries[0].path >= b.data && entries[0].path < b.data + b.len);
	cr_assert(entries[0].insp.backends[0].name > b.data && entries[0].insp.backends[0].name < b.data + b.len);
	otto__cache_entries_free(entries, n);
	otto__arena_free(&arena);
	otto__buf_free(&b);
	b = encoded(OTTO_PLUGIN_FAILED);
	cr_assert(decodes(&b), "a remembered failure");
	otto__buf_free(&b);
}

Test(cache_units, each_header_field_is_checked)
{
	/* magic, format, ABI major, ABI minor, uid, length, checksum */
	const size_t offsets[] = {0, 8, 12, 16, 20, 24, 32};
	for (size_t i = 0; i < sizeof offsets / sizeof *offsets; i++) {
		otto_buf b = encoded(OTTO_PLUGIN_LOADED);
		b.data[offsets[i]] ^= 1;
		cr_assert_not(decodes(&b), "header byte %zu changed", offsets[i]);
		otto__buf_free(&b);
	}
	/* Every byte of the payload is under the checksum. */
	otto_buf ref = encoded(OTTO_PLUGIN_LOADED);
	for (size_t at = 40; at < ref.len; at++) {
		otto_buf b = encoded(OTTO_PLUGIN_LOADED);
		b.data[at] ^= 0x41;
		cr_assert_not(decodes(&b), "payload byte %zu changed", at);
		otto__buf_free(&b);
	}
	for (size_t len = 0; len < ref.len; len++) {
		otto_buf cut = ref;
		cut.len = len;
		cr_assert_not(decodes(&cut), "cut to %zu bytes", len);
	}
	otto__buf_free(&ref);
}

Test(cache_units, results_a_scan_never_keeps_are_not_believed)
{
	otto_buf b = encoded(OTTO_PLUGIN_REFUSED);
	cr_assert_not(decodes(&b), "a refusal is decided on every run, never cached");
	otto__buf_free(&b);
	b = encoded(OTTO_PLUGIN_DUPLICATE);
	cr_assert_not(decodes(&b), "duplicates are resolved on every run");
	otto__buf_free(&b);
}

/* One loaded entry of the postgres plugin's two backends with `res_caps`
 * and `store_caps`, encoded, the header's format version then set to
 * `format` (the checksum covers only the payload). */
static otto_buf encoded_stores(uint32_t res_caps, uint32_t store_caps, uint32_t format)
{
	otto__cache_entry e;
	memset(&e, 0, sizeof e);
	e.path = "/p/postgres.so";
	e.key = sample_key();
	sample_insp(&e.insp, OTTO_PLUGIN_LOADED);
	otto__backend_entry_clear(&e.insp.backends[0]);
	free(e.insp.backends);
	e.insp.backends = calloc(2, sizeof *e.insp.backends);
	e.insp.backends[0].kind = OTTO_KIND_RESERVATION;
	e.insp.backends[0].name = strdup("postgres");
	e.insp.backends[0].caps = res_caps;
	e.insp.backends[1].kind = OTTO_KIND_LOCK_STORE;
	e.insp.backends[1].name = strdup("postgres");
	e.insp.backends[1].caps = store_caps;
	e.insp.n_backends = 2;
	otto_buf b = {0};
	otto__cache_encode(&b, &e, 1);
	otto__inspection_free(&e.insp);
	b.data[8] = (char)(format & 0xff);
	b.data[9] = (char)(format >> 8 & 0xff);
	b.data[10] = (char)(format >> 16 & 0xff);
	b.data[11] = (char)(format >> 24 & 0xff);
	return b;
}

/* An otto of the same version and ABI that wrote format 2 recorded no
 * prepare or renew bit: its entries would show every store as unable to
 * prepare or renew, so a format-2 file is not believed (and is rebuilt). */
Test(cache_units, a_cache_from_before_prepare_and_renew_is_not_trusted)
{
	uint32_t res = OTTO_BACKEND_CAP_USERNAMES | OTTO_BACKEND_CAP_WINDOWS | OTTO_BACKEND_CAP_WRITE;
	otto_buf old = encoded_stores(res, 0, 2);
	cr_assert_not(decodes(&old), "a format-2 cache is trusted: its lock stores would say prepare no, renew no");
	otto__buf_free(&old);

	otto_buf now = encoded_stores(res | OTTO_BACKEND_CAP_PREPARE,
				      OTTO_BACKEND_CAP_PREPARE | OTTO_BACKEND_CAP_RENEW, OTTO__CACHE_FORMAT);
	otto__cache_entry *entries;
	size_t n;
	otto__arena arena = {0};
	cr_assert(otto__cache_decode((const unsigned char *)now.data, now.len, &arena, &entries, &n));
	cr_assert_eq(n, 1);
	cr_assert_eq(entries[0].insp.backends[0].caps, res | OTTO_BACKEND_CAP_PREPARE);
	cr_assert_eq(entries[0].insp.backends[1].caps, OTTO_BACKEND_CAP_PREPARE | OTTO_BACKEND_CAP_RENEW);
	otto__cache_entries_free(entries, n);
	otto__arena_free(&arena);
	otto__buf_free(&now);
}

/* A bit the kind cannot have makes the entry (and so the file) malformed. */
Test(cache_units, capabilities_of_another_kind_are_not_believed)
{
	const struct {
		uint32_t res, store;
	} bad[] = {{OTTO_BACKEND_CAP_RENEW, 0},
		   {OTTO_BACKEND_CAP_SUMMARIES, 0},
		   {0, OTTO_BACKEND_CAP_WRITE},
		   {0, OTTO_BACKEND_CAP_SUMMARIES},
		   {0, OTTO_BACKEND_CAP_ALL + 1}};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		otto_buf b = encoded_stores(bad[i].res, bad[i].store, OTTO__CACHE_FORMAT);
		cr_assert_not(decodes(&b), "case %zu: reservation 0x%x, lock store 0x%x", i, bad[i].res, bad[i].store);
		otto__buf_free(&b);
	}
	otto_buf b = encoded_stores(OTTO_BACKEND_CAP_PREPARE, OTTO_BACKEND_CAP_RENEW, OTTO__CACHE_FORMAT);
	cr_assert(decodes(&b), "each kind's own bits");
	otto__buf_free(&b);
}

/* ------------------------------------------------- the private file -- */

static int read_private(const char *path, char *why, size_t why_size)
{
	char *data = NULL;
	size_t len = 0;
	int rc = otto__read_private_file(path, 1024, &data, &len, why, why_size);
	free(data);
	return rc;
}

Test(cache_units, the_private_file_reader_refuses_what_it_must)
{
	char *dir = tu_mkdtemp();
	char why[256];
	char *good = tu_write(dir, "good", "data");
	chmod(good, 0600);
	cr_assert_eq(read_private(good, why, sizeof why), 0);
	char *missing = tu_fmt("%s/missing", dir);
	cr_assert_eq(read_private(missing, why, sizeof why), 1);

	char *link = tu_fmt("%s/link", dir);
	cr_assert(symlink(good, link) == 0);
	cr_assert_eq(read_private(link, why, sizeof why), -1);
	cr_assert(strstr(why, "symbolic link"), "%s", why);

	char *fifo = tu_fmt("%s/fifo", dir);
	cr_assert(mkfifo(fifo, 0600) == 0);
	cr_assert_eq(read_private(fifo, why, sizeof why), -1);
	cr_assert(strstr(why, "FIFO"), "%s", why);

	cr_assert_eq(read_private(dir, why, sizeof why), -1);

	chmod(good, 0602);
	cr_assert_eq(read_private(good, why, sizeof why), -1);
	cr_assert(strstr(why, "other users may write"), "%s", why);
	chmod(good, 0600);

	char *big = tu_fmt("%s/big", dir);
	int fd = open(big, O_CREAT | O_WRONLY, 0600);
	cr_assert(fd >= 0 && ftruncate(fd, 1025) == 0 && close(fd) == 0);
	cr_assert_eq(read_private(big, why, sizeof why), -1);
	cr_assert(strstr(why, "larger"), "%s", why);

	if (geteuid() == 0) {
		int uid, gid;
		tu_test_user("otto-cache-owner", &uid, &gid);
		cr_assert(chown(good, (uid_t)uid, (gid_t)gid) == 0);
		cr_assert_eq(read_private(good, why, sizeof why), -1);
		cr_assert(strstr(why, "belongs to uid"), "%s", why);
	}
	free(big);
	free(fifo);
	free(link);
	free(missing);
	free(good);
	tu_rm_rf(dir);
	free(dir);
}
