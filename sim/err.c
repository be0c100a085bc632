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
