/* err.c — see err.h. */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>

void err_clear(struct err *e)
{
    e->code = ERR_OK;
    e->msg[0] = '\0';
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    if (!e || e->code != ERR_OK) return code;
    e->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return code;
}

int err_at_v(struct err *e, const char *path, size_t line, size_t col, const char *key,
             const char *fmt, va_list ap)
{
    char what[1400]; /* long enough for a list of the valid names */
    vsnprintf(what, sizeof what, fmt, ap);
    return err_set(e, ERR_INPUT, "%s:%zu:%zu: %s: %s", path, line, col, key, what);
}
