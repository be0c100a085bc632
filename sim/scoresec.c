/* scoresec.c — parsing the `score:` section of a scenario (see scoresec.h). */
#include "scoresec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "registry.h"
#include "scenario.h"

struct sp {
    const char *path;
    yaml_document_t *doc;
    enum organ organ;
    struct err *e;
};

/* An organ's name in messages. */
#define ORGAN_NAME(o) (registry_organ((enum organ)(o))->name)

/* The name of the first organ in the mask `organs` (SCORE_HEART, SCORE_PANCREAS bits). */
static const char *first_organ(unsigned organs)
{
    for (int o = 0; o < ORGAN_N; o++)
        if (organs & (1u << o)) return ORGAN_NAME(o);
    return "?";
}

static int fail(struct sp *x, yaml_mark_t mk, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(struct sp *x, yaml_mark_t mk, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_at_v(x->e, x->path, mk.line + 1, mk.column + 1, key, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *sval(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int is_scalar(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE) return 0;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 1;
    const char *v = sval(n);
    return !(v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0);
}

static const char *kind(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE) return "a sequence";
    if (!is_scalar(n)) return "nothing (null)";
    snprintf(buf, len, "'%.60s'", sval(n));
    return buf;
}

static yaml_node_t *node(struct sp *x, int id) { return yaml_document_get_node(x->doc, id); }

/* Checks that map is a mapping whose keys are all among `allowed` (NULL-terminated) and each
 * appears once. */
static int check_keys(struct sp *x, const yaml_node_t *map, const char *key,
                      const char *const *allowed, const char *what)
{
    char fb[96], names[256] = "";
    size_t used = 0;
    for (const char *const *a = allowed; *a && used < sizeof names; a++)
        used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "", *a);
    if (map->type != YAML_MAPPING_NODE)
        return fail(x, map->start_mark, key, "expected %s (keys %s), found %s", what, names,
                    kind(map, fb, sizeof fb));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = node(x, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(x, k->start_mark, key, "expected a key (%s), found %s", names, kind(k, fb, sizeof fb));
        int ok = 0;
        for (const char *const *a = allowed; *a; a++) ok |= strcmp(*a, sval(k)) == 0;
        char full[300];
        snprintf(full, sizeof full, "%.200s.%.60s", key, sval(k));
        if (!ok) return fail(x, k->start_mark, full, "expected one of %s, found an unknown key", names);
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++)
            if (strcmp(sval(node(x, q->key)), sval(k)) == 0)
                return fail(x, k->start_mark, full, "expected each key once, found a duplicate");
    }
    return 0;
}

static yaml_node_t *get(struct sp *x, const yaml_node_t *map, const char *name)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (strcmp(sval(node(x, p->key)), name) == 0) return node(x, p->value);
    return NULL;
}

/* A feature name for `role` ("when", "keys", "points"), optionally "not NAME" (when, keys). */
static int feature(struct sp *x, const yaml_node_t *v, const char *key, const char *role,
                   int allow_not, struct score_lit *out)
{
    char fb[96], names[1200];
    const char *what = strcmp(role, "when") == 0 ? "a condition"
                       : strcmp(role, "keys") == 0 ? "a condition or abo_step"
                                                   : "a feature";
    score_feature_names(x->organ, role, names, sizeof names);
    if (!is_scalar(v))
        return fail(x, v->start_mark, key, "expected %s of the %s score (%s), found %s", what,
                    ORGAN_NAME(x->organ), names, kind(v, fb, sizeof fb));
    const char *s = sval(v);
    int neg = 0;
    if (allow_not && strncmp(s, "not ", 4) == 0) {
        neg = 1;
        s += 4;
        while (*s == ' ') s++;
    }
    int f = score_feature_find(s);
    if (f < 0)
        return fail(x, v->start_mark, key, "expected %s of the %s score (%s), found '%s'", what,
                    ORGAN_NAME(x->organ), names, sval(v));
    const struct score_feature *sf = &score_features[f];
    if (!(sf->organs & (1u << x->organ)))
        return fail(x, v->start_mark, key,
                    "expected %s of the %s score (%s), found '%s' (a %s feature)", what,
                    ORGAN_NAME(x->organ), names, s, first_organ(sf->organs));
    if (strcmp(role, "when") == 0 && sf->kind != SCORE_COND)
        return fail(x, v->start_mark, key, "expected a condition (%s), found '%s' (a number in %s)",
                    names, s, sf->unit);
    if (strcmp(role, "keys") == 0 && sf->key_bits == 0)
        return fail(x, v->start_mark, key,
                    "expected a condition or abo_step (%s), found '%s' (a continuous number: "
                    "put it in points)", names, s);
    out->f = (uint8_t)f;
    out->neg = (uint8_t)neg;
    return 0;
}

