/* The tests' time limits scale with OTTO_TEST_TIME_SCALE (testutil.h): run
 * with OTTO_TEST_TIME_SCALE=10 by CTest, a 1 s Criterion timeout becomes
 * 10 s, and libotto's limits are exported scaled. */
#include "testutil.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

Test(time_scale, a_criterion_timeout_is_scaled, .timeout = 1)
{
	cr_assert_eq(tu_time_scale(), 10.0);
	usleep(1500000); /* past the unscaled 1 s, well within 10 s */
}

Test(time_scale, libotto_limits_are_exported_scaled)
{
	cr_assert_str_eq(getenv("OTTO_PLUGIN_SCAN_TIMEOUT"), "100");
	cr_assert_eq(tu_scaled_seconds(3), 30);
}
