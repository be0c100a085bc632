/* psa.c — parameter uncertainty: reading U.yaml, drawing each replication's parameter set and
 * putting it into a copy of a variant's parameters (see psa.h).
 *
 * The file is parsed by libyaml into a document and walked once; every field keeps its mark so
 * that the checks against the variants (psa_bind, after the document is gone) still point at the
 * line and column. */
#include "psa.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <yaml.h>

#include "popn.h"
#include "rng.h"
#include "ser.h"

enum dist { D_NORMAL, D_LOGNORMAL, D_BETA, D_GAMMA, D_UNIFORM, D_TRIANGULAR, D_N };
static const char *const DIST_NAME[D_N] = {"normal", "lognormal", "beta", "gamma", "uniform", "triangular"};

enum field { F_MEAN, F_SD, F_MEANLOG, F_SDLOG, F_ALPHA, F_BETA, F_SHAPE, F_SCALE, F_MIN, F_MAX, F_MODE, F_N };
static const char *const FIELD_NAME[F_N] = {"mean", "sd", "meanlog", "sdlog", "alpha", "beta",
                                            "shape", "scale", "min", "max", "mode"};
#define B(f) (1u << (f))
/* Required and allowed fields of each distribution. */
static const unsigned REQUIRED[D_N] = {B(F_MEAN) | B(F_SD), B(F_MEANLOG) | B(F_SDLOG), B(F_ALPHA) | B(F_BETA),
                                       B(F_SHAPE) | B(F_SCALE), B(F_MIN) | B(F_MAX),
                                       B(F_MIN) | B(F_MODE) | B(F_MAX)};
#define BOUNDS (B(F_MIN) | B(F_MAX))

struct mark {
    size_t line, col; /* 1-based */
};

struct entry {
    char key[PSA_NAME_LEN];
    enum dist dist;
    double f[F_N];
    unsigned have;
    struct mark key_mark, dist_mark, fmark[F_N];
    char source[256];
    uint64_t sub;            /* sub-stream: hash of the key */
    /* set by psa_bind */
    double lo, hi;           /* support (normal, lognormal, gamma: the truncation; beta: the scale) */
    double plo, phi;         /* distribution function at lo and hi (truncated distributions) */
    int truncated;
    int target;              /* 0 population, 1 + organ: that organ's parameter struct */
    size_t *off;             /* per variant: the field's offset in its struct */
};

struct psa {
    char *path, *text;
    int n;
    struct entry *e;
    int nv;
    const gsl_rng_type *T;
};

static int errat(const char *path, struct mark m, const char *key, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int errat(const char *path, struct mark m, const char *key, struct err *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_at_v(e, path, m.line, m.col, key, fmt, ap);
    va_end(ap);
    return rc;
}

static struct mark mk(yaml_mark_t m) { return (struct mark){m.line + 1, m.column + 1}; }

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static const char *kind(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type == YAML_MAPPING_NODE) return "a mapping";
    if (n->type == YAML_SEQUENCE_NODE) return "a sequence";
    if (!*scalar(n)) return "nothing";
    snprintf(buf, len, "'%.60s'", scalar(n));
    return buf;
}