/* A list of names (or one name) for `role` into lits[0..max), count into *n. */
static int lits(struct sp *x, const yaml_node_t *v, const char *key, const char *role,
                struct score_lit *out, int max, int *n)
{
    char k[300];
    *n = 0;
    if (v->type != YAML_SEQUENCE_NODE) {
        *n = 1;
        return feature(x, v, key, role, 1, &out[0]);
    }
    int cnt = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (cnt > max) return fail(x, v->start_mark, key, "expected at most %d entries, found %d", max, cnt);
    for (int i = 0; i < cnt; i++) {
        snprintf(k, sizeof k, "%.200s[%d]", key, i);
        if (feature(x, node(x, v->data.sequence.items.start[i]), k, role, 1, &out[i])) return ERR_INPUT;
    }
    *n = cnt;
    return 0;
}

static int number(struct sp *x, const yaml_node_t *v, const char *key, double *out)
{
    char fb[96], *end = NULL;
    if (!is_scalar(v) || v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return fail(x, v->start_mark, key, "expected a number, found %s%s",
                    v->type == YAML_SCALAR_NODE && is_scalar(v) ? "the string " : "",
                    kind(v, fb, sizeof fb));
    errno = 0;
    double d = strtod(sval(v), &end);
    if (errno || end == sval(v) || *end || !isfinite(d))
        return fail(x, v->start_mark, key, "expected a number, found '%s'", sval(v));
    *out = d;
    return 0;
}

static int term(struct sp *x, const yaml_node_t *v, const char *key, struct score_term *t)
{
    static const char *const K[] = {"feature", "weight", "cap", "above", NULL};
    char k[300];
    if (check_keys(x, v, key, K, "a points term {feature: NAME, weight: NUMBER}")) return ERR_INPUT;
    const yaml_node_t *f = get(x, v, "feature"), *w = get(x, v, "weight");
    memset(t, 0, sizeof *t);
    snprintf(k, sizeof k, "%.200s.feature", key);
    if (!f) return fail(x, v->start_mark, k, "expected a feature name, found no such key");
    struct score_lit l;
    if (feature(x, f, k, "points", 0, &l)) return ERR_INPUT;
    t->f = l.f;
    snprintf(k, sizeof k, "%.200s.weight", key);
    if (!w) return fail(x, v->start_mark, k, "expected a number, found no such key");
    if (number(x, w, k, &t->weight)) return ERR_INPUT;
    const yaml_node_t *c = get(x, v, "cap"), *a = get(x, v, "above");
    snprintf(k, sizeof k, "%.200s.cap", key);
    if (c && number(x, c, k, &t->cap)) return ERR_INPUT;
    snprintf(k, sizeof k, "%.200s.above", key);
    if (a && number(x, a, k, &t->above)) return ERR_INPUT;
    t->has_cap = c != NULL;
    t->has_above = a != NULL;
    return 0;
}

static int tier(struct sp *x, const yaml_node_t *v, const char *key, struct score_tier *t)
{
    static const char *const K[] = {"name", "when", "keys", "points", NULL};
    char k[300], fb[96];
    if (check_keys(x, v, key, K, "a tier")) return ERR_INPUT;
    memset(t, 0, sizeof *t);
    const yaml_node_t *n = get(x, v, "name");
    snprintf(k, sizeof k, "%.200s.name", key);
    if (!n) return fail(x, v->start_mark, k, "expected a tier name, found no such key");
    if (!is_scalar(n) || strlen(sval(n)) >= SCORE_NAME_LEN || !*sval(n))
        return fail(x, n->start_mark, k, "expected a name of 1 to %d characters, found %s",
                    SCORE_NAME_LEN - 1, kind(n, fb, sizeof fb));
    snprintf(t->name, sizeof t->name, "%s", sval(n));
    const yaml_node_t *w = get(x, v, "when"), *ks = get(x, v, "keys"), *ps = get(x, v, "points");
    snprintf(k, sizeof k, "%.200s.when", key);
    if (w && lits(x, w, k, "when", t->when, SCORE_MAX_WHEN, &t->n_when)) return ERR_INPUT;
    snprintf(k, sizeof k, "%.200s.keys", key);
    if (ks && lits(x, ks, k, "keys", t->key, SCORE_MAX_KEYS, &t->n_keys)) return ERR_INPUT;
    if (ps) {
        snprintf(k, sizeof k, "%.200s.points", key);
        if (ps->type != YAML_SEQUENCE_NODE)
            return fail(x, ps->start_mark, k, "expected a list of terms [{feature: NAME, weight: "
                        "NUMBER}, ...], found %s", kind(ps, fb, sizeof fb));
        int cnt = (int)(ps->data.sequence.items.top - ps->data.sequence.items.start);
        if (cnt > SCORE_MAX_TERMS)
            return fail(x, ps->start_mark, k, "expected at most %d terms, found %d", SCORE_MAX_TERMS, cnt);
        for (int i = 0; i < cnt; i++) {
            snprintf(k, sizeof k, "%.200s.points[%d]", key, i);
            if (term(x, node(x, ps->data.sequence.items.start[i]), k, &t->term[i])) return ERR_INPUT;
        }
        t->n_terms = cnt;
    }
    return 0;
}

int scoresec_parse(const char *path, yaml_document_t *doc, const yaml_node_t *sec,
                   const char *key, enum organ organ, struct score_prog *g, struct err *e)
{
    static const char *const K[] = {"tiers", NULL};
    struct sp x = {.path = path, .doc = doc, .organ = organ, .e = e};
    char k[300], fb[96], msg[400];
    memset(g, 0, sizeof *g);
    if (check_keys(&x, sec, key, K, "a score section")) return ERR_INPUT;
    const yaml_node_t *ts = get(&x, sec, "tiers");
    snprintf(k, sizeof k, "%.200s.tiers", key);
    if (!ts) return fail(&x, sec->start_mark, k, "expected a list of tiers, found no such key");
    if (ts->type != YAML_SEQUENCE_NODE)
        return fail(&x, ts->start_mark, k, "expected a list of tiers, found %s", kind(ts, fb, sizeof fb));
    int cnt = (int)(ts->data.sequence.items.top - ts->data.sequence.items.start);
    if (cnt > SCORE_MAX_TIERS)
        return fail(&x, ts->start_mark, k, "expected at most %d tiers, found %d", SCORE_MAX_TIERS, cnt);
    for (int i = 0; i < cnt; i++) {
        snprintf(k, sizeof k, "%.200s.tiers[%d]", key, i);
        if (tier(&x, node(&x, ts->data.sequence.items.start[i]), k, &g->tier[i])) return ERR_INPUT;
    }
    g->n_tiers = cnt;
    if (score_prog_finish(g, organ, msg, sizeof msg)) {
        /* Point at the last tier for a bad last tier, else at the list. */
        const yaml_node_t *at = ts;
        if (cnt > 0 && strstr(msg, "last tier"))
            at = node(&x, ts->data.sequence.items.start[cnt - 1]);
        snprintf(k, sizeof k, "%.200s.tiers", key);
        return fail(&x, at->start_mark, k, "%s", msg);
    }
    return 0;
}


static void lit_list(FILE *f, const char *what, const struct score_lit *l, int n)
{
    if (!n) return;
    fprintf(f, "      %s: [", what);
    for (int k = 0; k < n; k++)
        fprintf(f, "%s%s%s", k ? ", " : "", l[k].neg ? "not " : "", score_features[l[k].f].name);
    fputs("]\n", f);
}

void scoresec_write(FILE *f, const char *key, const struct score_prog *g)
{
    fprintf(f, "%s:\n  tiers:\n", key);
    for (int i = 0; i < g->n_tiers; i++) {
        const struct score_tier *t = &g->tier[i];
        fputs("    - name: ", f);
        scen_write_str(f, t->name);
        fputc('\n', f);
        lit_list(f, "when", t->when, t->n_when);
        lit_list(f, "keys", t->key, t->n_keys);
        if (t->n_terms) fputs("      points:\n", f);
        for (int k = 0; k < t->n_terms; k++) {
            const struct score_term *u = &t->term[k];
            fprintf(f, "        - {feature: %s, weight: %.17g", score_features[u->f].name, u->weight);
            if (u->has_cap) fprintf(f, ", cap: %.17g", u->cap);
            if (u->has_above) fprintf(f, ", above: %.17g", u->above);
            fputs("}\n", f);
        }
    }
}
