/* branch.c — the variants --branch accepts (see branch.h). */
#include "branch.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vec.h"

/* One scenario's parameters outside policy.*, as (key, value as written in YAML). */
struct kv {
    char key[160];
    char val[64];
};
struct kvs {
    struct kv *v;
    size_t n, cap;
    int oom;
};

static void collect(void *ctx, const char *full, const struct pdef *d, const void *value)
{
    struct kvs *k = ctx;
    if (strncmp(full, "policy.", 7) == 0 || k->oom) return;
    if (vec_grow((void **)&k->v, &k->cap, k->n + 1, sizeof *k->v)) {
        k->oom = 1;
        return;
    }
    struct kv *p = &k->v[k->n++];
    snprintf(p->key, sizeof p->key, "%s", full);
    if (d->type == PD_DOUBLE) { /* the shortest form that reads back: 0.1, not 0.10000000000000001 */
        double x = *(const double *)value;
        for (int prec = 6; prec <= 17; prec++) { /* from 6: 400, not 4e+02 */
            snprintf(p->val, sizeof p->val, "%.*g", prec, x);
            if (strtod(p->val, NULL) == x) break;
        }
    } else {
        scen_format(d, value, p->val, sizeof p->val);
    }
}

static int gather(const struct scenario *s, struct kvs *k)
{
    memset(k, 0, sizeof *k);
    scen_each_param(s, collect, k);
    return k->oom ? -1 : 0;
}

static int differs(struct err *e, const struct scenario *b, const struct scenario *v, const char *key,
                   const char *base_val, const char *val)
{
    return err_set(e, ERR_INPUT,
                   "%s: %s: expected %s as in %s (variant 0) under --branch, found %s: the variants branch "
                   "from one shared warm-up, so only policy.*, name and description may differ",
                   v->path ? v->path : v->name, key, base_val, b->path ? b->path : b->name, val);
}

int branch_check(const struct scenario *const *variants, int n, struct err *e)
{
    const struct scenario *b = variants[0];
    struct kvs kb, kv = {0};
    int rc = 0;
    if (gather(b, &kb)) {
        rc = err_set(e, ERR_INTERNAL, "out of memory");
        goto cleanup;
    }
    for (int i = 1; i < n && !rc; i++) {
        const struct scenario *v = variants[i];
        free(kv.v);
        if (gather(v, &kv)) {
            rc = err_set(e, ERR_INTERNAL, "out of memory");
            goto cleanup;
        }
        /* Key sets differ only when a policy.<organ>.rule change brings another model table. */
        size_t m = kb.n < kv.n ? kb.n : kv.n;
        for (size_t j = 0; j < m && !rc; j++) {
            if (strcmp(kb.v[j].key, kv.v[j].key))
                rc = differs(e, b, v, kv.v[j].key, "no such key (another policy's model table)", kv.v[j].val);
            else if (strcmp(kb.v[j].val, kv.v[j].val))
                rc = differs(e, b, v, kv.v[j].key, kb.v[j].val, kv.v[j].val);
        }
        if (!rc && kb.n != kv.n) {
            const struct kv *x = kb.n > kv.n ? &kb.v[m] : &kv.v[m];
            rc = differs(e, b, v, x->key, kb.n > kv.n ? x->val : "no such key", kb.n > kv.n ? "no such key" : x->val);
        }
        if (rc) break;
        char sb[32], sv[32];
        snprintf(sb, sizeof sb, "%" PRIu64, b->seed);
        snprintf(sv, sizeof sv, "%" PRIu64, v->seed);
        if (b->seed != v->seed) rc = differs(e, b, v, "seed", sb, sv);
        static const char *const RK[3] = {"population.candidates", "population.history", "population.donors"};
        for (int f = 0; f < 3 && !rc; f++)
            if (strcmp(b->replay_files[f], v->replay_files[f]))
                rc = differs(e, b, v, RK[f], b->replay_files[f][0] ? b->replay_files[f] : "none",
                             v->replay_files[f][0] ? v->replay_files[f] : "none");
        if (!rc && b->replay_replication != v->replay_replication) {
            snprintf(sb, sizeof sb, "%d", b->replay_replication);
            snprintf(sv, sizeof sv, "%d", v->replay_replication);
            rc = differs(e, b, v, "population.replication", sb, sv);
        }
    }
cleanup:
    free(kb.v);
    free(kv.v);
    return rc;
}
