/* scenario.c — YAML scenario loading driven by parameter tables (see scenario.h).
 *
 * The file is read whole (its text is stored in the results), parsed by libyaml into a
 * document, and walked once. Each leaf's dotted path is looked up among the mounted tables;
 * values are type- and range-checked; duplicate keys, unknown keys, wrong node kinds and
 * missing required values are errors. Policies are selected first (policy.<organ>.rule), so
 * that their tables can be mounted before the walk. A file that names `base:` is walked after
 * its base (and the base's base ...), each layer overriding the keys it sets; a key twice in one
 * file is still a duplicate. */
#include "scenario.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "registry.h"
#include "replay.h"
#include "score.h"
#include "scoresec.h"

#ifndef WLSIM_DATADIR
#define WLSIM_DATADIR "scenarios"
#endif

#define ROFF(f) offsetof(struct run_par, f)

static const struct pdef run_pdefs[] = {
    {"horizon.warmup_years", PD_DOUBLE, ROFF(warmup_years), 15, 0, 200, "years", NULL,
     "Simulated years before counting starts, so the list reaches its steady state; discarded.",
     "design: the list starts empty; 15 years bring the heart list to its steady state (docs/model.md)"},
    {"horizon.years", PD_DOUBLE, ROFF(years), NAN, 0.01, 500, "years", NULL,
     "Simulated years counted in the results (required).", "design"},
    {"replications", PD_INT, ROFF(replications), 20, 1, 100000000, "count", NULL,
     "Replications to run when -r is not given.", "design"},
    {"rng", PD_ENUM, ROFF(rng), 4, 0, 0, "", RUN_RNG_CHOICES,
     "Random number generator for every stream: ctr64, wlsim's counter-based one (no state to reseed; the fastest), or a GSL generator. taus2 (the default of earlier versions) reseeds cheaply, mt19937 and the ranlux ones cost 3-4 us per per-candidate reseed (docs/scenario.md, sim/rng.h).", "GSL manual, Random Number Generator Algorithms; sim/rng.h (ctr64); docs/validation.md"},
    {"population.source", PD_ENUM, ROFF(source), 0, 0, 0, "", "synthetic|replay",
     "Where candidates and donors come from: the synthetic generators, or the CSV files named by "
     "population.candidates, .history and .donors (docs/scenario.md, Replay).", "design; docs/scenario.md Replay"},
    {"population.strict", PD_BOOL, ROFF(strict), 0, 0, 1, "", NULL,
     "Replay only: read the history as complete, so that an HU (28/56 days), SU (91; early "
     "re-transplant 61) or NT waiting-time application (61) row without a renewal row lapses when "
     "its validity ends; each lapse in the files is reported once as a warning when the scenario "
     "is loaded (docs/rank.md, --strict). Off: the last row holds.",
     "001 §III.3.2.1; 003 §III.5.2.1, §III.5.5.1, §III.6; design"},
    {"acceptance", PD_ENUM, ROFF(acceptance), 0, 0, 0, "", "model|all",
     "model: offers are accepted by the policy's acceptance model; all: the first eligible candidate "
     "accepts every offer (a deterministic replay).", "design; docs/scenario.md Replay"},
    {"allocation.max_offers", PD_DOUBLE, ROFF(max_offers), 8, 0, 1e6, "offers", NULL,
     "Offers per organ after which it is discarded (0: offer down the whole list; a fraction counts up: 2.5 allows 3).",
     "docs/calibration.md: pancreata withdrawn after a median of 8 offers (2005-2009)"},
    {"output.series_days", PD_DOUBLE, ROFF(series_days), 30.4375, 0, 36525, "days", NULL,
     "Interval of the /series snapshots of list size by status, warm-up included (0: none).", "design"},
};
#define N_RUN (sizeof run_pdefs / sizeof run_pdefs[0])

/* An organ's name in scenario keys (policy.<name>.rule) and where its parameters are mounted. */
#define ORGAN_KEY(o) (registry_organ((enum organ)(o))->name)
#define POLICY_PREFIX(o) (registry_organ((enum organ)(o))->rule_prefix)
#define MODEL_PREFIX(o) (registry_organ((enum organ)(o))->model_prefix)

/* The replay file keys, in the order of struct scenario's replay_files. */
static const char *const REPLAY_KEYS[3] = {"population.candidates", "population.history",
                                           "population.donors"};
/* The replication whose random streams a replay's first replication uses (wlsim export). */
#define RREP_KEY "population.replication"

#define MAX_MOUNTS (2 + 2 * ORGAN_N)
/* A scenario and the chain of files it names with `base:` (docs/scenario.md, Base files). */
#define SCEN_MAX_LAYERS 8
/* The line that starts each layer of a scenario text stored with its bases inlined. */
static const char LAYER_MARK[] = "#%wlsim-layer ";
#define KEY_MAX 256

struct mount {
    const char *prefix;       /* with trailing dot, or "" */
    const struct pdef *defs;
    size_t n;
    void *base;
    yaml_mark_t *marks;       /* where each def was set; line 0 = not seen (marks are 0-based, +1) */
    unsigned char *seen;      /* 0 not seen, else 1 + the layer that set it last */
};

struct loader {
    const char *path;         /* the file of the layer being walked (messages) */
    struct scenario *s;
    struct err *e;
    yaml_document_t *doc;     /* the layer being walked */
    int layer;                /* its index: 0 the deepest base, last the file itself */
    int top;                  /* index of the file itself */
    const char *layer_path[SCEN_MAX_LAYERS];
    struct mount m[MAX_MOUNTS];
    int nm;
    yaml_mark_t special_mark;
    yaml_mark_t replay_marks[3];
    int replay_seen[3];
    yaml_mark_t rrep_mark;    /* population.replication */
    int rrep_seen;
    int score_seen[ORGAN_N];  /* policy.<organ>.score read: 1 + the layer that gave it, 0 none */
};

static int errat(struct loader *L, yaml_mark_t mk, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int errat(struct loader *L, yaml_mark_t mk, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = err_at_v(L->e, L->path, mk.line + 1, mk.column + 1, key, fmt, ap);
    va_end(ap);
    return rc;
}

static const char *node_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_MAPPING_NODE: return "a mapping";
    case YAML_SEQUENCE_NODE: return "a sequence";
    default: return "a value";
    }
}

static const char *scalar(const yaml_node_t *n) { return (const char *)n->data.scalar.value; }

static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return 0;
    const char *v = scalar(n);
    return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 || strcmp(v, "Null") == 0 ||
           strcmp(v, "NULL") == 0;
}

static int quoted(const yaml_node_t *n)
{
    return n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
           n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
}

/* "found" text for messages: the scalar in quotes, or the node kind. */
static const char *found(const yaml_node_t *n, char *buf, size_t len)
{
    if (n->type != YAML_SCALAR_NODE) return node_kind(n);
    if (is_null(n)) return "nothing (null)";
    snprintf(buf, len, quoted(n) ? "the string \"%.60s\"" : "'%.60s'", scalar(n));
    return buf;
}

static const char *type_word(const struct pdef *d)
{
    switch (d->type) {
    case PD_INT: return "an integer";
    case PD_DOUBLE: return "a number";
    case PD_BOOL: return "true or false";
    default: return "one of";
    }
}