/* Parses one entry `key: {dist: ..., ...}`. */
static int parse_entry(struct psa *p, yaml_document_t *doc, const yaml_node_t *k, const yaml_node_t *v,
                       struct entry *x, struct err *e)
{
    char fb[96];
    const char *key = scalar(k);
    x->key_mark = mk(k->start_mark);
    if (strlen(key) >= sizeof x->key)
        return errat(p->path, x->key_mark, "(parameter)", e, "expected a parameter key, found one of %zu characters",
                     strlen(key));
    snprintf(x->key, sizeof x->key, "%s", key);
    if (strncmp(key, "policy.", 7) == 0)
        return errat(p->path, x->key_mark, key, e, "expected a population.* or model.* parameter, found a rule "
                     "parameter (policy.* is what the variants compare; it cannot be uncertain)");
    if (strncmp(key, "population.", 11) != 0 && strncmp(key, "model.", 6) != 0)
        return errat(p->path, x->key_mark, key, e, "expected a population.* or model.* parameter of the table (see "
                     "`wlsim check --list`), found %s", strchr(key, '.') ? "an unknown key" : "a run setting or unknown key");
    if (v->type != YAML_MAPPING_NODE)
        return errat(p->path, mk(v->start_mark), key, e, "expected a mapping {dist: ..., source: ..., ...}, found %s",
                     kind(v, fb, sizeof fb));
    int have_dist = 0, have_source = 0;
    for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
        yaml_node_t *fk = yaml_document_get_node(doc, q->key), *fv = yaml_document_get_node(doc, q->value);
        if (fk->type != YAML_SCALAR_NODE)
            return errat(p->path, mk(fk->start_mark), key, e, "expected a field name, found %s", kind(fk, fb, sizeof fb));
        char full[PSA_NAME_LEN + 64];
        snprintf(full, sizeof full, "%s.%s", key, scalar(fk));
        for (yaml_node_pair_t *r = v->data.mapping.pairs.start; r < q; r++) {
            yaml_node_t *k2 = yaml_document_get_node(doc, r->key);
            if (k2->type == YAML_SCALAR_NODE && strcmp(scalar(k2), scalar(fk)) == 0)
                return errat(p->path, mk(fk->start_mark), full, e, "expected each field once, found a duplicate "
                             "(first at line %zu)", k2->start_mark.line + 1);
        }
        if (fv->type != YAML_SCALAR_NODE || !*scalar(fv))
            return errat(p->path, mk(fv->start_mark), full, e, "expected a value, found %s", kind(fv, fb, sizeof fb));
        const char *s = scalar(fv);
        if (strcmp(scalar(fk), "dist") == 0) {
            int d = 0;
            while (d < D_N && strcmp(DIST_NAME[d], s)) d++;
            if (d == D_N)
                return errat(p->path, mk(fv->start_mark), full, e, "expected one of normal|lognormal|beta|gamma|"
                             "uniform|triangular, found '%.60s'", s);
            x->dist = (enum dist)d;
            x->dist_mark = mk(fv->start_mark);
            have_dist = 1;
            continue;
        }
        if (strcmp(scalar(fk), "source") == 0) {
            if (strchr(s, '\n') || strlen(s) >= sizeof x->source)
                return errat(p->path, mk(fv->start_mark), full, e, "expected one line of at most %zu characters, "
                             "found %s", sizeof x->source - 1, strchr(s, '\n') ? "several lines" : "a longer text");
            snprintf(x->source, sizeof x->source, "%s", s);
            have_source = 1;
            continue;
        }
        int f = 0;
        while (f < F_N && strcmp(FIELD_NAME[f], scalar(fk))) f++;
        if (f == F_N)
            return errat(p->path, mk(fk->start_mark), full, e, "expected dist, source or a distribution parameter "
                         "(mean, sd, meanlog, sdlog, alpha, beta, shape, scale, min, mode, max), found an unknown field");
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(d) || fv->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
            fv->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
            return errat(p->path, mk(fv->start_mark), full, e, "expected a number, found '%.60s'", s);
        x->f[f] = d;
        x->have |= B(f);
        x->fmark[f] = mk(fv->start_mark);
    }
    if (!have_dist)
        return errat(p->path, x->key_mark, key, e, "expected a field dist (normal|lognormal|beta|gamma|uniform|"
                     "triangular), found none");
    if (!have_source)
        return errat(p->path, x->key_mark, key, e, "expected a field source (one line: where the distribution comes "
                     "from), found none");
    unsigned allowed = REQUIRED[x->dist] | BOUNDS;
    for (int f = 0; f < F_N; f++) {
        char full[PSA_NAME_LEN + 64];
        snprintf(full, sizeof full, "%s.%s", key, FIELD_NAME[f]);
        if ((REQUIRED[x->dist] & B(f)) && !(x->have & B(f)))
            return errat(p->path, x->key_mark, full, e, "expected a value (required by dist %s), found none",
                         DIST_NAME[x->dist]);
        if ((x->have & B(f)) && !(allowed & B(f)))
            return errat(p->path, x->fmark[f], full, e, "expected only the fields of dist %s, found %s",
                         DIST_NAME[x->dist], FIELD_NAME[f]);
    }
    /* Impossible parameters. A zero width (sd, sdlog 0; min = max) is allowed: the value itself. */
    const double *f = x->f;
    struct { int bad; int field; const char *what; } chk[] = {
        {x->dist == D_NORMAL && f[F_SD] < 0, F_SD, "a standard deviation >= 0"},
        {x->dist == D_LOGNORMAL && f[F_SDLOG] < 0, F_SDLOG, "a standard deviation of the log >= 0"},
        {x->dist == D_BETA && !(f[F_ALPHA] > 0), F_ALPHA, "a shape alpha > 0"},
        {x->dist == D_BETA && !(f[F_BETA] > 0), F_BETA, "a shape beta > 0"},
        {x->dist == D_GAMMA && !(f[F_SHAPE] > 0), F_SHAPE, "a shape > 0"},
        {x->dist == D_GAMMA && !(f[F_SCALE] > 0), F_SCALE, "a scale > 0"},
        {(x->have & B(F_MIN)) && (x->have & B(F_MAX)) && f[F_MIN] > f[F_MAX], F_MAX, "max >= min"},
        {x->dist == D_BETA && (x->have & BOUNDS) == BOUNDS && f[F_MIN] == f[F_MAX], F_MAX, "max > min (the scale of the beta)"},
        {x->dist == D_TRIANGULAR && (f[F_MODE] < f[F_MIN] || f[F_MODE] > f[F_MAX]), F_MODE, "min <= mode <= max"},
    };
    for (size_t i = 0; i < sizeof chk / sizeof chk[0]; i++)
        if (chk[i].bad) {
            char full[PSA_NAME_LEN + 64];
            snprintf(full, sizeof full, "%s.%s", key, FIELD_NAME[chk[i].field]);
            return errat(p->path, x->fmark[chk[i].field], full, e, "expected %s, found %.15g", chk[i].what,
                         f[chk[i].field]);
        }
    x->sub = ser_hash(SER_HASH_INIT, x->key, strlen(x->key));
    return 0;
}

