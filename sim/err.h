/* err.h — error reporting for wlsim.
 *
 * Runtime failures are `int` return codes; the message travels in a caller-owned `struct err`.
 * Every error is raised through err_set(), the one function to break on in a debugger.
 * Codes match the process exit codes (docs/scenario.md, Validation): ERR_INPUT (2) for bad input (scenario,
 * CSV, arguments), ERR_INTERNAL (1) for everything else (allocation, HDF5, I/O). */
#ifndef WLSIM_ERR_H
#define WLSIM_ERR_H

#include <stdarg.h>
#include <stddef.h>

enum { ERR_OK = 0, ERR_INTERNAL = 1, ERR_INPUT = 2 };

struct err {
    int code;
    char msg[1024];
};

/* Clears e (code ERR_OK, empty message). */
void err_clear(struct err *e);

/* Records the error `code` with a printf-style message in e (if e is not NULL) and returns
 * `code`, so callers can write `return err_set(e, ERR_INPUT, "...")`. A second call on an
 * error that is already set keeps the first message (the root cause). */
int err_set(struct err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An input error at a place in a file (ERR_INPUT through err_set): "PATH:LINE:COL: KEY: " and
 * the message formatted from fmt and ap. Line and column count from 1. Returns ERR_INPUT. */
int err_at_v(struct err *e, const char *path, size_t line, size_t col, const char *key,
             const char *fmt, va_list ap) __attribute__((format(printf, 6, 0)));

#endif
