/* Helpers of the postgres lock store's tests (tests/postgres/). */
#ifndef OTTO_PG_LOCK_TEST_H
#define OTTO_PG_LOCK_TEST_H

#include "pgtest.h"

/* Create or migrate the team store's schema on s (as its owner). */
void plt_db_init(const pgt_server *s);

#endif