/* Parses scalar node v for definition d into the struct at base. */
static int parse_scalar(struct loader *L, const char *key, const struct pdef *d, void *p,
                        const yaml_node_t *v)
{
    char fb[96];
    char *end = NULL;
    if (v->type != YAML_SCALAR_NODE || is_null(v) ||
        (quoted(v) && d->type != PD_ENUM)) {
        if (d->type == PD_ENUM)
            return errat(L, v->start_mark, key, "expected one of %s, found %s", d->choices, found(v, fb, sizeof fb));
        return errat(L, v->start_mark, key, "expected %s, found %s", type_word(d), found(v, fb, sizeof fb));
    }
    const char *s = scalar(v);
    switch (d->type) {
    case PD_INT: {
        errno = 0;
        long x = strtol(s, &end, 10);
        if (errno || end == s || *end)
            return errat(L, v->start_mark, key, "expected an integer, found '%s'", s);
        if (x < d->min || x > d->max)
            return errat(L, v->start_mark, key, "expected an integer in [%.15g, %.15g]%s%s, found %ld",
                         d->min, d->max, *d->unit ? " " : "", d->unit, x);
        *(int *)p = (int)x;
        break;
    }
    case PD_DOUBLE: {
        errno = 0;
        double x = pdef_decimal_syntax(s) ? strtod(s, &end) : NAN;
        if (errno || isnan(x) || end == s || *end || !isfinite(x))
            return errat(L, v->start_mark, key, "expected a number, found '%s'", s);
        if (x < d->min || x > d->max)
            return errat(L, v->start_mark, key, "expected a number in [%.15g, %.15g]%s%s, found %s",
                         d->min, d->max, *d->unit ? " " : "", d->unit, s);
        *(double *)p = x;
        break;
    }
    case PD_BOOL: {
        static const char *const T[] = {"true", "True", "TRUE", "yes", "on", "1"};
        static const char *const F[] = {"false", "False", "FALSE", "no", "off", "0"};
        int b = -1;
        for (int i = 0; i < 6; i++) {
            if (strcmp(s, T[i]) == 0) b = 1;
            if (strcmp(s, F[i]) == 0) b = 0;
        }
        if (b < 0) return errat(L, v->start_mark, key, "expected true or false, found '%s'", s);
        *(int *)p = b;
        break;
    }
    case PD_ENUM: {
        int i = pdef_choice_index(d, s);
        if (i < 0) return errat(L, v->start_mark, key, "expected one of %s, found '%s'", d->choices, s);
        *(int *)p = i;
        break;
    }
    }
    return 0;
}

static int set_value(struct loader *L, const char *key, const struct pdef *d, void *base,
                     const yaml_node_t *v)
{
    return parse_scalar(L, key, d, (char *)base + d->offset, v);
}

/* Finds the definition for full key `key`; *mi, *di receive its place. Returns 1 if found. */
static int lookup(struct loader *L, const char *key, int *mi, size_t *di)
{
    for (int i = 0; i < L->nm; i++) {
        size_t pl = strlen(L->m[i].prefix);
        if (strncmp(key, L->m[i].prefix, pl) != 0) continue;
        for (size_t j = 0; j < L->m[i].n; j++)
            if (strcmp(key + pl, L->m[i].defs[j].name) == 0) {
                *mi = i;
                *di = j;
                return 1;
            }
    }
    return 0;
}

/* 1 if some known key lies below `key.` (so `key` should be a mapping). */
static int is_section(struct loader *L, const char *key)
{
    size_t kl = strlen(key);
    static const char *const extra[] = {"policy.heart", "policy.pancreas", "policy", "model",
                                        "model.heart", "model.pancreas"};
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
        if (strcmp(key, extra[i]) == 0) return 1;
    for (int i = 0; i < L->nm; i++)
        for (size_t j = 0; j < L->m[i].n; j++) {
            char full[KEY_MAX];
            snprintf(full, sizeof full, "%s%s", L->m[i].prefix, L->m[i].defs[j].name);
            if (strncmp(full, key, kl) == 0 && full[kl] == '.') return 1;
        }
    return 0;
}

static int copy_string(struct loader *L, const char *key, const yaml_node_t *v, char *dst, size_t len)
{
    char fb[96];
    if (v->type != YAML_SCALAR_NODE || is_null(v))
        return errat(L, v->start_mark, key, "expected a text, found %s", found(v, fb, sizeof fb));
    if (strlen(scalar(v)) >= len)
        return errat(L, v->start_mark, key, "expected a text of at most %zu characters, found %zu",
                     len - 1, strlen(scalar(v)));
    snprintf(dst, len, "%s", scalar(v));
    return 0;
}

/* Edit distance between a and b (insertions, deletions, substitutions), capped at 99. */
static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 95 || lb > 95) return 99;
    int row[96];
    for (size_t j = 0; j <= lb; j++) row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* What an unknown key `key` may have meant, appended to the message in buf: the rule whose table
 * holds it when another policy than the selected one does (policy.<organ>. and model.<organ>.
 * keys depend on the rule), else the nearest known key when it is close (a typo). */
static const char *unknown_hint(struct loader *L, const char *key, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int o = 0; o < ORGAN_N; o++) {
        const char *pre[2] = {POLICY_PREFIX(o), MODEL_PREFIX(o)};
        for (int t = 0; t < 2; t++) {
            size_t pl = strlen(pre[t]);
            if (strncmp(key, pre[t], pl) != 0) continue;
            const struct policy_ops *ops;
            for (size_t i = 0; (ops = registry_get((enum organ)o, i)); i++) {
                if (ops == L->s->ops[o]) continue;
                const struct pdef *defs = t ? ops->model_pdefs : ops->rule_pdefs;
                size_t n = t ? ops->n_model_pdefs : ops->n_rule_pdefs;
                for (size_t j = 0; j < n; j++)
                    if (strcmp(key + pl, defs[j].name) == 0) {
                        snprintf(buf, len, " of policy.%s.rule: %s (this file's rule is %s)", ORGAN_KEY(o),
                                 ops->name, L->s->ops[o]->name);
                        return buf;
                    }
            }
        }
    }
    int best = 99, near_mount = 0;
    char near[KEY_MAX] = "";
    for (int i = 0; i < L->nm; i++)
        for (size_t j = 0; j < L->m[i].n; j++) {
            char full[KEY_MAX];
            snprintf(full, sizeof full, "%s%s", L->m[i].prefix, L->m[i].defs[j].name);
            int d = edit_distance(key, full);
            if (d < best) {
                best = d;
                near_mount = i;
                snprintf(near, sizeof near, "%s", full);
            }
        }
    int allowed = (int)strlen(key) / 4;
    if (allowed < 2) allowed = 2;
    if (best > allowed) return buf;
    if (near_mount >= 2) { /* a key of the selected rule (mounts 2.. are the organs' tables) */
        int o = (near_mount - 2) / 2;
        snprintf(buf, len, "; did you mean %s (of policy.%s.rule: %s)?", near, ORGAN_KEY(o), L->s->ops[o]->name);
    } else snprintf(buf, len, "; did you mean %s?", near);
    return buf;
}

