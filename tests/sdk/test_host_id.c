/*
 * The host id rule of contracts.md section 1, through the SDK helpers
 * otto_slug() and otto_host_id() (the single implementation every plugin
 * and libotto use).
 */
#include <otto/host_id.h>

#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#define NONE ((int64_t)-1) /* absent element_id or slot */

/* The id, or "<invalid>" when the helper returns 0. */
static const char *id_of(char *buf, size_t size, const char *element, int64_t element_id, const char *board,
			 int64_t slot)
{
	size_t len = otto_host_id(buf, size, element, element_id, board, slot);
	if (len == 0) {
		cr_assert_str_eq(buf, "", "an invalid id leaves an empty buffer");
		return "<invalid>";
	}
	cr_assert_eq(len, strlen(buf), "returned length %zu, buffer '%s'", len, buf);
	return buf;
}

#define ASSERT_ID(want, element, element_id, board, slot)                                                              \
	do {                                                                                                           \
		char buf_[128];                                                                                        \
		cr_assert_str_eq(id_of(buf_, sizeof buf_, element, element_id, board, slot), want);                    \
	} while (0)

#define ASSERT_SLUG(want, s)                                                                                           \
	do {                                                                                                           \
		char buf_[128];                                                                                        \
		size_t len_ = otto_slug(buf_, sizeof buf_, s);                                                         \
		cr_assert_str_eq(buf_, want, "slug of '%s'", s);                                                       \
		cr_assert_eq(len_, strlen(want), "length of slug of '%s'", s);                                         \
	} while (0)

Test(contract_examples, element_and_board)
{
	ASSERT_ID("carrot_seed", "carrot", NONE, "seed", NONE);
}

Test(contract_examples, underscore_becomes_dash)
{
	ASSERT_ID("sprout-lfs", "sprout_lfs", NONE, NULL, NONE);
}

Test(contract_examples, spaces_and_case)
{
	ASSERT_ID("lab-x-server", "Lab X Server", NONE, NULL, NONE);
}

Test(contract_examples, element_id_appended)
{
	ASSERT_ID("dut47", "dut", 47, NULL, NONE);
}

Test(contract_examples, digits_and_board)
{
	ASSERT_ID("bb1350_qemu", "bb1350", NONE, "qemu", NONE);
}

Test(edge, empty_element_is_invalid)
{
	ASSERT_ID("<invalid>", "", NONE, NULL, NONE);
	ASSERT_ID("<invalid>", "", 3, "board", 1);
}

Test(edge, all_punctuation_is_invalid)
{
	ASSERT_ID("<invalid>", "---", NONE, NULL, NONE);
	ASSERT_ID("<invalid>", " !_.@ ", 1, NULL, NONE);
}

Test(edge, null_element_is_invalid)
{
	ASSERT_ID("<invalid>", NULL, 1, "qemu", 1);
}

Test(edge, punctuation_runs_collapse)
{
	ASSERT_ID("a-b-c", "a!!--__b. .c", NONE, NULL, NONE);
	ASSERT_ID("x-y_z-w", "x  y", NONE, "z...w", NONE);
}

Test(edge, leading_and_trailing_separators_stripped)
{
	ASSERT_ID("router", "--Router--", NONE, NULL, NONE);
	ASSERT_ID("r1_b", "_r1_", NONE, "  B  ", NONE);
}

Test(edge, element_id_zero_is_a_number)
{
	ASSERT_ID("dut0", "dut", 0, NULL, NONE);
}

Test(edge, board_with_slot)
{
	ASSERT_ID("dut3_qemu-board2", "DUT", 3, "Qemu Board", 2);
	ASSERT_ID("dut_qemu0", "dut", NONE, "qemu", 0);
}

Test(edge, slot_without_board_ignored)
{
	ASSERT_ID("dut", "dut", NONE, NULL, 5);
	ASSERT_ID("dut7", "dut", 7, NULL, 0);
}

Test(edge, negative_numbers_are_invalid)
{
	ASSERT_ID("<invalid>", "dut", -2, NULL, NONE);
	ASSERT_ID("<invalid>", "dut", INT64_MIN, NULL, NONE);
	ASSERT_ID("<invalid>", "dut", NONE, "qemu", -5);
	/* Even without a board: a negative slot is a broken record. */
	ASSERT_ID("<invalid>", "dut", NONE, NULL, -2);
}

Test(edge, board_slugging_to_nothing_is_invalid)
{
	ASSERT_ID("<invalid>", "dut", 1, "", NONE);
	ASSERT_ID("<invalid>", "dut", 1, "__", 3);
}

