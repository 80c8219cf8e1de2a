#include <otto/otto.h>

#include <criterion/criterion.h>

Test(status, exit_codes)
{
	cr_assert_eq(otto_status_exit_code(OTTO_OK), 0);
	const int one[] = {OTTO_ERROR, OTTO_ENOTFOUND, OTTO_ECHECK, OTTO_EIO, OTTO_ENOTSUPPORTED, OTTO_ENOMEM, -999, 7};
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
		cr_assert_eq(otto_status_exit_code(one[i]), 1, "status %d", one[i]);
	const int two[] = {OTTO_EINVALID, OTTO_ESETTINGS, OTTO_ENOBACKEND, OTTO_EPLUGIN};
	for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
		cr_assert_eq(otto_status_exit_code(two[i]), 2, "status %d", two[i]);
}

Test(status, names)
{
	cr_assert_str_eq(otto_status_name(OTTO_OK), "OK");
	cr_assert_str_eq(otto_status_name(OTTO_ERROR), "ERROR");
	cr_assert_str_eq(otto_status_name(OTTO_ENOTFOUND), "ENOTFOUND");
	cr_assert_str_eq(otto_status_name(OTTO_EINVALID), "EINVALID");
	cr_assert_str_eq(otto_status_name(OTTO_ENOMEM), "ENOMEM");
	cr_assert_str_eq(otto_status_name(OTTO_ENOTSUPPORTED), "ENOTSUPPORTED");
	cr_assert_str_eq(otto_status_name(OTTO_ENOBACKEND), "ENOBACKEND");
	cr_assert_str_eq(otto_status_name(OTTO_EPLUGIN), "EPLUGIN");
	cr_assert_str_eq(otto_status_name(OTTO_ESETTINGS), "ESETTINGS");
	cr_assert_str_eq(otto_status_name(OTTO_EIO), "EIO");
	cr_assert_str_eq(otto_status_name(OTTO_ECHECK), "ECHECK");
	cr_assert_str_eq(otto_status_name(-999), "UNKNOWN");
}

Test(status, plugin_status_and_kind_names)
{
	cr_assert_str_eq(otto_plugin_status_name(OTTO_PLUGIN_LOADED), "loaded");
	cr_assert_str_eq(otto_plugin_status_name(OTTO_PLUGIN_NOT_A_PLUGIN), "not a plugin");
	cr_assert_str_eq(otto_plugin_status_name(OTTO_PLUGIN_ABI_MISMATCH), "ABI mismatch");
	cr_assert_str_eq(otto_plugin_status_name(OTTO_PLUGIN_FAILED), "failed");
	cr_assert_str_eq(otto_plugin_status_name(OTTO_PLUGIN_DUPLICATE), "duplicate");
	cr_assert_str_eq(otto_plugin_status_name(OTTO_PLUGIN_REFUSED), "refused");
	cr_assert_str_eq(otto_backend_kind_name(OTTO_KIND_LAB), "lab");
	cr_assert_str_eq(otto_backend_kind_name(OTTO_KIND_RESERVATION), "reservation");
}
