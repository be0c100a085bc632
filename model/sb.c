/* sb.c — the bounded string builder of sb.h. */
#include "sb.h"

#include <stdarg.h>
#include <stdio.h>

void sb_add(struct sb *s, const char *fmt, ...)
{
    if (s->len == 0 || s->used >= s->len - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(s->buf + s->used, s->len - s->used, fmt, ap);
    va_end(ap);
    if (w > 0) s->used += (size_t)w;
    if (s->used > s->len - 1) s->used = s->len - 1;
}
