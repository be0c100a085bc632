/* scenario.h — loading and validating a scenario file.
 *
 * A scenario is a YAML mapping. Its keys are described by parameter tables (model/pdef.h):
 * the run settings here, the population model (model/popn.h) under `population.`, and for each
 * organ the selected policy's rule table under `policy.<organ>.` and its model table under
 * `model.<organ>.`; `policy.<organ>.rule` selects the policy from model/registry.h. The same
 * tables drive `wlsim check --list`, docs/scenario.md and the /parameters dataset in results.
 *
 * Every built-in default is the calibrated value (scenarios/default.yaml names the ones it
 * documents), so a file with only horizon.years runs the calibrated model. `base: FILE` (relative
 * to the including file, or the name of a shipped scenario) loads FILE first and lets the file
 * override it key by key; the stored text (s->text) inlines every base, so that it loads alone.
 *
 * Every problem is reported as `FILE:LINE:COL: key: expected ..., found ...` with ERR_INPUT. */
#ifndef WLSIM_SCENARIO_H
#define WLSIM_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "pdef.h"
#include "policy.h"
#include "popn.h"

/* The master seed when the file names none (that of scenarios/default.yaml). */
#define SCEN_DEFAULT_SEED 20260101u

struct run_par {
    double warmup_years;   /* simulated years discarded before counting starts */
    double years;          /* simulated years counted (required) */
    int replications;      /* default replication count (overridden by -r) */
    int rng;               /* index into RUN_RNG_CHOICES */
    int source;            /* population source: 0 synthetic */
    double max_offers;     /* offers per organ before it is discarded (0 = no limit) */
    double series_days;    /* interval of the /series snapshots (0 = none) */
    int acceptance;        /* 0: the policy's acceptance model; 1: every offer accepted */
    int strict;            /* replay: grants without a renewal row lapse (population.strict) */
};

enum { RUN_SOURCE_SYNTHETIC = 0, RUN_SOURCE_REPLAY = 1 };
enum { RUN_ACCEPT_MODEL = 0, RUN_ACCEPT_ALL = 1 };
struct replay;

/* Warm-up years the calibrated synthetic lists need to reach their steady state (docs/model.md,
 * "Steady state": the heart list fills with an e-folding time of ~4 years, so 15 years leave a
 * deficit of ~2 % at the start of counting). `wlsim check` warns below it. */
#define SCEN_STEADY_WARMUP_YEARS 15.0

#define RUN_RNG_CHOICES "taus2|mt19937|ranlxd1|ranlxs2|ctr64"

/* One axis of a `sweep:` grid: a parameter and the values it takes. */
#define SWEEP_MAX_AXES 8
#define SWEEP_MAX_VALUES 64
#define SWEEP_MAX_POINTS 100000   /* grid points of one scenario */
struct sweep_axis {
    char key[96];                      /* full dotted key */
    const struct pdef *def;
    int target;                        /* 0 run, 1 population, 2 + organ: that organ's policy struct */
    int n;                             /* number of values */
    union { int i; double d; } v[SWEEP_MAX_VALUES];
    char text[SWEEP_MAX_VALUES][24];   /* each value as written, for variant names */
};

struct scenario {
    char *path;            /* as given on the command line */
    char *text;            /* the full file text, NUL-terminated (stored in results); with
                            * `base:`, each file behind a "#%wlsim-layer PATH" line, bases first */
    char name[128];        /* `name:`, or the file's base name without .yaml */
    char description[512];
    uint64_t seed;         /* `seed:` (default SCEN_DEFAULT_SEED); -s overrides it */
    struct run_par run;
    struct popn_par pop;
    const struct policy_ops *ops[ORGAN_N];
    void *par[ORGAN_N];    /* each ops[o]->par_size bytes, owned */
    struct replay *replay; /* population.source: replay — the files' data (shared), else NULL */
    char replay_files[3][256]; /* population.candidates, .history, .donors as written */
    int replay_replication; /* population.replication: replication k of a replay draws from the
                             * streams of replication replay_replication + k (0 unless replay) */
    int n_axes;            /* `sweep:` axes (0: no sweep) */
    struct sweep_axis axes[SWEEP_MAX_AXES];
};

/* Reads and validates the scenario at `path`. On success stores a new scenario in *out (free
 * it with scen_free) and returns 0. On failure returns ERR_INPUT (bad file: the message in e
 * names file, line, column, key, what was expected and what was found) or ERR_INTERNAL
 * (allocation), and *out is NULL. */
int scen_load(const char *path, struct scenario **out, struct err *e);

/* Limits checked before anything is parsed: the file's size (a scenario is a page or two) and
 * the nesting depth of its YAML (settings nest three or four levels deep). */
#define SCEN_MAX_BYTES (1 << 20)
#define SCEN_MAX_DEPTH 32
#define SCEN_MAX_DEPTH_TEXT "32"
/* At most this many /series snapshots per programme and replication (output.series_days). */
#define SCEN_MAX_SNAPSHOTS 100000

/* As scen_load, but the file's text is given (e.g. as stored in a results file): `path` names it
 * in messages and anchors relative paths (replay CSV files); the file itself is not read. */
int scen_load_text(const char *path, const char *text, struct scenario **out, struct err *e);

/* Flags of scen_load_text_opts. */
enum {
    /* Refuse replay files (and a scenario path) that are absolute or contain a `..` component:
     * for texts from an untrusted source, such as a results file given to `wlsim verify`. */
    SCEN_CONFINE_PATHS = 1
};

/* scen_load_text with flags (SCEN_*). */
int scen_load_text_opts(const char *path, const char *text, unsigned flags, struct scenario **out, struct err *e);

/* Expands a scenario with a `sweep:` section into its variants: first the scenario as written
 * (the baseline), then one per point of the grid (the product of the axes, the last axis
 * varying fastest), each named NAME[key=value,...]. A scenario without sweep expands to one
 * copy of itself. On success stores a new array of *n new scenarios in *out (free each with
 * scen_free, then the array with free) and returns 0; ERR_INPUT when a grid point fails a
 * cross-field check (the message names the file, the variant and the fields), ERR_INTERNAL on
 * allocation failure; *out is then NULL. */
int scen_expand(const struct scenario *s, struct scenario ***out, int *n, struct err *e);

/* Frees s and everything it owns. NULL is a no-op. */
void scen_free(struct scenario *s);

/* The name of the RNG algorithm selected. */
const char *scen_rng_name(const struct scenario *s, char *buf, size_t len);

/* Calls fn once per parameter of s, in table order: its full dotted name, its definition and
 * a pointer to its current value (int or double per d->type). */
typedef void (*scen_param_fn)(void *ctx, const char *full, const struct pdef *d, const void *value);
void scen_each_param(const struct scenario *s, scen_param_fn fn, void *ctx);

/* Writes s to f as a YAML double-quoted scalar (quotes and backslashes escaped, control bytes
 * as \xHH): how export and the score section write names and texts back. */
void scen_write_str(FILE *f, const char *s);

/* Formats a parameter value as it would be written in YAML. Returns buf. */
const char *scen_format(const struct pdef *d, const void *value, char *buf, size_t len);

/* Prints every parameter of every known policy as a table (`wlsim check --list`). */
void scen_list(FILE *out);

#endif