static int leaf(struct loader *L, const char *key, const yaml_node_t *k, const yaml_node_t *v)
{
    char fb[96];
    /* A base's name and description describe the base, not the file that builds on it. */
    char ignored[sizeof L->s->description];
    if (strcmp(key, "name") == 0)
        return copy_string(L, key, v, L->layer == L->top ? L->s->name : ignored, sizeof L->s->name);
    if (strcmp(key, "description") == 0)
        return copy_string(L, key, v, L->layer == L->top ? L->s->description : ignored,
                           sizeof L->s->description);
    if (strcmp(key, "seed") == 0) {
        char *end;
        if (v->type != YAML_SCALAR_NODE || is_null(v) || quoted(v))
            return errat(L, v->start_mark, key, "expected an integer in [1, 2^64-1], found %s", found(v, fb, sizeof fb));
        errno = 0;
        const char *s = scalar(v);
        unsigned long long x = strtoull(s, &end, 10);
        if (errno || end == s || *end || s[0] == '-' || x == 0)
            return errat(L, v->start_mark, key, "expected an integer in [1, 2^64-1], found '%s'", s);
        L->s->seed = (uint64_t)x;
        return 0;
    }
    if (strcmp(key, "policy.heart.rule") == 0 || strcmp(key, "policy.pancreas.rule") == 0)
        return 0; /* handled before the walk */
    for (int i = 0; i < 3; i++)
        if (strcmp(key, REPLAY_KEYS[i]) == 0) {
            L->replay_marks[i] = v->start_mark;
            L->replay_seen[i] = 1;
            return copy_string(L, key, v, L->s->replay_files[i], sizeof L->s->replay_files[i]);
        }
    if (strcmp(key, RREP_KEY) == 0) {
        /* Not a parameter of the table: it names where a replay's data came from (like the
         * file keys) and changes no rule, so /parameters stays the same for every run. */
        char *end;
        if (L->rrep_seen == L->layer + 1)
            return errat(L, k->start_mark, key, "expected each key once, found a duplicate (first at line %zu)",
                         L->rrep_mark.line + 1);
        L->rrep_mark = v->start_mark;
        L->rrep_seen = L->layer + 1;
        if (v->type != YAML_SCALAR_NODE || is_null(v) || quoted(v))
            return errat(L, v->start_mark, key, "expected an integer in [0, 100000000], found %s",
                         found(v, fb, sizeof fb));
        errno = 0;
        long x = strtol(scalar(v), &end, 10);
        if (errno || end == scalar(v) || *end || x < 0 || x > 100000000)
            return errat(L, v->start_mark, key, "expected an integer in [0, 100000000], found '%s'", scalar(v));
        L->s->replay_replication = (int)x;
        return 0;
    }
    int mi;
    size_t di;
    if (!lookup(L, key, &mi, &di)) {
        if (is_section(L, key))
            return errat(L, v->start_mark, key, "expected a mapping, found %s", found(v, fb, sizeof fb));
    {
        char hint[KEY_MAX + 96];
        unknown_hint(L, key, hint, sizeof hint);
        if (strncmp(hint, " of ", 4) == 0)
            return errat(L, k->start_mark, key, "expected a known key (see `wlsim check --list`), found a key%s", hint);
        return errat(L, k->start_mark, key, "expected a known key (see `wlsim check --list`), found an unknown key%s", hint);
    }
    }
    struct mount *m = &L->m[mi];
    if (m->seen[di] == L->layer + 1) /* the same key twice in one file (nested and dotted) */
        return errat(L, k->start_mark, key, "expected each key once, found a duplicate (first at line %zu)",
                     m->marks[di].line + 1);
    m->seen[di] = (unsigned char)(L->layer + 1); /* a later layer overrides its bases */
    m->marks[di] = v->start_mark;
    return set_value(L, key, &m->defs[di], m->base, v);
}

/* Keys of the run table that are one for the whole run: the runner takes them from variant 0
 * (replications, the RNG recorded in the file) or they decide where the data come from. */
static int is_run_level(const char *name)
{
    return !strcmp(name, "replications") || !strcmp(name, "rng") || !strcmp(name, "population.source");
}

/* `sweep:` — a mapping of full parameter keys to sequences of values. Values are checked like
 * any other value of that key; the grid is expanded later by scen_expand(). */
static int parse_sweep(struct loader *L, const yaml_node_t *map)
{
    char fb[96];
    if (map->type != YAML_MAPPING_NODE)
        return errat(L, map->start_mark, "sweep", "expected a mapping of parameter: [values], found %s",
                     found(map, fb, sizeof fb));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        if (k->type != YAML_SCALAR_NODE)
            return errat(L, k->start_mark, "sweep", "expected a parameter key, found %s", node_kind(k));
        char key[KEY_MAX];
        snprintf(key, sizeof key, "sweep.%s", scalar(k));
        for (int a = 0; a < L->s->n_axes; a++)
            if (strcmp(L->s->axes[a].key, scalar(k)) == 0)
                return errat(L, k->start_mark, key, "expected each key once, found a duplicate");
        int mi;
        size_t di;
        if (!lookup(L, scalar(k), &mi, &di))
        {
            char hint[KEY_MAX + 96];
            unknown_hint(L, scalar(k), hint, sizeof hint);
            return errat(L, k->start_mark, key, "expected a known parameter key (see `wlsim check --list`), found %s%s",
                         strncmp(hint, " of ", 4) == 0 ? "a key" : "an unknown key", hint);
        }
        if (mi == 0 && is_run_level(L->m[0].defs[di].name))
            return errat(L, k->start_mark, key, "expected a parameter a variant may change, found a setting of the "
                         "whole run (replications, rng and population.source are one for all variants)");
        if (L->s->n_axes == SWEEP_MAX_AXES)
            return errat(L, k->start_mark, key, "expected at most %d sweep axes, found more", SWEEP_MAX_AXES);
        if (v->type != YAML_SEQUENCE_NODE)
            return errat(L, v->start_mark, key, "expected a list of values [a, b, ...], found %s", found(v, fb, sizeof fb));
        int nv = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (nv < 1 || nv > SWEEP_MAX_VALUES)
            return errat(L, v->start_mark, key, "expected 1 to %d values, found %d", SWEEP_MAX_VALUES, nv);
        size_t points = (size_t)nv;
        for (int a = 0; a < L->s->n_axes; a++) points *= (size_t)L->s->axes[a].n; /* <= 64^8: no overflow */
        if (points > SWEEP_MAX_POINTS)
            return errat(L, v->start_mark, key, "expected at most %d grid points in all, found %zu with this axis",
                         SWEEP_MAX_POINTS, points);
        struct sweep_axis *ax = &L->s->axes[L->s->n_axes++];
        snprintf(ax->key, sizeof ax->key, "%s", scalar(k));
        ax->def = &L->m[mi].defs[di];
        ax->target = mi < 2 ? mi : 2 + (mi - 2) / 2;
        ax->n = nv;
        for (int j = 0; j < nv; j++) {
            yaml_node_t *item = yaml_document_get_node(L->doc, v->data.sequence.items.start[j]);
            if (parse_scalar(L, key, ax->def, &ax->v[j], item)) return L->e->code;
            snprintf(ax->text[j], sizeof ax->text[j], "%s", scalar(item));
        }
    }
    return 0;
}


/* `policy.<organ>.score:` — the declared order of a score policy (sim/scoresec.h). */
static int score_section(struct loader *L, enum organ o, const char *key, const yaml_node_t *k,
                         const yaml_node_t *v)
{
    /* A base's score section is replaced by a later file's (each file of a base: chain is
     * walked in turn, deepest base first); twice in one file is a duplicate. */
    if (L->score_seen[o] == L->layer + 1)
        return errat(L, k->start_mark, key, "expected each key once, found a duplicate");
    if (!score_is(L->s->ops[o]))
        return errat(L, k->start_mark, key, "expected no score section unless policy.%s.rule is "
                     "score, found one (rule is %s)", ORGAN_KEY(o), L->s->ops[o]->name);
    L->score_seen[o] = L->layer + 1;
    return scoresec_parse(L->path, L->doc, v, key, o, score_prog_of(L->s->par[o], o), L->e);
}

