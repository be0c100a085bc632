/* pdef.c — helpers over parameter-definition tables (see pdef.h). */
#include "pdef.h"

#include <stdio.h>
#include <string.h>

void pdef_defaults(const struct pdef *defs, size_t n, void *base)
{
    for (size_t i = 0; i < n; i++) {
        char *p = (char *)base + defs[i].offset;
        if (defs[i].type == PD_DOUBLE)
            *(double *)p = defs[i].def;
        else
            *(int *)p = (int)defs[i].def;
    }
}

const char *pdef_choice(const struct pdef *d, int idx, char *buf, size_t len)
{
    const char *s = d->choices ? d->choices : "";
    for (int i = 0; i < idx && s; i++) {
        s = strchr(s, '|');
        if (s) s++;
    }
    if (!s || idx < 0) {
        snprintf(buf, len, "?");
        return buf;
    }
    const char *e = strchr(s, '|');
    size_t k = e ? (size_t)(e - s) : strlen(s);
    snprintf(buf, len, "%.*s", (int)k, s);
    return buf;
}

int pdef_choice_index(const struct pdef *d, const char *name)
{
    const char *s = d->choices ? d->choices : "";
    size_t n = strlen(name);
    for (int i = 0; *s; i++) {
        const char *e = strchr(s, '|');
        size_t k = e ? (size_t)(e - s) : strlen(s);
        if (k == n && strncmp(s, name, n) == 0) return i;
        if (!e) break;
        s = e + 1;
    }
    return -1;
}

int pdef_decimal_syntax(const char *s)
{
    const char *p = s;
    size_t d = 0;
    if (*p == '+' || *p == '-') p++;
    while (*p >= '0' && *p <= '9') p++, d++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') p++, d++;
    }
    if (!d) return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!(*p >= '0' && *p <= '9')) return 0;
        while (*p >= '0' && *p <= '9') p++;
    }
    return *p == '\0';
}
