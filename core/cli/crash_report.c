/*
 * A backend is called in this process, so a plugin that crashes takes otto
 * down with it. The scan already isolates registration in a child; here we
 * make sure a crash during a call at least ends with one sentence naming
 * the backend, its plugin file, the signal and the call, and exit status 1
 * (a backend error), never an answer (commands print only after their
 * backend calls returned).
 *
 * Everything the handler does is async-signal-safe: otto_plugin_call_in_progress
 * reads a thread-local pointer; the message is assembled in a stack buffer by
 * hand and written with write(2); _exit skips atexit handlers and stdio
 * buffers, so nothing half-computed reaches stdout.
 */
#include "crash_report.h"
#include "commands.h"

#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

static const int handled_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};

/* The handler's own stack: a plugin that overflowed its stack left none. */
static char alt_stack[64 * 1024];

static const char *signal_name(int sig)
{
	switch (sig) {
	case SIGSEGV:
		return "SIGSEGV";
	case SIGBUS:
		return "SIGBUS";
	case SIGILL:
		return "SIGILL";
	case SIGFPE:
		return "SIGFPE";
	case SIGABRT:
		return "SIGABRT";
	default:
		return "a fatal signal";
	}
}

typedef struct line {
	char text[2048];
	size_t len;
} line;

/* Append s, its control characters as \xHH (a backend name or a plugin
 * path is not trusted to be one printable line); room is left for the
 * newline. */
static void put(line *l, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!s)
		s = "?";
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool control = c < 0x20 || c == 0x7F;
		if (l->len + (control ? 4 : 1) > sizeof l->text - 1)
			break;
		if (control) {
			l->text[l->len++] = '\\';
			l->text[l->len++] = 'x';
			l->text[l->len++] = hex[c >> 4];
			l->text[l->len++] = hex[c & 15];
		} else {
			l->text[l->len++] = (char)c;
		}
	}
}

static void on_fatal_signal(int sig)
{
	const otto_plugin_call_info *call = otto_plugin_call_in_progress();
	if (!call) {
		/* A crash in otto itself stays a crash (core dump, 128+signal):
		 * the signal is blocked while we run, so it lands on return. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	line l = {.len = 0};
	put(&l, "otto: ");
	put(&l, call->kind);
	put(&l, " backend '");
	put(&l, call->backend);
	if (call->plugin_path && call->plugin_path[0] == '(') {
		put(&l, "' ");
		put(&l, call->plugin_path);
	} else {
		put(&l, "' (plugin ");
		put(&l, call->plugin_path);
		put(&l, ")");
	}
	put(&l, " crashed with ");
	put(&l, signal_name(sig));
	put(&l, " during ");
	put(&l, call->operation);
	/* destroy runs after the answer was made (and perhaps printed): only
	 * the exit status can still say that the command failed. */
	put(&l, strcmp(call->operation, "destroy") == 0 ? "; the command fails." : "; nothing was answered.");
	l.text[l.len++] = '\n';
	for (size_t done = 0; done < l.len;) {
		ssize_t n = write(STDERR_FILENO, l.text + done, l.len - done);
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	_exit(CLI_EXIT_FAILED);
}

void cli_crash_report_install(void)
{
	stack_t ss = {.ss_sp = alt_stack, .ss_size = sizeof alt_stack, .ss_flags = 0};
	/* Without the alternate stack the handler still helps for every
	 * crash but a stack overflow. */
	(void)sigaltstack(&ss, NULL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof handled_signals / sizeof handled_signals[0]; i++)
		sigaction(handled_signals[i], &sa, NULL);
}