static int walk(struct loader *L, yaml_node_t *map, const char *prefix)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(L->doc, p->value);
        char fb[96];
        if (k->type != YAML_SCALAR_NODE)
            return errat(L, k->start_mark, *prefix ? prefix : "(top level)", "expected a key, found %s", node_kind(k));
        char key[KEY_MAX];
        if (snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", scalar(k)) >= (int)sizeof key)
            return errat(L, k->start_mark, scalar(k), "expected a key shorter than %d characters, found a longer one", KEY_MAX);
        for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = yaml_document_get_node(L->doc, q->key);
            if (k2->type == YAML_SCALAR_NODE && strcmp(scalar(k2), scalar(k)) == 0)
                return errat(L, k->start_mark, key, "expected each key once, found a duplicate (first at line %zu)",
                             k2->start_mark.line + 1);
        }
        int mi;
        size_t di;
        int so = -1; /* the organ whose score section this is, if it is one */
        for (int o = 0; o < ORGAN_N && so < 0; o++) {
            size_t n = strlen(POLICY_PREFIX(o));
            if (strncmp(key, POLICY_PREFIX(o), n) == 0 && strcmp(key + n, "score") == 0) so = o;
        }
        if (so >= 0) {
            if (score_section(L, (enum organ)so, key, k, v)) return L->e->code;
            continue;
        }
        if (strcmp(key, "sweep") == 0) {
            if (L->layer != L->top)
                return errat(L, k->start_mark, key, "expected no sweep in a base file (put it in the "
                             "file that names the base), found one");
            if (parse_sweep(L, v)) return L->e->code;
            continue;
        }
        if (strcmp(key, "base") == 0) { /* resolved before the walk (scen_load_text) */
            if (v->type != YAML_SCALAR_NODE || is_null(v))
                return errat(L, v->start_mark, key, "expected a scenario file or name, found %s",
                             found(v, fb, sizeof fb));
            continue;
        }
        if (v->type == YAML_MAPPING_NODE) {
            if (lookup(L, key, &mi, &di) || !strcmp(key, "name") || !strcmp(key, "seed") ||
                !strcmp(key, "description") || !strcmp(key, "policy.heart.rule") ||
                !strcmp(key, "policy.pancreas.rule")) {
                const struct pdef *d = lookup(L, key, &mi, &di) ? &L->m[mi].defs[di] : NULL;
                return errat(L, v->start_mark, key, "expected %s, found a mapping",
                             d ? (d->type == PD_ENUM ? "one of the choices" : type_word(d)) : "a value");
            }
            if (walk(L, v, key)) return L->e->code;
        } else if (v->type == YAML_SEQUENCE_NODE) {
            return errat(L, v->start_mark, key, "expected %s, found a sequence",
                         is_section(L, key) ? "a mapping" : "a value");
        } else {
            (void)fb;
            if (leaf(L, key, k, v)) return L->e->code;
        }
    }
    return 0;
}

/* Finds the node at dotted path `path` (mappings only); NULL if absent. */
static yaml_node_t *find_path(struct loader *L, yaml_node_t *n, const char *path)
{
    char part[KEY_MAX];
    while (n && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        snprintf(part, sizeof part, "%.*s", (int)len, path);
        path += len + (dot ? 1 : 0);
        if (n->type != YAML_MAPPING_NODE) return NULL;
        yaml_node_t *next = NULL;
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
            yaml_node_t *k = yaml_document_get_node(L->doc, p->key);
            if (k->type == YAML_SCALAR_NODE && strcmp(scalar(k), part) == 0) {
                next = yaml_document_get_node(L->doc, p->value);
                break;
            }
        }
        n = next;
    }
    return n;
}

static int add_mount(struct loader *L, const char *prefix, const struct pdef *defs, size_t n, void *base)
{
    struct mount *m = &L->m[L->nm++];
    m->prefix = prefix;
    m->defs = defs;
    m->n = n;
    m->base = base;
    m->seen = calloc(n ? n : 1, 1);
    m->marks = calloc(n ? n : 1, sizeof *m->marks);
    if (!m->seen || !m->marks) return err_set(L->e, ERR_INTERNAL, "out of memory loading %s", L->path);
    for (size_t i = 0; i < n; i++)
        if (!isnan(defs[i].def)) {
            char *p = (char *)base + defs[i].offset;
            if (defs[i].type == PD_DOUBLE) *(double *)p = defs[i].def;
            else *(int *)p = (int)defs[i].def;
        }
    return 0;
}


/* One file of a scenario: the file itself or one of the bases it names. */
struct layer {
    char *path;
    char *text;
    yaml_document_t doc;
    int have_doc;
    yaml_node_t *root;
};

/* Selects each organ's policy: the rule named by the last layer that names one, else the
 * registry's default. */
static int select_policies(struct loader *L, struct layer *ly, int n)
{
    for (int o = 0; o < ORGAN_N; o++) {
        char key[64], names[256], fb[96];
        snprintf(key, sizeof key, "policy.%s.rule", ORGAN_KEY(o));
        yaml_node_t *v = NULL;
        for (int i = n - 1; i >= 0 && !v; i--) {
            L->doc = &ly[i].doc;
            L->path = ly[i].path;
            v = find_path(L, ly[i].root, key);
        }
        const struct policy_ops *ops = registry_get((enum organ)o, 0);
        if (v) {
            registry_names((enum organ)o, names, sizeof names);
            if (v->type != YAML_SCALAR_NODE || is_null(v))
                return errat(L, v->start_mark, key, "expected one of %s, found %s", names, found(v, fb, sizeof fb));
            ops = registry_find((enum organ)o, scalar(v));
            if (!ops)
                return errat(L, v->start_mark, key, "expected one of %s, found '%s'", names, scalar(v));
        }
        L->s->ops[o] = ops;
        L->s->par[o] = calloc(1, ops->par_size);
        if (!L->s->par[o]) return err_set(L->e, ERR_INTERNAL, "out of memory loading %s", L->path);
    }
    return 0;
}

/* The mark of the first seen key that starts with the key named at the head of msg. */
static yaml_mark_t locate(struct loader *L, const char *msg, yaml_mark_t fallback, const char **path)
{
    *path = L->layer_path[L->top];
    char head[KEY_MAX];
    size_t n = strcspn(msg, ": ");
    snprintf(head, sizeof head, "%.*s", (int)n, msg);
    for (int i = 0; i < L->nm; i++)
        for (size_t j = 0; j < L->m[i].n; j++) {
            char full[KEY_MAX];
            snprintf(full, sizeof full, "%s%s", L->m[i].prefix, L->m[i].defs[j].name);
            if (L->m[i].seen[j] && strncmp(full, head, strlen(head)) == 0) {
                *path = L->layer_path[L->m[i].seen[j] - 1];
                return L->m[i].marks[j];
            }
        }
    return fallback;
}

/* Line and column (1-based) of byte `off` of text, for messages about raw bytes. */
static void line_col(const char *text, size_t off, size_t *line, size_t *col)
{
    *line = 1, *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') (*line)++, *col = 1;
        else (*col)++;
    }
}

/* Reads the scenario file whole. Only a regular file of at most SCEN_MAX_BYTES is read (a FIFO
 * or a device would block or never end; the size is checked before anything is allocated),
 * and a NUL byte is refused: everything after it would be silently ignored. */
