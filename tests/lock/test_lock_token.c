/* Release tokens: SHA-256 against FIPS 180-4's examples (and sha256sum), so
 * that a record's token_sha256 is what any other tool would compute. */
#include "locks/locks.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

static void expect_hash(const char *text, const char *hex)
{
	char hash[65];
	otto__lock_token_hash(text, hash);
	cr_assert_str_eq(hash, hex, "SHA-256 of a %zu byte text", strlen(text));
}

Test(lock_token, sha256_known_answers)
{
	expect_hash("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	expect_hash("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 56 bytes: the length needs a second block. */
	expect_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* 64 bytes: exactly one block of data. */
	expect_hash("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		    "a8ae6e6ee929abea3afcfc5258c8ccd6f85273e0d4626d26c7279f3250f77c8e");
	/* A token as acquire prints it (tests/lock/lock_test.h uses this pair). */
	expect_hash("0123456789abcdef0123456789abcdef", "3eb1bd439947eb762998e566ccc2e099c791118b2f40579cc4f7da2b5061b7f9");
}

Test(lock_token, new_tokens_are_fresh_and_hash_to_their_hash)
{
	char a[33], ha[65], b[33], hb[65], check[65];
	otto_error err = {0};
	cr_assert_eq(otto__lock_token_new(a, ha, &err), OTTO_OK, "%s", err.message);
	cr_assert_eq(otto__lock_token_new(b, hb, &err), OTTO_OK, "%s", err.message);
	cr_assert(otto__lock_token_valid(a) && otto__lock_token_valid(b));
	cr_assert_str_neq(a, b);
	otto__lock_token_hash(a, check);
	cr_assert_str_eq(check, ha);
	cr_assert_not(otto__lock_token_valid("0123456789ABCDEF0123456789abcdef"));
	cr_assert_not(otto__lock_token_valid("0123456789abcdef"));
	cr_assert_not(otto__lock_token_valid(NULL));
}
