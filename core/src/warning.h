/* libotto's warning channel (see otto_set_warning_handler in otto.h). */
#ifndef OTTO_WARNING_H
#define OTTO_WARNING_H

void otto__warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