static int read_file(const char *path, char **text, size_t *len, struct err *e)
{
    struct stat st;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer before fstat can refuse it. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return err_set(e, ERR_INPUT, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, ERR_INPUT, "%s:1:1: (file): expected a regular scenario file, found %s", path,
                       S_ISDIR(st.st_mode) ? "a directory" : "a device, FIFO or socket");
    }
    if (st.st_size > SCEN_MAX_BYTES) {
        close(fd);
        return err_set(e, ERR_INPUT, "%s:1:1: (file): expected a scenario of at most %d bytes, found %lld bytes",
                       path, SCEN_MAX_BYTES, (long long)st.st_size);
    }
    size_t cap = (size_t)st.st_size + 1; /* one byte more than the size: a file that grows is seen */
    char *buf = malloc(cap + 1);
    size_t n = 0;
    int bad = 0;
    while (buf && n < cap) {
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) bad = errno;
        if (got <= 0) break;
        n += (size_t)got;
    }
    close(fd);
    if (!buf) return err_set(e, ERR_INTERNAL, "%s: out of memory", path);
    if (bad || n == cap) {
        free(buf);
        if (bad) return err_set(e, ERR_INPUT, "%s: read error: %s", path, strerror(bad));
        return err_set(e, ERR_INPUT, "%s:1:1: (file): expected a file that does not change while it is read, found "
                       "it growing", path);
    }
    const char *nul = memchr(buf, '\0', n);
    if (nul) {
        size_t line, col;
        line_col(buf, (size_t)(nul - buf), &line, &col);
        free(buf);
        return err_set(e, ERR_INPUT, "%s:%zu:%zu: (file): expected text, found a NUL byte", path, line, col);
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* The YAML features a scenario does not use, refused before the document is built: nesting
 * deeper than SCEN_MAX_DEPTH (libyaml's cost grows with the square of the depth), a second
 * document (it would be ignored), explicit tags (`!!str 0.2` would be read as the number 0.2),
 * and anchors and aliases (a few lines could stand for an exponential tree). The stream is
 * parsed event by event and abandoned at the first refusal, so a hostile file costs little. */
static int prescan(const char *path, const char *text, size_t len, struct err *e)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int depth = 0, docs = 0, rc = 0, done = 0;
    if (!yaml_parser_initialize(&p)) return err_set(e, ERR_INTERNAL, "yaml: cannot initialise parser");
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done && !rc) {
        if (!yaml_parser_parse(&p, &ev)) break; /* the loader reports syntax errors */
        yaml_mark_t mk = ev.start_mark;
        const char *what = NULL;
        const unsigned char *tag = NULL, *anchor = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = 1; break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) what = "expected one YAML document, found a second one";
            break;
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (++depth > SCEN_MAX_DEPTH) what = "expected nesting at most " SCEN_MAX_DEPTH_TEXT " levels deep, found deeper";
            tag = ev.type == YAML_MAPPING_START_EVENT ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
            anchor = ev.type == YAML_MAPPING_START_EVENT ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT: depth--; break;
        case YAML_SCALAR_EVENT:
            tag = ev.data.scalar.tag;
            anchor = ev.data.scalar.anchor;
            break;
        case YAML_ALIAS_EVENT: what = "expected a value, found an alias (*name): anchors and aliases are not supported"; break;
        default: break;
        }
        if (!what && tag) what = "expected a value without a YAML tag, found a tag (such as !!str)";
        if (!what && anchor) what = "expected a value, found an anchor (&name): anchors and aliases are not supported";
        if (what)
            rc = err_set(e, ERR_INPUT, "%s:%zu:%zu: (yaml): %s", path, mk.line + 1, mk.column + 1, what);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

static int warn_lapses(const struct scenario *s, const char *path, struct err *e);

static void default_name(struct scenario *s)
{
    const char *base = strrchr(s->path, '/');
    base = base ? base + 1 : s->path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0) n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0) n -= 4;
    snprintf(s->name, sizeof s->name, "%.*s", (int)n, base);
}

int scen_load(const char *path, struct scenario **out, struct err *e)
{
    char *text = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = read_file(path, &text, &len, e);
    if (!rc) rc = scen_load_text(path, text, out, e);
    free(text);
    return rc;
}

