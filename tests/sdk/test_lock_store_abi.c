/*
 * otto_register_lock_store() (ABI 1.2) against registrars of older and
 * newer hosts: a 1.0/1.1 registrar ends before add_lock_store, so the
 * helper must refuse instead of calling past it.
 */
#include <otto/plugin.h>

#include <criterion/criterion.h>

static int calls;

static int add_lab(otto_registrar *reg, const otto_lab_repository_type *type, otto_error *err)
{
	(void)reg, (void)type, (void)err;
	return OTTO_OK;
}

static int add_res(otto_registrar *reg, const otto_reservation_backend_type *type, otto_error *err)
{
	(void)reg, (void)type, (void)err;
	return OTTO_OK;
}

static int add_store(otto_registrar *reg, const otto_lock_store_type *type, otto_error *err)
{
	(void)reg, (void)type, (void)err;
	calls++;
	return OTTO_OK;
}

static const otto_lock_store_type STORE = {.struct_size = sizeof(otto_lock_store_type), .name = "s"};

Test(lock_store_abi, an_older_host_is_refused_without_a_call)
{
	/* What a 1.1 host passes: its ops struct ends after add_reservation_backend. */
	otto_registrar_ops ops = {offsetof(otto_registrar_ops, add_lock_store), add_lab, add_res, add_store};
	otto_registrar reg = {&ops, 1, 1};
	otto_error err = {0, ""};
	calls = 0;
	cr_assert_eq(otto_register_lock_store(&reg, &STORE, &err), OTTO_EINVALID);
	cr_assert_str_eq(err.message, "this otto host predates lock stores (ABI 1.2)");
	cr_assert_eq(calls, 0);
}

Test(lock_store_abi, a_1_2_host_gets_the_call)
{
	otto_registrar_ops ops = {sizeof ops, add_lab, add_res, add_store};
	otto_registrar reg = {&ops, 1, 2};
	otto_error err = {0, ""};
	calls = 0;
	cr_assert_eq(otto_register_lock_store(&reg, &STORE, &err), OTTO_OK);
	cr_assert_eq(calls, 1);
	ops.add_lock_store = NULL;
	cr_assert_eq(otto_register_lock_store(&reg, &STORE, &err), OTTO_EINVALID, "a NULL op is refused too");
}
