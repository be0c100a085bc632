/* sb.h — a bounded string builder for the policies' reason texts (heart.c, pancreas.c, score.c).
 *
 * Appends are printf-formatted into a caller's buffer and never overrun it: a text longer than
 * the buffer is cut, and the buffer stays terminated. Pure; no allocation. */
#ifndef WLSIM_SB_H
#define WLSIM_SB_H

#include <stddef.h>

/* A builder over buf[0..len): `used` bytes written so far (at most len - 1). The caller sets
 * buf[0] = '\0' when nothing may be appended. */
struct sb {
    char *buf;
    size_t len, used;
};

/* Appends the formatted text to s, cut at the end of the buffer. Does nothing when the buffer is
 * full or empty (len 0). */
void sb_add(struct sb *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