/* Parses ly->text into ly->doc; the root must be a mapping. */
static int parse_layer(struct loader *L, struct layer *ly)
{
    yaml_parser_t parser;
    int rc = 0;
    L->path = ly->path;
    size_t len = strlen(ly->text);
    if (len > (size_t)SCEN_MAX_BYTES)
        return err_set(L->e, ERR_INPUT, "%s:1:1: (file): expected a scenario of at most %d bytes, found %zu bytes",
                       ly->path, SCEN_MAX_BYTES, len);
    if ((rc = prescan(ly->path, ly->text, len, L->e))) return rc;
    if (!yaml_parser_initialize(&parser)) return err_set(L->e, ERR_INTERNAL, "yaml: cannot initialise parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)ly->text, len);
    if (!yaml_parser_load(&parser, &ly->doc)) {
        rc = err_set(L->e, ERR_INPUT, "%s:%zu:%zu: (yaml): expected well-formed YAML, found an error: %s%s%s",
                     ly->path, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                     parser.problem ? parser.problem : "unknown", parser.context ? " " : "",
                     parser.context ? parser.context : "");
        goto cleanup;
    }
    ly->have_doc = 1;
    ly->root = yaml_document_get_root_node(&ly->doc);
    if (!ly->root) {
        rc = err_set(L->e, ERR_INPUT, "%s:1:1: (top level): expected a mapping of settings, found an empty file", ly->path);
        goto cleanup;
    }
    if (ly->root->type != YAML_MAPPING_NODE)
        rc = errat(L, ly->root->start_mark, "(top level)", "expected a mapping of settings, found %s",
                   node_kind(ly->root));
cleanup:
    yaml_parser_delete(&parser);
    return rc;
}

static int file_readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

/* Where `base: NAME` in the file `from` points: NAME relative to from's folder (or absolute);
 * else, for a bare name, a shipped scenario NAME or NAME.yaml in $WLSIM_SCENARIO_DIR,
 * ./scenarios or the installed WLSIM_DATADIR. Returns 1 and the path in buf, or 0. */
static int find_base(const char *from, const char *name, char *buf, size_t len)
{
    const char *slash = strrchr(from, '/');
    if (name[0] == '/') snprintf(buf, len, "%s", name);
    else if (slash) snprintf(buf, len, "%.*s/%s", (int)(slash - from), from, name);
    else snprintf(buf, len, "%s", name);
    if (file_readable(buf)) return 1;
    if (strchr(name, '/')) return 0;
    const char *env = getenv("WLSIM_SCENARIO_DIR");
    const char *dirs[3] = {env && *env ? env : NULL, "scenarios", WLSIM_DATADIR};
    size_t nl = strlen(name);
    int has_ext = (nl > 5 && strcmp(name + nl - 5, ".yaml") == 0) || (nl > 4 && strcmp(name + nl - 4, ".yml") == 0);
    for (int i = 0; i < 3; i++) {
        if (!dirs[i]) continue;
        snprintf(buf, len, "%s/%s%s", dirs[i], name, has_ext ? "" : ".yaml");
        if (file_readable(buf)) return 1;
    }
    return 0;
}

/* The value of the top-level `base:` key of a layer, or NULL. */
static yaml_node_t *base_node(struct loader *L, struct layer *ly)
{
    L->doc = &ly->doc;
    L->path = ly->path;
    return find_path(L, ly->root, "base");
}

/* Splits a stored text into its layers (each starts with a LAYER_MARK line naming its file),
 * or takes it whole as one layer, then reads the files named by `base:` in front of it. */
static int load_layers(struct loader *L, const char *path, const char *text, unsigned flags, struct layer *ly,
                       int *n)
{
    int rc = 0;
    *n = 0;
    if (strncmp(text, LAYER_MARK, sizeof LAYER_MARK - 1) != 0) {
        ly[0].path = strdup(path);
        ly[0].text = strdup(text);
        *n = 1;
        if (!ly[0].path || !ly[0].text) return err_set(L->e, ERR_INTERNAL, "out of memory");
    } else {
        const char *p = text;
        while (*p) {
            if (*n == SCEN_MAX_LAYERS || strncmp(p, LAYER_MARK, sizeof LAYER_MARK - 1) != 0)
                return err_set(L->e, ERR_INPUT, "%s: stored scenario: expected at most %d layers each "
                               "starting with '%s', found other text", path, SCEN_MAX_LAYERS, LAYER_MARK);
            const char *nm = p + sizeof LAYER_MARK - 1, *eol = strchr(nm, '\n');
            if (!eol) eol = nm + strlen(nm);
            const char *body = *eol ? eol + 1 : eol, *next = body;
            while (*next && strncmp(next, LAYER_MARK, sizeof LAYER_MARK - 1) != 0) {
                const char *nl = strchr(next, '\n');
                next = nl ? nl + 1 : next + strlen(next);
            }
            struct layer *y = &ly[(*n)++];
            y->path = strndup(nm, (size_t)(eol - nm));
            y->text = strndup(body, (size_t)(next - body));
            if (!y->path || !y->text) return err_set(L->e, ERR_INTERNAL, "out of memory");
            p = next;
        }
    }
    for (int i = 0; i < *n; i++)
        if ((rc = parse_layer(L, &ly[i]))) return rc;
    /* The first layer's base (a stored text has its bases inlined: only a file read from disk
     * names one here). */
    for (yaml_node_t *b; (b = base_node(L, &ly[0]));) {
        char fb[96], found_path[1024];
        if (b->type != YAML_SCALAR_NODE || is_null(b))
            return errat(L, b->start_mark, "base", "expected a scenario file or name, found %s", found(b, fb, sizeof fb));
        if (flags & SCEN_CONFINE_PATHS) /* an untrusted stored text has its bases inlined: read no file for it */
            return errat(L, b->start_mark, "base", "expected no base in a stored scenario (its bases are stored "
                         "with it), found '%s'", scalar(b));
        if (*n == SCEN_MAX_LAYERS)
            return errat(L, b->start_mark, "base", "expected a chain of at most %d files, found a longer one "
                         "(or a file that is its own base)", SCEN_MAX_LAYERS);
        if (!find_base(ly[0].path, scalar(b), found_path, sizeof found_path) || strchr(found_path, '\n'))
            return errat(L, b->start_mark, "base", "expected a scenario file (relative to this file's folder) or "
                         "the name of a shipped scenario, found '%s' (no such file)", scalar(b));
        memmove(ly + 1, ly, (size_t)*n * sizeof *ly);
        memset(ly, 0, sizeof *ly);
        (*n)++;
        size_t len;
        if (!(ly[0].path = strdup(found_path))) return err_set(L->e, ERR_INTERNAL, "out of memory");
        if ((rc = read_file(found_path, &ly[0].text, &len, L->e))) return rc;
        if ((rc = parse_layer(L, &ly[0]))) return rc;
    }
    return 0;
}

/* The text stored in results: the file as written, or, with bases, every layer behind a
 * LAYER_MARK line, so that the stored text loads without the base files. */
static char *layers_text(const struct layer *ly, int n)
{
    if (n == 1) return strdup(ly[0].text);
    size_t len = 1;
    for (int i = 0; i < n; i++) len += sizeof LAYER_MARK + strlen(ly[i].path) + strlen(ly[i].text) + 2;
    char *t = malloc(len), *p = t;
    if (!t) return NULL;
    for (int i = 0; i < n; i++) {
        size_t tl = strlen(ly[i].text);
        p += sprintf(p, "%s%s\n%s%s", LAYER_MARK, ly[i].path, ly[i].text,
                     tl && ly[i].text[tl - 1] != '\n' ? "\n" : "");
    }
    return t;
}

/* 1 if p is absolute or has a `..` component. */
static int escapes(const char *p)
{
    if (p[0] == '/') return 1;
    for (const char *q = p; (q = strstr(q, "..")); q += 2)
        if ((q == p || q[-1] == '/') && (q[2] == '\0' || q[2] == '/')) return 1;
    return 0;
}

/* The output.series_days check: at most SCEN_MAX_SNAPSHOTS snapshots over warm-up and counted
 * years, so that a tiny interval is refused here instead of allocating without end. */
static int series_ok(const struct run_par *r, char *msg, size_t len)
{
    double days = (r->warmup_years + r->years) * 365.25;
    if (r->series_days == 0 || days / r->series_days <= SCEN_MAX_SNAPSHOTS) return 0;
    snprintf(msg, len, "output.series_days: expected 0 or at least %.6g days (at most %d snapshots over %.6g "
             "simulated years), found %.6g", days / SCEN_MAX_SNAPSHOTS, SCEN_MAX_SNAPSHOTS,
             r->warmup_years + r->years, r->series_days);
    return -1;
}

int scen_load_text(const char *path, const char *text, struct scenario **out, struct err *e)
{
    return scen_load_text_opts(path, text, 0, out, e);
}

/* Mounts every parameter table: the run's, the population's, and per organ its policy's rule
 * and model tables. */
static int mount_all(struct loader *L)
{
    struct scenario *s = L->s;
    int rc;
    if ((rc = add_mount(L, "", run_pdefs, N_RUN, &s->run))) return rc;
    if ((rc = add_mount(L, "population.", popn_pdefs, popn_n_pdefs, &s->pop))) return rc;
    for (int o = 0; o < ORGAN_N; o++) {
        const struct policy_ops *ops = s->ops[o];
        if ((rc = add_mount(L, POLICY_PREFIX(o), ops->rule_pdefs, ops->n_rule_pdefs, s->par[o]))) return rc;
        if ((rc = add_mount(L, MODEL_PREFIX(o), ops->model_pdefs, ops->n_model_pdefs, s->par[o]))) return rc;
    }
    return 0;
}

/* Walks the layers from the first base to the file itself, each value overriding the one
 * before; leaves L on the top layer, `path`. */
static int walk_layers(struct loader *L, struct layer *ly, int nl, const char *path)
{
    int rc;
    for (int i = 0; i < nl; i++) {
        L->layer = i;
        L->doc = &ly[i].doc;
        L->path = ly[i].path;
        if ((rc = walk(L, ly[i].root, ""))) return rc;
    }
    L->layer = L->top;
    L->doc = &ly[L->top].doc;
    L->path = path;
    return 0;
}

/* A score policy needs its score section (`root` marks the file's top for the message). */
static int check_scores(struct loader *L, yaml_mark_t root)
{
    for (int o = 0; o < ORGAN_N; o++)
        if (score_is(L->s->ops[o]) && !L->score_seen[o]) {
            char key[64];
            snprintf(key, sizeof key, "policy.%s.score", ORGAN_KEY(o));
            return errat(L, root, key, "expected a score section (policy.%s.rule is score), found no such key",
                         ORGAN_KEY(o));
        }
    return 0;
}

/* Every required parameter (one without a default) was given. */
static int check_required(struct loader *L, yaml_mark_t root)
{
    for (int i = 0; i < L->nm; i++)
        for (size_t j = 0; j < L->m[i].n; j++)
            if (isnan(L->m[i].defs[j].def) && !L->m[i].seen[j]) {
                char key[KEY_MAX];
                snprintf(key, sizeof key, "%s%s", L->m[i].prefix, L->m[i].defs[j].name);
                return errat(L, root, key, "expected a value (required), found no such key");
            }
    return 0;
}

/* The replay's keys are given exactly when population.source is replay (its paths inside the
 * scenario's folder with SCEN_CONFINE_PATHS); a replay's files are then read. */
static int check_replay(struct loader *L, yaml_mark_t root, const char *path, unsigned flags)
{
    struct scenario *s = L->s;
    int replay = s->run.source == RUN_SOURCE_REPLAY, rc = 0;
    for (int i = 0; i < 3; i++) {
        if (replay && !L->replay_seen[i])
            return errat(L, root, REPLAY_KEYS[i],
                         "expected a CSV file (population.source is replay), found no such key");
        if (!replay && L->replay_seen[i])
            return errat(L, L->replay_marks[i], REPLAY_KEYS[i],
                         "expected no file unless population.source is replay, found one");
    }
    if (!replay && L->rrep_seen)
        return errat(L, L->rrep_mark, RREP_KEY,
                     "expected no replication unless population.source is replay, found one");
    if (replay && (flags & SCEN_CONFINE_PATHS)) {
        for (int i = 0; i < 3 && !rc; i++)
            if (escapes(s->replay_files[i]) || escapes(path))
                rc = errat(L, L->replay_marks[i], REPLAY_KEYS[i],
                           "expected a path inside the folder of %s (absolute paths and '..' are refused "
                           "here unless --allow-paths is given), found '%s'", path, s->replay_files[i]);
        if (rc) return rc;
    }
    if (replay)
        return replay_load(path, s->replay_files[0], s->replay_files[1], s->replay_files[2], &s->replay, L->e);
    return 0;
}

/* The checks across fields: the snapshot interval, the population's, and each policy's
 * validate(), reported at the key the message names. */
static int check_fields(struct loader *L, yaml_mark_t root)
{
    struct scenario *s = L->s;
    char msg[512];
    const char *where;
    if (series_ok(&s->run, msg, sizeof msg)) {
        yaml_mark_t mk = locate(L, "output.series_days", root, &where);
        return err_set(L->e, ERR_INPUT, "%s:%zu:%zu: %s", where, mk.line + 1, mk.column + 1, msg);
    }
    if (popn_validate(&s->pop, msg, sizeof msg)) {
        yaml_mark_t mk = locate(L, msg, root, &where);
        return err_set(L->e, ERR_INPUT, "%s:%zu:%zu: %s", where, mk.line + 1, mk.column + 1, msg);
    }
    for (int o = 0; o < ORGAN_N; o++)
        if (s->ops[o]->validate && s->ops[o]->validate(s->par[o], msg, sizeof msg)) {
            char full[600];
            snprintf(full, sizeof full, "%s%s", POLICY_PREFIX(o), msg);
            yaml_mark_t mk = locate(L, full, root, &where);
            if (mk.line == root.line && where == L->layer_path[L->top]) {
                snprintf(full, sizeof full, "%s%s", MODEL_PREFIX(o), msg);
                mk = locate(L, full, root, &where);
            }
            return err_set(L->e, ERR_INPUT, "%s:%zu:%zu: policy/model.%s.%s", where, mk.line + 1, mk.column + 1,
                           ORGAN_KEY(o), msg);
        }
    return 0;
}

/* Frees what the loader and the layers hold (not the scenario). */
static void loader_free(struct loader *L, struct layer *ly)
{
    for (int i = 0; i < L->nm; i++) {
        free(L->m[i].seen);
        free(L->m[i].marks);
    }
    for (int i = 0; i < SCEN_MAX_LAYERS; i++) {
        if (ly[i].have_doc) yaml_document_delete(&ly[i].doc);
        free(ly[i].path);
        free(ly[i].text);
    }
}

/* Reads the layers (the file and its `base:` chain), picks the policies, mounts the parameter
 * tables, walks the layers into the scenario, then checks what no single key can. */
int scen_load_text_opts(const char *path, const char *text, unsigned flags, struct scenario **out, struct err *e)
{
    struct loader L = {.path = path, .e = e};
    struct layer ly[SCEN_MAX_LAYERS];
    int nl = 0, rc = 0;
    memset(ly, 0, sizeof ly);
    *out = NULL;
    struct scenario *s = calloc(1, sizeof *s);
    if (!s) return err_set(e, ERR_INTERNAL, "out of memory");
    L.s = s;
    s->seed = SCEN_DEFAULT_SEED;
    s->path = strdup(path);
    if (!s->path) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    default_name(s);
    if ((rc = load_layers(&L, path, text, flags, ly, &nl))) goto cleanup;
    if (!(s->text = layers_text(ly, nl))) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
    L.top = nl - 1;
    for (int i = 0; i < nl; i++) L.layer_path[i] = ly[i].path;
    const yaml_mark_t root = ly[L.top].root->start_mark;
    if ((rc = select_policies(&L, ly, nl))) goto cleanup;
    L.path = path;
    if ((rc = mount_all(&L)) || (rc = walk_layers(&L, ly, nl, path)) || (rc = check_scores(&L, root))
        || (rc = check_required(&L, root)) || (rc = check_replay(&L, root, path, flags))
        || (rc = check_fields(&L, root)))
        goto cleanup;
    if (s->replay && s->run.strict && (rc = warn_lapses(s, path, e))) goto cleanup;

cleanup:
    loader_free(&L, ly);
    if (rc) scen_free(s);
    else *out = s;
    return rc;
}

/* population.strict: reports every grant of the replay's history that lapses without a renewal
 * row, once, on stderr (the runs apply the same lapses as events, sim.c). Works on a copy of
 * the candidates: the replay's own stay as read. */
static int warn_lapses(const struct scenario *s, const char *path, struct err *e)
{
    const struct replay *r = s->replay;
    char hpath[4096]; /* the history file as replay_load found it: relative to the scenario */
    const char *slash = strrchr(path, '/'), *hf = s->replay_files[1];
    if (hf[0] == '/' || !slash) snprintf(hpath, sizeof hpath, "%s", hf);
    else snprintf(hpath, sizeof hpath, "%.*s/%s", (int)(slash - path), path, hf);
    struct csvin_cands cs = *r->cands;
    double last = -INFINITY;
    int rc = 0;
    if (!(cs.c = malloc((cs.n ? cs.n : 1) * sizeof *cs.c)))
        return err_set(e, ERR_INTERNAL, "out of memory");
    memcpy(cs.c, r->cands->c, cs.n * sizeof *cs.c);
    for (size_t i = 0; i < cs.n; i++) {
        enum organ o = prog_organ(cs.c[i].prog);
        if (s->ops[o]->prepare) s->ops[o]->prepare(s->par[o], &cs.c[i]);
    }
    for (size_t i = 0; i < r->n_hist; i++) last = fmax(last, r->hist[i].day);
    for (size_t i = 0; i < r->n_donors; i++) last = fmax(last, r->donors[i].day);
    rc = replay_history_strict((const struct policy_ops *const *)s->ops, s->par, &cs,
                               hpath, r->hist, r->n_hist, last, "wlsim",
                               "population.strict", stderr, e);
    free(cs.c);
    return rc;
}

static struct scenario *clone(const struct scenario *s)
{
    struct scenario *c = malloc(sizeof *c);
    if (!c) return NULL;
    *c = *s;
    c->path = strdup(s->path);
    c->text = strdup(s->text);
    for (int o = 0; o < ORGAN_N; o++) {
        c->par[o] = malloc(s->ops[o]->par_size);
        if (c->par[o]) memcpy(c->par[o], s->par[o], s->ops[o]->par_size);
    }
    c->n_axes = 0;
    c->replay = replay_ref(s->replay);
    if (!c->path || !c->text || !c->par[0] || !c->par[1]) {
        scen_free(c);
        return NULL;
    }
    return c;
}

static void *axis_base(struct scenario *s, int target)
{
    return target == 0 ? (void *)&s->run : target == 1 ? (void *)&s->pop : s->par[target - 2];
}

int scen_expand(const struct scenario *s, struct scenario ***out, int *n, struct err *e)
{
    size_t total = 1;
    *out = NULL;
    *n = 0;
    /* Counted before anything is allocated, saturating (64^8 points would overflow nothing, but
     * must not be allocated either); the loader already refused such a grid with its line. */
    for (int a = 0; a < s->n_axes; a++)
        total = total > SWEEP_MAX_POINTS ? total : total * (size_t)s->axes[a].n;
    if (total > SWEEP_MAX_POINTS)
        return err_set(e, ERR_INPUT, "%s: sweep: expected at most %d grid points, found more", s->path,
                       SWEEP_MAX_POINTS);
    size_t count = s->n_axes ? total + 1 : 1;
    int rc = 0;
    struct scenario **v = calloc(count, sizeof *v);
    if (!v) return err_set(e, ERR_INTERNAL, "out of memory");
    for (size_t i = 0; i < count; i++) {
        if (!(v[i] = clone(s))) { rc = err_set(e, ERR_INTERNAL, "out of memory"); goto cleanup; }
        if (i == 0) continue;
        size_t idx = i - 1;
        char name[sizeof v[i]->name];
        size_t used = (size_t)snprintf(name, sizeof name, "%s[", s->name);
        for (int a = s->n_axes - 1; a >= 0; a--) { /* last axis fastest */
            const struct sweep_axis *ax = &s->axes[a];
            int j = (int)(idx % (size_t)ax->n);
            idx /= (size_t)ax->n;
            char *p = (char *)axis_base(v[i], ax->target) + ax->def->offset;
            if (ax->def->type == PD_DOUBLE) *(double *)p = ax->v[j].d;
            else *(int *)p = ax->v[j].i;
        }
        for (int a = 0; a < s->n_axes; a++) {
            const struct sweep_axis *ax = &s->axes[a];
            const char *p = (const char *)axis_base(v[i], ax->target) + ax->def->offset;
            char val[64];
            scen_format(ax->def, p, val, sizeof val);
            if (used < sizeof name)
                used += (size_t)snprintf(name + used, sizeof name - used, "%s%s=%s", a ? "," : "", ax->key, val);
        }
        if (used < sizeof name) snprintf(name + used, sizeof name - used, "]");
        snprintf(v[i]->name, sizeof v[i]->name, "%s", name);
        char msg[512];
        if (series_ok(&v[i]->run, msg, sizeof msg) || popn_validate(&v[i]->pop, msg, sizeof msg) ||
            (v[i]->ops[0]->validate && v[i]->ops[0]->validate(v[i]->par[0], msg, sizeof msg)) ||
            (v[i]->ops[1]->validate && v[i]->ops[1]->validate(v[i]->par[1], msg, sizeof msg))) {
            rc = err_set(e, ERR_INPUT, "%s: sweep: variant %s: %s", s->path, v[i]->name, msg);
            goto cleanup;
        }
    }
cleanup:
    if (rc) {
        for (size_t i = 0; i < count; i++) scen_free(v[i]);
        free(v);
        return rc;
    }
    *out = v;
    *n = (int)count;
    return 0;
}

void scen_free(struct scenario *s)
{
    if (!s) return;
    replay_free(s->replay);
    for (int o = 0; o < ORGAN_N; o++) free(s->par[o]);
    free(s->text);
    free(s->path);
    free(s);
}

const char *scen_rng_name(const struct scenario *s, char *buf, size_t len)
{
    return pdef_choice(&run_pdefs[3], s->run.rng, buf, len);
}

static void each_table(const char *prefix, const struct pdef *defs, size_t n, const void *base,
                       scen_param_fn fn, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        char full[KEY_MAX];
        snprintf(full, sizeof full, "%s%s", prefix, defs[i].name);
        fn(ctx, full, &defs[i], (const char *)base + defs[i].offset);
    }
}