int psa_load_text(const char *path, const char *text, struct psa **out, struct err *e)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    int have_parser = 0, have_doc = 0, rc = 0;
    char fb[96];
    *out = NULL;
    struct psa *p = calloc(1, sizeof *p);
    if (!p || !(p->path = strdup(path)) || !(p->text = strdup(text))) {
        psa_free(p);
        return err_set(e, ERR_INTERNAL, "out of memory");
    }
    if (!yaml_parser_initialize(&parser)) { rc = err_set(e, ERR_INTERNAL, "yaml: cannot initialise parser"); goto cleanup; }
    have_parser = 1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)p->text, strlen(p->text));
    if (!yaml_parser_load(&parser, &doc)) {
        rc = err_set(e, ERR_INPUT, "%s:%zu:%zu: (yaml): expected well-formed YAML, found an error: %s%s%s", path,
                     parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                     parser.problem ? parser.problem : "unknown", parser.context ? " " : "",
                     parser.context ? parser.context : "");
        goto cleanup;
    }
    have_doc = 1;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        rc = err_set(e, ERR_INPUT, "%s:%zu:%zu: (top level): expected a mapping of parameter: distribution, found %s",
                     path, root ? root->start_mark.line + 1 : 1, root ? root->start_mark.column + 1 : 1,
                     root ? kind(root, fb, sizeof fb) : "an empty file");
        goto cleanup;
    }
    size_t n = (size_t)(root->data.mapping.pairs.top - root->data.mapping.pairs.start);
    if (n == 0) {
        rc = err_set(e, ERR_INPUT, "%s:1:1: (top level): expected at least one uncertain parameter, found none", path);
        goto cleanup;
    }
    if (!(p->e = calloc(n, sizeof *p->e))) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top; q++) {
        yaml_node_t *k = yaml_document_get_node(&doc, q->key), *v = yaml_document_get_node(&doc, q->value);
        if (k->type != YAML_SCALAR_NODE) {
            rc = errat(path, mk(k->start_mark), "(top level)", e, "expected a parameter key, found %s", kind(k, fb, sizeof fb));
            goto cleanup;
        }
        for (int j = 0; j < p->n; j++)
            if (strcmp(p->e[j].key, scalar(k)) == 0) {
                rc = errat(path, mk(k->start_mark), scalar(k), e, "expected each parameter once, found a duplicate "
                           "(first at line %zu)", p->e[j].key_mark.line);
                goto cleanup;
            }
        if ((rc = parse_entry(p, &doc, k, v, &p->e[p->n], e))) goto cleanup;
        p->n++;
    }
cleanup:
    if (have_doc) yaml_document_delete(&doc);
    if (have_parser) yaml_parser_delete(&parser);
    if (rc) psa_free(p);
    else *out = p;
    return rc;
}

int psa_load(const char *path, struct psa **out, struct err *e)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return err_set(e, ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; break; }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf) return err_set(e, ERR_INTERNAL, "%s: out of memory", path);
    buf[n] = '\0';
    int rc = bad ? err_set(e, ERR_INPUT, "%s: read error", path) : psa_load_text(path, buf, out, e);
    free(buf);
    return rc;
}