Test(edge, largest_numbers)
{
	ASSERT_ID("dut9223372036854775807_b9223372036854775807", "dut", INT64_MAX, "b", INT64_MAX);
}

Test(truncation, like_snprintf)
{
	char buf[16];
	memset(buf, 'X', sizeof buf);
	cr_assert_eq(otto_host_id(buf, 4, "carrot", NONE, "seed", NONE), 11);
	cr_assert_str_eq(buf, "car");
	/* Exactly the id plus its terminator fits; one byte less cuts one. */
	cr_assert_eq(otto_host_id(buf, 12, "carrot", NONE, "seed", NONE), 11);
	cr_assert_str_eq(buf, "carrot_seed");
	cr_assert_eq(otto_host_id(buf, 11, "carrot", NONE, "seed", NONE), 11);
	cr_assert_str_eq(buf, "carrot_see");
	/* Cut at the separator, and inside the numbers. */
	cr_assert_eq(otto_host_id(buf, 7, "carrot", NONE, "seed", NONE), 11);
	cr_assert_str_eq(buf, "carrot");
	cr_assert_eq(otto_host_id(buf, 5, "dut", 47, "b", 12), 9);
	cr_assert_str_eq(buf, "dut4");
	cr_assert_eq(otto_host_id(buf, 9, "dut", 47, "b", 12), 9);
	cr_assert_str_eq(buf, "dut47_b1");
}

Test(truncation, size_one_and_zero)
{
	char buf[4] = "abc";
	/* volatile: with a constant size of 1, GCC 12 -O2 reports a false
	 * -Warray-bounds inside otto_slug (len + 1 < size cannot hold). */
	volatile size_t one = 1;
	cr_assert_eq(otto_host_id(buf, one, "carrot", NONE, NULL, NONE), 6);
	cr_assert_str_eq(buf, "");
	/* Size 0: only the length, the buffer untouched (NULL allowed). */
	cr_assert_eq(otto_host_id(NULL, 0, "carrot", 3, "seed", 1), 13);
	cr_assert_eq(otto_slug(NULL, 0, "Lab X Server"), 12);
	buf[0] = 'z';
	cr_assert_eq(otto_slug(buf, 0, "abc"), 3);
	cr_assert_eq(buf[0], 'z');
}

Test(truncation, invalid_in_a_cut_buffer_still_zero)
{
	char buf[8];
	cr_assert_eq(otto_host_id(buf, 4, "carrot", NONE, "!!", NONE), 0);
	cr_assert_str_eq(buf, "");
}

Test(slug, direct)
{
	ASSERT_SLUG("abc-123", "ABC 123");
	ASSERT_SLUG("a-b", "a\tb\n");
	ASSERT_SLUG("", "");
	ASSERT_SLUG("", "...");
	char buf[4] = "xyz";
	cr_assert_eq(otto_slug(buf, sizeof buf, NULL), 0);
	cr_assert_str_eq(buf, "");
}

Test(slug, cut_keeps_full_length)
{
	char buf[4];
	cr_assert_eq(otto_slug(buf, sizeof buf, "a b c d"), 7);
	cr_assert_str_eq(buf, "a-b");
}

Test(non_ascii, bytes_are_separators)
{
	ASSERT_SLUG("caf", "caf\xc3\xa9");           /* café */
	ASSERT_SLUG("na-ve", "na\xc3\xafve");         /* naïve */
	ASSERT_SLUG("x", "\xe6\x97\xa5\xe6\x9c\xac x"); /* 日本 x */
	ASSERT_SLUG("", "\xc3\xa9\xc3\xa9");
	ASSERT_ID("<invalid>", "\xe6\x97\xa5", NONE, NULL, NONE);
}

Test(non_ascii, truncated_sequences_are_separators)
{
	ASSERT_SLUG("a", "a\xe2\x84");
	ASSERT_SLUG("a", "a\xc4");
	ASSERT_SLUG("a-b", "a\xe2\x84" "b");
}

Test(non_ascii, kelvin_sign_lowers_to_k)
{
	ASSERT_SLUG("kelvin", "\xe2\x84\xaa" "elvin");
	ASSERT_SLUG("5k", "5\xe2\x84\xaa");
	ASSERT_ID("k1_k", "\xe2\x84\xaa", 1, "\xe2\x84\xaa", NONE);
}

Test(non_ascii, dotted_capital_i_lowers_to_i_and_a_separator)
{
	/* Python: "İstanbul".lower() == "i\u0307stanbul". */
	ASSERT_SLUG("i-stanbul", "\xc4\xb0stanbul");
	ASSERT_SLUG("xi", "X\xc4\xb0");
	ASSERT_SLUG("i-i", "\xc4\xb0\xc4\xb0");
}