void scen_each_param(const struct scenario *s, scen_param_fn fn, void *ctx)
{
    each_table("", run_pdefs, N_RUN, &s->run, fn, ctx);
    each_table("population.", popn_pdefs, popn_n_pdefs, &s->pop, fn, ctx);
    for (int o = 0; o < ORGAN_N; o++) {
        each_table(POLICY_PREFIX(o), s->ops[o]->rule_pdefs, s->ops[o]->n_rule_pdefs, s->par[o], fn, ctx);
        each_table(MODEL_PREFIX(o), s->ops[o]->model_pdefs, s->ops[o]->n_model_pdefs, s->par[o], fn, ctx);
    }
}

const char *scen_format(const struct pdef *d, const void *value, char *buf, size_t len)
{
    switch (d->type) {
    case PD_INT: snprintf(buf, len, "%d", *(const int *)value); break;
    case PD_DOUBLE: snprintf(buf, len, "%.17g", *(const double *)value); break;
    case PD_BOOL: snprintf(buf, len, "%s", *(const int *)value ? "true" : "false"); break;
    case PD_ENUM: pdef_choice(d, *(const int *)value, buf, len); break;
    }
    return buf;
}

/* Writes s with Markdown table metacharacters escaped. */
static void md(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|') fputs("\\|", out);
        else fputc(*s, out);
    }
}