void psa_free(struct psa *p)
{
    if (!p) return;
    for (int j = 0; p->e && j < p->n; j++) free(p->e[j].off);
    free(p->e);
    free(p->path);
    free(p->text);
    free(p);
}

int psa_n(const struct psa *p) { return p->n; }
const char *psa_name(const struct psa *p, int j) { return p->e[j].key; }
const char *psa_text(const struct psa *p) { return p->text; }
const char *psa_path(const struct psa *p) { return p->path; }

uint64_t psa_fingerprint(const struct psa *p, uint64_t fp)
{
    static const char tag[] = "uncertainty";
    fp = ser_hash(fp, tag, sizeof tag);
    return ser_hash(fp, p->text, strlen(p->text) + 1);
}

/* Finds key in variant s: its definition, target and offset. Returns 1 if found. */
static int find(const struct scenario *s, const char *key, const struct pdef **d, int *target, size_t *off)
{
    static const char *const ORG[ORGAN_N] = {"model.heart.", "model.pancreas."};
    const struct pdef *defs = NULL;
    size_t n = 0, pl = 0;
    if (strncmp(key, "population.", 11) == 0) {
        defs = popn_pdefs, n = popn_n_pdefs, pl = 11, *target = 0;
    } else {
        for (int o = 0; o < ORGAN_N; o++)
            if (strncmp(key, ORG[o], strlen(ORG[o])) == 0) {
                defs = s->ops[o]->model_pdefs, n = s->ops[o]->n_model_pdefs, pl = strlen(ORG[o]), *target = 1 + o;
            }
    }
    for (size_t i = 0; i < n; i++)
        if (strcmp(defs[i].name, key + pl) == 0) {
            *d = &defs[i];
            *off = defs[i].offset;
            return 1;
        }
    return 0;
}

static double *slot(struct scenario *s, int target, size_t off)
{
    char *base = target == 0 ? (char *)&s->pop : (char *)s->par[target - 1];
    return (double *)(base + off);
}

static const double *cslot(const struct scenario *s, int target, size_t off)
{
    const char *base = target == 0 ? (const char *)&s->pop : (const char *)s->par[target - 1];
    return (const double *)(base + off);
}

/* The scenario checks on copy; 0 or -1 with the message in msg. */
static int check(const struct scenario *c, char *msg, size_t len)
{
    if (popn_validate(&c->pop, msg, len)) return -1;
    for (int o = 0; o < ORGAN_N; o++)
        if (c->ops[o]->validate && c->ops[o]->validate(c->par[o], msg, len)) return -1;
    return 0;
}

static int copy_of(const struct scenario *s, struct scenario *c)
{
    *c = *s;
    for (int o = 0; o < ORGAN_N; o++) c->par[o] = NULL;
    for (int o = 0; o < ORGAN_N; o++) {
        if (!(c->par[o] = malloc(s->ops[o]->par_size))) {
            psa_release(c);
            return -1;
        }
        memcpy(c->par[o], s->par[o], s->ops[o]->par_size);
    }
    return 0;
}

void psa_release(struct scenario *copy)
{
    for (int o = 0; o < ORGAN_N; o++) {
        free(copy->par[o]);
        copy->par[o] = NULL;
    }
}

static double cdf(const struct entry *x, double v)
{
    const double *f = x->f;
    switch (x->dist) {
    case D_NORMAL: return gsl_cdf_gaussian_P(v - f[F_MEAN], f[F_SD]);
    case D_LOGNORMAL: return v <= 0 ? 0 : gsl_cdf_lognormal_P(v, f[F_MEANLOG], f[F_SDLOG]);
    case D_GAMMA: return v <= 0 ? 0 : gsl_cdf_gamma_P(v, f[F_SHAPE], f[F_SCALE]);
    default: return NAN;
    }
}

static double quantile(const struct entry *x, double u)
{
    const double *f = x->f;
    switch (x->dist) {
    case D_NORMAL: return f[F_MEAN] + gsl_cdf_gaussian_Pinv(u, f[F_SD]);
    case D_LOGNORMAL: return gsl_cdf_lognormal_Pinv(u, f[F_MEANLOG], f[F_SDLOG]);
    case D_GAMMA: return gsl_cdf_gamma_Pinv(u, f[F_SHAPE], f[F_SCALE]);
    default: return NAN;
    }
}

