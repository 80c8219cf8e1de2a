/* The otto command's report of a backend plugin crashing during a call. */
#ifndef OTTO_CLI_CRASH_REPORT_H
#define OTTO_CLI_CRASH_REPORT_H

/* Handle SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGABRT (on an alternate
 * stack, so a stack overflow is handled too). During a plugin call: print
 * "otto: lab backend 'x' (plugin /p/x.so) crashed with SIGSEGV during
 * load_lab; nothing was answered." ("...during destroy; the command
 * fails.") and exit 1 (a backend error: fail closed). Anywhere else: the default action, as if no handler were set. */
void cli_crash_report_install(void);

#endif