static void list_table(FILE *out, const char *prefix, const struct pdef *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct pdef *d = &defs[i];
        char def[64], bounds[96];
        if (isnan(d->def)) snprintf(def, sizeof def, "(required)");
        else if (d->type == PD_ENUM) pdef_choice(d, (int)d->def, def, sizeof def);
        else if (d->type == PD_BOOL) snprintf(def, sizeof def, "%s", d->def ? "true" : "false");
        else snprintf(def, sizeof def, "%.6g", d->def);
        if (d->type == PD_ENUM) snprintf(bounds, sizeof bounds, "%s", d->choices);
        else if (d->type == PD_BOOL) snprintf(bounds, sizeof bounds, "true, false");
        else snprintf(bounds, sizeof bounds, "%s in [%.6g, %.6g]", d->type == PD_INT ? "integer" : "number",
                      d->min, d->max);
        fprintf(out, "| `%s%s` | %s | ", prefix, d->name, def);
        md(out, bounds);
        fprintf(out, " | %s | ", d->unit);
        md(out, d->help);
        fputs(" | ", out);
        md(out, d->source);
        fputs(" |\n", out);
    }
}

static const char *const TABLE_HEAD = "| key | default | values | unit | meaning | source |\n|---|---|---|---|---|---|\n";

void scen_list(FILE *out)
{
    fprintf(out, "# Scenario parameters\n\n"
                 "Generated by `wlsim check --list` from the parameter tables that also drive parsing,\n"
                 "validation and the `/parameters` dataset of the results (do not edit by hand:\n"
                 "`make docs` regenerates it). Keys are dotted paths: `horizon.years` is written\n"
                 "`horizon: {years: 10}` or nested over two lines. See docs/scenario.md.\n\n"
                 "## Run settings and population\n\n%s", TABLE_HEAD);
    fprintf(out, "| `base` | none | file or name |  | A scenario loaded first; this file overrides it key by key (a path relative to this file, or a shipped scenario's name, e.g. default). | design |\n");
    fprintf(out, "| `name` | the file name | text |  | Name of the scenario; the default output is output/NAME.h5. | design |\n");
    fprintf(out, "| `description` | empty | text |  | Free text describing the scenario. | design |\n");
    fprintf(out, "| `seed` | %u | integer in [1, 2^64-1] |  | Master seed of every random stream; `-s` overrides it. | design |\n",
            SCEN_DEFAULT_SEED);
    list_table(out, "", run_pdefs, N_RUN);
    list_table(out, "population.", popn_pdefs, popn_n_pdefs);
    for (int o = 0; o < ORGAN_N; o++) {
        char names[256];
        fprintf(out, "\n## %s\n\n%s", ORGAN_KEY(o), TABLE_HEAD);
        fprintf(out, "| `policy.%s.rule` | %s | ", ORGAN_KEY(o), registry_get((enum organ)o, 0)->name);
        md(out, registry_names((enum organ)o, names, sizeof names));
        fprintf(out, " |  | The allocation policy; it decides which keys below apply. | design |\n");
        const struct policy_ops *ops;
        for (size_t i = 0; (ops = registry_get((enum organ)o, i)); i++) {
            const struct policy_ops *def = registry_get((enum organ)o, 0);
            if (i > 0 && ops->rule_pdefs == def->rule_pdefs) { /* a score policy on the guideline */
                fprintf(out, "\n### `policy.%s.rule: %s`\n\nThe keys of `rule: %s` above (its hard rules, "
                        "disease and acceptance model), and the\n`policy.%s.score` section that orders "
                        "the list (features below; docs/rules.md, \"Score policies\").\n",
                        ORGAN_KEY(o), ops->name, def->name, ORGAN_KEY(o));
                continue;
            }
            fprintf(out, "\n### `policy.%s.rule: %s`\n\n%s", ORGAN_KEY(o), ops->name, TABLE_HEAD);
            list_table(out, POLICY_PREFIX(o), ops->rule_pdefs, ops->n_rule_pdefs);
            list_table(out, MODEL_PREFIX(o), ops->model_pdefs, ops->n_model_pdefs);
        }
    }
    score_list(out);
}

void scen_write_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\x%02x", *p);
        else fputc(*p, f);
    }
    fputc('"', f);
}