/* One draw of entry x from r. */
static double draw1(const struct entry *x, gsl_rng *r)
{
    const double *f = x->f;
    double v;
    switch (x->dist) {
    case D_NORMAL:
        if (f[F_SD] == 0) return f[F_MEAN];
        if (!x->truncated) return f[F_MEAN] + gsl_ran_gaussian(r, f[F_SD]);
        break;
    case D_LOGNORMAL:
        if (f[F_SDLOG] == 0) return exp(f[F_MEANLOG]);
        if (!x->truncated) return gsl_ran_lognormal(r, f[F_MEANLOG], f[F_SDLOG]);
        break;
    case D_GAMMA:
        if (!x->truncated) return gsl_ran_gamma(r, f[F_SHAPE], f[F_SCALE]);
        break;
    case D_BETA:
        return x->lo + (x->hi - x->lo) * gsl_ran_beta(r, f[F_ALPHA], f[F_BETA]);
    case D_UNIFORM:
        return x->lo == x->hi ? x->lo : gsl_ran_flat(r, x->lo, x->hi);
    case D_TRIANGULAR: {
        double a = x->lo, b = x->hi, c = f[F_MODE];
        if (a == b) return a;
        double u = gsl_rng_uniform(r), fc = (c - a) / (b - a);
        return u < fc ? a + sqrt(u * (b - a) * (c - a)) : b - sqrt((1 - u) * (b - a) * (b - c));
    }
    case D_N: break;
    }
    /* Truncated to [lo, hi]: the quantile of a uniform in (F(lo), F(hi)). */
    v = quantile(x, x->plo + (x->phi - x->plo) * gsl_rng_uniform_pos(r));
    return v < x->lo ? x->lo : v > x->hi ? x->hi : v;
}

/* The support of x for a parameter of definition d (after the defaults of min and max). */
static void support(struct entry *x, const struct pdef *d)
{
    const double *f = x->f;
    double lo = x->have & B(F_MIN) ? f[F_MIN] : d->min, hi = x->have & B(F_MAX) ? f[F_MAX] : d->max;
    switch (x->dist) {
    case D_BETA:
        lo = x->have & B(F_MIN) ? f[F_MIN] : 0;
        hi = x->have & B(F_MAX) ? f[F_MAX] : 1;
        break;
    case D_LOGNORMAL:
    case D_GAMMA:
        if (lo < 0) lo = 0;
        break;
    default: break;
    }
    x->lo = lo, x->hi = hi;
    x->truncated = 0;
    if (x->dist == D_NORMAL || x->dist == D_LOGNORMAL || x->dist == D_GAMMA) {
        x->plo = cdf(x, lo);
        x->phi = cdf(x, hi);
        x->truncated = x->plo > 0 || x->phi < 1;
    }
}

/* The value a degenerate (zero-width) entry always gives, or NAN. */
static double fixed_value(const struct entry *x)
{
    if (x->dist == D_NORMAL && x->f[F_SD] == 0) return x->f[F_MEAN];
    if (x->dist == D_LOGNORMAL && x->f[F_SDLOG] == 0) return exp(x->f[F_MEANLOG]);
    if ((x->dist == D_UNIFORM || x->dist == D_TRIANGULAR) && x->lo == x->hi) return x->lo;
    return NAN;
}

