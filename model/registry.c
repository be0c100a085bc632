/* registry.c — the table of known policies (the first entry per organ is the default), and the
 * organ programmes in allocation order. */
#include "registry.h"

#include <stdio.h>
#include <string.h>

#include "heart.h"
#include "organ.h"
#include "pancreas.h"
#include "score.h"
#include "simple.h"

static const struct policy_ops *const HEART[] = {&heart_bak2021_ops, &simple_heart_ops, &score_heart_ops};
static const struct policy_ops *const PANCREAS[] = {&pancreas_bak2026_ops, &simple_pancreas_ops,
                                                        &score_pancreas_ops};

static const struct policy_ops *const *table(enum organ organ, size_t *n)
{
    if (organ == ORGAN_HEART) {
        *n = sizeof HEART / sizeof HEART[0];
        return HEART;
    }
    *n = sizeof PANCREAS / sizeof PANCREAS[0];
    return PANCREAS;
}

const struct policy_ops *registry_get(enum organ organ, size_t i)
{
    size_t n;
    const struct policy_ops *const *t = table(organ, &n);
    return i < n ? t[i] : NULL;
}

const struct policy_ops *registry_find(enum organ organ, const char *name)
{
    const struct policy_ops *p;
    for (size_t i = 0; (p = registry_get(organ, i)); i++)
        if (strcmp(p->name, name) == 0) return p;
    return NULL;
}

const char *registry_names(enum organ organ, char *buf, size_t len)
{
    const struct policy_ops *p;
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; (p = registry_get(organ, i)) && used < len; i++)
        used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? "|" : "", p->name);
    return buf;
}

/* Allocation order of a donor's organs: thoracic first (§II.2 of both guidelines). */
static const struct organ_def *const ORGANS[] = {&organ_heart, &organ_pancreas};
_Static_assert(sizeof ORGANS / sizeof ORGANS[0] == ORGAN_N, "one organ_def per enum organ");

const struct organ_def *registry_organ(enum organ organ)
{
    for (size_t k = 0; k < ORGAN_N; k++)
        if (ORGANS[k]->organ == organ) return ORGANS[k];
    return NULL;
}

const struct organ_def *registry_organ_at(size_t k)
{
    return k < ORGAN_N ? ORGANS[k] : NULL;
}

size_t registry_cand_cols(const struct cand_col **out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_cand_cols_common && n < REGISTRY_CAND_COLS_MAX; i++) out[n++] = &cand_cols_common[i];
    for (int o = 0; o < ORGAN_N; o++) {
        const struct organ_def *od = registry_organ((enum organ)o);
        for (size_t i = 0; i < od->n_cols && n < REGISTRY_CAND_COLS_MAX; i++) out[n++] = &od->cols[i];
    }
    return n;
}
