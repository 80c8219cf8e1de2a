/*
 * Which plugin call is running on this thread, for crash reports: a
 * SIGSEGV handler (the otto command's) asks otto_plugin_call_in_progress()
 * to name the backend, the plugin file and the operation that crashed.
 */
#include "backends/backends.h"
#include "util/util.h"

#include <stdatomic.h>

/* Per thread because the signals that matter (SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE, abort()'s SIGABRT) are delivered to the thread that faulted.
 * initial-exec: reading it is a plain %fs-relative load, with no lazy TLS
 * allocation that would make it unsafe in a signal handler. */
static _Thread_local const otto__call_mark *current_call __attribute__((tls_model("initial-exec")));

void otto__call_mark_begin(otto__call_mark *mark, const char *kind, const char *backend, const char *plugin_path,
			   const char *op)
{
	mark->info.kind = kind;
	mark->info.backend = backend ? backend : "?";
	mark->info.plugin_path = plugin_path ? plugin_path : "(built-in)";
	mark->info.operation = op;
	mark->outer = current_call;
	/* A handler interrupting us must never see the record half filled. */
	atomic_signal_fence(memory_order_release);
	current_call = mark;
	atomic_signal_fence(memory_order_seq_cst);
}

void otto__call_mark_end(otto__call_mark *mark)
{
	atomic_signal_fence(memory_order_seq_cst);
	current_call = mark->outer;
	atomic_signal_fence(memory_order_seq_cst);
}

OTTO_API const otto_plugin_call_info *otto_plugin_call_in_progress(void)
{
	const otto__call_mark *mark = current_call;
	atomic_signal_fence(memory_order_acquire);
	return mark ? &mark->info : NULL;
}