int psa_bind(struct psa *p, const struct scenario *const *variants, int n_variants, struct err *e)
{
    char rngname[32], msg[512];
    p->T = rng_type_by_name(scen_rng_name(variants[0], rngname, sizeof rngname));
    if (!p->T) return err_set(e, ERR_INTERNAL, "unknown RNG %s", rngname);
    p->nv = n_variants;
    for (int j = 0; j < p->n; j++) {
        struct entry *x = &p->e[j];
        free(x->off);
        if (!(x->off = calloc((size_t)n_variants, sizeof *x->off))) return err_set(e, ERR_INTERNAL, "out of memory");
        const struct pdef *d0 = NULL;
        double v0 = 0;
        for (int v = 0; v < n_variants; v++) {
            const struct pdef *d = NULL;
            int target = 0;
            if (!find(variants[v], x->key, &d, &target, &x->off[v])) {
                if (v == 0)
                    return errat(p->path, x->key_mark, x->key, e, "expected a population.* or model.* parameter of the "
                                 "table (see `wlsim check --list`), found an unknown key");
                return errat(p->path, x->key_mark, x->key, e, "expected a parameter of every variant, found none in "
                             "variant %d (%s)", v, variants[v]->name);
            }
            if (d->type != PD_DOUBLE)
                return errat(p->path, x->key_mark, x->key, e, "expected a real-valued parameter, found %s (integers, "
                             "switches and choices cannot be drawn)",
                             d->type == PD_INT ? "an integer" : d->type == PD_BOOL ? "a switch" : "a choice");
            double val = *cslot(variants[v], target, x->off[v]);
            if (v == 0) {
                d0 = d, v0 = val, x->target = target;
            } else if (val != v0) {
                return errat(p->path, x->key_mark, x->key, e, "expected the same value in every variant, found %.15g "
                             "in variant 0 and %.15g in variant %d (%s): a parameter the variants compare cannot be "
                             "uncertain", v0, val, v, variants[v]->name);
            }
        }
        support(x, d0);
        struct mark lm = x->have & B(F_MIN) ? x->fmark[F_MIN] : x->key_mark;
        struct mark hm = x->have & B(F_MAX) ? x->fmark[F_MAX] : x->key_mark;
        if (x->lo < d0->min)
            return errat(p->path, lm, x->key, e, "expected the distribution inside the parameter's range [%.15g, %.15g], "
                         "found a lower end of %.15g%s", d0->min, d0->max, x->lo,
                         x->have & B(F_MIN) ? "" : " (give min)");
        if (x->hi > d0->max)
            return errat(p->path, hm, x->key, e, "expected the distribution inside the parameter's range [%.15g, %.15g], "
                         "found an upper end of %.15g%s", d0->min, d0->max, x->hi,
                         x->have & B(F_MAX) ? "" : " (give max)");
        if (v0 < x->lo || v0 > x->hi)
            return errat(p->path, x->key_mark, x->key, e, "expected a distribution whose range [%.15g, %.15g] contains "
                         "the scenario's value %.15g, found it outside", x->lo, x->hi, v0);
        double fv = fixed_value(x);
        if (!isnan(fv) && (fv < x->lo || fv > x->hi))
            return errat(p->path, x->key_mark, x->key, e, "expected a fixed value inside [%.15g, %.15g], found %.15g",
                         x->lo, x->hi, fv);
        if (x->truncated && isnan(fv) && !(x->phi > x->plo))
            return errat(p->path, x->key_mark, x->key, e, "expected min and max around some of the distribution's "
                         "probability, found [%.15g, %.15g] holding none", x->lo, x->hi);
        /* Each end of the support, this parameter alone: the scenario's checks must hold. */
        double ends[2] = {x->lo, x->hi};
        if (!isnan(fv)) ends[0] = ends[1] = fv;
        for (int v = 0; v < n_variants; v++)
            for (int i = 0; i < 2; i++) {
                if (!isfinite(ends[i])) continue;
                struct scenario c;
                if (copy_of(variants[v], &c)) return err_set(e, ERR_INTERNAL, "out of memory");
                *slot(&c, x->target, x->off[v]) = ends[i];
                int bad = check(&c, msg, sizeof msg);
                psa_release(&c);
                if (bad)
                    return errat(p->path, x->key_mark, x->key, e, "expected a parameter that can vary alone, found "
                                 "that at %.15g variant %d fails a check: %s", ends[i], v, msg);
            }
    }
    return 0;
}

int psa_draw(const struct psa *p, uint64_t seed, int rep, double *v, struct err *e)
{
    gsl_rng *r = p->n ? rng_stream_alloc(p->T, seed, (uint64_t)rep, RNG_PARAMS, p->e[0].sub) : NULL;
    if (p->n && !r) return err_set(e, ERR_INTERNAL, "out of memory (parameter draws)");
    for (int j = 0; j < p->n; j++) {
        rng_stream_reseed(r, seed, (uint64_t)rep, RNG_PARAMS, p->e[j].sub);
        v[j] = draw1(&p->e[j], r);
    }
    if (r) gsl_rng_free(r);
    return 0;
}

int psa_apply(const struct psa *p, const struct scenario *s, int variant, int rep, const double *v,
              struct scenario *copy, struct err *e)
{
    char msg[512];
    if (copy_of(s, copy)) return err_set(e, ERR_INTERNAL, "out of memory");
    for (int j = 0; j < p->n; j++) *slot(copy, p->e[j].target, p->e[j].off[variant]) = v[j];
    if (check(copy, msg, sizeof msg)) {
        psa_release(copy);
        return err_set(e, ERR_INPUT, "%s: replication %d: the drawn parameter values fail a check of variant %d: %s",
                       p->path, rep, variant, msg);
    }
    return 0;
}
