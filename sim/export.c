/* export.c — `wlsim export`: one replication of a synthetic scenario written out as the replay
 * files (see export.h for the contract, docs/scenario.md "Export" for the round trip).
 *
 * The replication is run by sim_run() with a recorder (struct sim_recorder) whose callbacks copy
 * what a replay needs into growing arrays: candidates in listing order (which is the engine's
 * pool order, so a candidate's row is its pool index), status rows in the order they happened,
 * donors in arrival order (= their seq, so the replay's row index is the donor's seq). Numbers
 * are written in the shortest form that reads back to the same double, so the replay sees the
 * very days and attributes the synthetic run saw. */
#include "export.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "cand.h"
#include "csvin.h"
#include "popn.h"
#include "registry.h"
#include "replay.h"
#include "score.h"
#include "scoresec.h"
#include "sim.h"

#ifndef WLSIM_VERSION
#define WLSIM_VERSION "unknown"
#endif
#ifndef WLSIM_GIT_COMMIT
#define WLSIM_GIT_COMMIT "unknown"
#endif

/* One history row: candidate row `cand` takes `status` (enum status, or CSVIN_ST_DEAD /
 * CSVIN_ST_REMOVED) from `day` on. */
struct hrow {
    uint32_t cand;
    int8_t status, nt_credit;
    double day;
};

/* What the recorder collects. */
struct coll {
    struct cand *c;
    size_t nc, cap_c;
    struct hrow *h;
    size_t nh, cap_h;
    struct donor *d;
    size_t nd, cap_d;
};

/* The files, in the order they are written and renamed. */
enum { F_CANDS = 0, F_HIST, F_DONORS, F_SCEN, F_N };
static const char *const FILE_NAME[F_N] = {"candidates.csv", "history.csv", "donors.csv", "scenario.yaml"};

/* ------------------------------------------------------------------------------------------ */
/* The recorder                                                                                */

/* Room for `need` elements in a growing array (vec_grow), or ERR_INTERNAL. */
static int room(void **v, size_t *cap, size_t need, size_t size, struct err *e)
{
    return vec_grow(v, cap, need, size) ? err_set(e, ERR_INTERNAL, "out of memory collecting the population") : 0;
}

static int add_hist(struct coll *k, uint32_t cand, double day, int status, int nt_credit, struct err *e)
{
    if (room((void **)&k->h, &k->cap_h, k->nh + 1, sizeof *k->h, e)) return ERR_INTERNAL;
    k->h[k->nh++] = (struct hrow){.cand = cand, .status = (int8_t)status, .nt_credit = (int8_t)nt_credit,
                                  .day = day};
    return 0;
}

static int rec_listing(void *ctx, const struct cand *c, struct err *e)
{
    struct coll *k = ctx;
    /* Listings arrive in pool order; the row index is then the pool index the other
     * callbacks name the candidate by. */
    assert(c->slot == k->nc);
    if (room((void **)&k->c, &k->cap_c, k->nc + 1, sizeof *k->c, e)) return ERR_INTERNAL;
    k->c[k->nc++] = *c;
    /* A status other than T at listing (children HU, early re-transplant SU) is a history row
     * on the listing day, which the replay applies right after the listing. */
    if (c->w.status != ST_T) return add_hist(k, c->slot, c->w.listed, (int)c->w.status, c->w.nt_credit, e);
    return 0;
}

static int rec_status(void *ctx, const struct cand *c, struct err *e)
{
    return add_hist(ctx, c->slot, c->w.since, (int)c->w.status, c->w.nt_credit, e);
}

static int rec_leave(void *ctx, const struct cand *c, struct err *e)
{
    /* A transplant is the replay's own outcome, not data: it needs no row. */
    if (c->outcome == OUT_DIED) return add_hist(ctx, c->slot, c->end_day, CSVIN_ST_DEAD, 0, e);
    if (c->outcome == OUT_REMOVED) return add_hist(ctx, c->slot, c->end_day, CSVIN_ST_REMOVED, 0, e);
    return 0;
}

static int rec_donor(void *ctx, const struct donor *d, struct err *e)
{
    struct coll *k = ctx;
    assert(d->seq == k->nd); /* donors arrive in seq order, every seq once */
    if (room((void **)&k->d, &k->cap_d, k->nd + 1, sizeof *k->d, e)) return ERR_INTERNAL;
    k->d[k->nd++] = *d;
    return 0;
}

static void coll_free(struct coll *k)
{
    free(k->c);
    free(k->h);
    free(k->d);
}

/* ------------------------------------------------------------------------------------------ */
/* Formatting                                                                                  */

/* x in the shortest %g form that strtod reads back to the same double ("" for NaN, so an
 * unknown value is an empty cell; "0" for -0). */
static const char *num(double x, char *buf, size_t len)
{
    if (isnan(x)) {
        buf[0] = '\0';
        return buf;
    }
    if (x == 0) x = 0.0;
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, x);
        if (strtod(buf, NULL) == x) break;
    }
    return buf;
}

/* Writes one CSV field followed by a comma or the line end: as it is, or quoted by libcsv when
 * it needs quoting (the ids here are numbers, but the writer should not rely on it). */
static void put_num(FILE *f, double x, int last)
{
    char b[40];
    csvin_put_field(f, num(x, b, sizeof b), last);
}

static void put_int(FILE *f, long x, int last)
{
    char b[24];
    snprintf(b, sizeof b, "%ld", x);
    csvin_put_field(f, b, last);
}

static const char *region_name(int r)
{
    /* Synthetic regions are the seven DSO regions; csvin maps their names back to 0..6. */
    return r >= 0 && r < POPN_REGIONS ? popn_region_name(r) : "";
}

/* The id of candidate / donor `seq`: its decimal number, as /transplants names it. */
static const char *seq_id(uint32_t seq, char *buf, size_t len)
{
    snprintf(buf, len, "%" PRIu32, seq);
    return buf;
}

/* age_years such that the replay's birth day, listed - age * 365.25 (csvin), is c's birth day
 * bit for bit: the quotient, or one of its neighbours a few ulps away. *exact is 0 when none of
 * them is (then the quotient, off by an ulp of the day). */
static double exact_age(const struct cand *c, int *exact)
{
    const double listed = c->w.listed, birth = c->birth_day;
    double a = (listed - birth) / 365.25, lo = a, hi = a;
    *exact = 1;
    if (listed - a * 365.25 == birth) return a;
    for (int k = 0; k < 64; k++) {
        lo = nextafter(lo, -INFINITY);
        hi = nextafter(hi, INFINITY);
        if (lo >= 0 && listed - lo * 365.25 == birth) return lo;
        if (listed - hi * 365.25 == birth) return hi;
    }
    *exact = 0;
    return a;
}

/* ------------------------------------------------------------------------------------------ */
/* The files                                                                                   */

/* Attribute column k of c, as the candidate reader reads it back (csvin.c, attr_cell). */
static void put_attr(FILE *f, const struct cand_col *k, const struct cand *c, int last)
{
    const void *m = (const char *)c + k->off;
    if (k->blank && k->blank(c)) {
        csvin_put_field(f, "", last);
        return;
    }
    switch (k->kind) {
    case CAND_COL_NUM:
    case CAND_COL_DAY: put_num(f, *(const double *)m, last); break;
    case CAND_COL_FLAG: put_int(f, *(const int *)m != 0, last); break;
    case CAND_COL_CODE: put_int(f, *(const int *)m, last); break;
    case CAND_COL_TEXT: csvin_put_field(f, k->format(c), last); break;
    }
}

/* The candidate columns: the core ones, then every attribute column of the organ tables
 * (registry_cand_cols), in the reader's order. */
static void write_cands(FILE *f, const struct coll *k, size_t *inexact)
{
    char id[24];
    const struct cand_col *attr[REGISTRY_CAND_COLS_MAX];
    const size_t nattr = registry_cand_cols(attr);
    fputs("id,seq,program,abo,age_years,listed_day,region,center", f);
    for (size_t j = 0; j < nattr; j++) fprintf(f, ",%s", attr[j]->name);
    fputc('\n', f);
    for (size_t i = 0; i < k->nc; i++) {
        const struct cand *c = &k->c[i];
        int exact;
        double age = exact_age(c, &exact);
        *inexact += !exact;
        csvin_put_field(f, seq_id(c->seq, id, sizeof id), 0);
        put_int(f, (long)c->seq, 0);
        csvin_put_field(f, prog_name(c->prog), 0);
        csvin_put_field(f, abo_name(c->abo), 0);
        put_num(f, age, 0);
        put_num(f, c->w.listed, 0);
        csvin_put_field(f, region_name(c->region), 0);
        if (c->center >= 0) put_int(f, c->center, nattr == 0);
        else csvin_put_field(f, "", nattr == 0);
        for (size_t j = 0; j < nattr; j++) put_attr(f, attr[j], c, j + 1 == nattr);
    }
}

static void write_hist(FILE *f, const struct coll *k)
{
    char id[24];
    fputs("id,day,status,nt_credit\n", f);
    for (size_t i = 0; i < k->nh; i++) {
        const struct hrow *h = &k->h[i];
        const char *st = h->status == CSVIN_ST_DEAD ? "DEAD"
                         : h->status == CSVIN_ST_REMOVED ? "REMOVED" : status_name((enum status)h->status);
        csvin_put_field(f, seq_id(k->c[h->cand].seq, id, sizeof id), 0);
        put_num(f, h->day, 0);
        csvin_put_field(f, st, 0);
        put_int(f, h->status == ST_NT && h->nt_credit, 1);
    }
}

static void write_donors(FILE *f, const struct coll *k)
{
    char id[24];
    fputs("id,day,abo,age_years,sex,region,hla_typed,weight_kg,height_cm,tlc_l,bmi,waist_cm,ecd,cpr_min,"
          "icu_days,sodium", f);
    for (int o = 0; o < ORGAN_N; o++) fprintf(f, ",%s", registry_organ((enum organ)o)->name);
    fputc('\n', f);
    for (size_t i = 0; i < k->nd; i++) {
        const struct donor *d = &k->d[i];
        csvin_put_field(f, seq_id(d->seq, id, sizeof id), 0);
        put_num(f, d->day, 0);
        csvin_put_field(f, abo_name(d->abo), 0);
        put_num(f, d->age_years, 0);
        csvin_put_field(f, sex_name(d->sex), 0);
        csvin_put_field(f, region_name(d->region), 0);
        put_int(f, d->hla_typed != 0, 0);
        put_num(f, d->weight_kg, 0);
        put_num(f, d->height_cm, 0);
        put_num(f, d->tlc_l, 0);
        put_num(f, d->bmi, 0);
        put_num(f, d->waist_cm, 0);
        put_int(f, d->ecd != 0, 0);
        put_num(f, d->cpr_min, 0);
        put_num(f, d->icu_days, 0);
        put_num(f, d->sodium, 0);
        for (int o = 0; o < ORGAN_N; o++)
            put_int(f, organ_offered(registry_organ((enum organ)o), d) != 0, o + 1 == ORGAN_N);
    }
}


/* One parameter as a dotted key (the loader reads `a.b.c: v` like the nested form). */
static void param_line(void *ctx, const char *full, const struct pdef *d, const void *value)
{
    FILE *f = ctx;
    char buf[64];
    /* Written above: the source is the replay, one replication by default. */
    if (!strcmp(full, "population.source") || !strcmp(full, "replications")) return;
    fprintf(f, "%s: ", full);
    if (d->type == PD_DOUBLE) fputs(num(*(const double *)value, buf, sizeof buf), f);
    else if (d->type == PD_ENUM) scen_write_str(f, scen_format(d, value, buf, sizeof buf));
    else fputs(scen_format(d, value, buf, sizeof buf), f);
    fputc('\n', f);
}

static void write_scenario(FILE *f, const struct scenario *s, uint64_t seed, int rep)
{
    char name[sizeof s->name], desc[sizeof s->description];
    snprintf(name, sizeof name, "%.100s-r%d-replay", s->name, rep);
    /* The loader takes descriptions up to its buffer's size: a long one is cut. */
    if (snprintf(desc, sizeof desc, "Replay of replication %d of %s (seed %" PRIu64 ")%s%s", rep, s->name, seed,
                 s->description[0] ? ": " : "", s->description) >= (int)sizeof desc)
        desc[sizeof desc - 1] = '\0';
    fprintf(f,
            "# The population of replication %d of %s (seed %" PRIu64 "), written by `wlsim export`\n"
            "# (wlsim %s, git %s). `wlsim run` on this file replays it; with acceptance: model and\n"
            "# this seed every transplant is the synthetic run's (docs/scenario.md, \"Export\").\n"
            "# Days in the files are on the run's clock: day 0 is the start of the warm-up, so the\n"
            "# horizon below makes the counted years the same days as in the synthetic run.\n",
            rep, s->path, seed, WLSIM_VERSION, WLSIM_GIT_COMMIT);
    fputs("name: ", f);
    scen_write_str(f, name);
    fputs("\ndescription: ", f);
    scen_write_str(f, desc);
    fprintf(f, "\nseed: %" PRIu64 "\nreplications: 1\n", seed);
    fputs("policy:\n", f);
    for (int o = 0; o < ORGAN_N; o++) fprintf(f, "  %s: {rule: %s}\n", registry_organ((enum organ)o)->name, s->ops[o]->name);
    fprintf(f, "population:\n  source: replay\n  candidates: %s\n  history: %s\n  donors: %s\n"
               "  replication: %d        # the random streams of the exported replication\n",
            FILE_NAME[F_CANDS], FILE_NAME[F_HIST], FILE_NAME[F_DONORS], rep);
    fputs("# Every parameter of the source scenario (population.* generators unused in a replay):\n", f);
    scen_each_param(s, param_line, f);
    for (int o = 0; o < ORGAN_N; o++)
        if (score_is(s->ops[o])) {
            fputs("# The order of the score policy, as the source scenario declared it:\n", f);
            char key[64];
            snprintf(key, sizeof key, "policy.%s.score", registry_organ((enum organ)o)->name);
            scoresec_write(f, key, score_prog_of(s->par[o], (enum organ)o));
        }
}

/* Opens a new temporary file DIR/.NAME.XXXXXX for writing; its path goes to `path`. */
static FILE *open_tmp(const char *dir, const char *name, char *path, size_t len, struct err *e)
{
    if ((size_t)snprintf(path, len, "%s/.%s.XXXXXX", dir, name) >= len) {
        err_set(e, ERR_INTERNAL, "%s: path too long", dir);
        path[0] = '\0';
        return NULL;
    }
    int fd = mkstemp(path);
    if (fd < 0) {
        err_set(e, ERR_INTERNAL, "%s: cannot create a temporary file: %s", dir, strerror(errno));
        path[0] = '\0';
        return NULL;
    }
    /* mkstemp makes the file private; the result should have the mode any new file gets. */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        err_set(e, ERR_INTERNAL, "%s: %s", path, strerror(errno));
        close(fd);
    }
    return f;
}

/* A replay scenario has no synthetic population to export. */
static int refuse_replay(const struct scenario *s, struct err *e)
{
    return err_set(e, ERR_INPUT, "%s: population.source: expected a synthetic scenario to export, found a replay "
                   "(its files are the population already)", s->path);
}

int export_write(const struct scenario *s, uint64_t seed, int rep, const char *dir,
                 struct export_stats *st, struct err *e)
{
    struct coll k = {0};
    struct rep_result *res = NULL;
    struct replay *back = NULL;
    char tmp[F_N][PATH_MAX], final[PATH_MAX], base[PATH_MAX];
    FILE *f = NULL;
    size_t inexact = 0;
    int rc = 0, renamed = 0;
    for (int i = 0; i < F_N; i++) tmp[i][0] = '\0';
    if (s->replay) {
        rc = refuse_replay(s, e);
        goto cleanup;
    }
    const struct sim_recorder rec = {.ctx = &k, .listing = rec_listing, .status = rec_status,
                                     .leave = rec_leave, .donor = rec_donor};
    const struct sim_opts o = {.seed = seed, .entity_tables = 0, .rec = &rec};
    if ((rc = sim_run(s, &o, 0, rep, &res, e))) goto cleanup;

    for (int i = 0; i < F_N; i++) {
        if (!(f = open_tmp(dir, FILE_NAME[i], tmp[i], sizeof tmp[i], e))) {
            rc = ERR_INTERNAL;
            goto cleanup;
        }
        switch (i) {
        case F_CANDS: write_cands(f, &k, &inexact); break;
        case F_HIST: write_hist(f, &k); break;
        case F_DONORS: write_donors(f, &k); break;
        default: write_scenario(f, s, seed, rep); break;
        }
        int bad = ferror(f);
        if (fclose(f) != 0 || bad) {
            f = NULL;
            rc = err_set(e, ERR_INTERNAL, "%s: write failed: %s", tmp[i], strerror(errno));
            goto cleanup;
        }
        f = NULL;
    }
    /* Read the data back as the replay will: a value the readers reject (out of their bounds)
     * is this program's fault, caught before anything is replaced. */
    snprintf(base, sizeof base, "%s/%s", dir, FILE_NAME[F_SCEN]);
    /* The replay reads its files relative to the scenario's folder, dir: name them from there
     * (tmp[i] is dir/.NAME.XXXXXX; dir itself may be relative). */
    size_t dl = strlen(dir) + 1;
    if (replay_load(base, tmp[F_CANDS] + dl, tmp[F_HIST] + dl, tmp[F_DONORS] + dl, &back, e)) {
        rc = ERR_INTERNAL;
        goto cleanup;
    }
    if (back->cands->n != k.nc || back->n_hist != k.nh || back->n_donors != k.nd) {
        rc = err_set(e, ERR_INTERNAL, "%s: read back %zu candidates, %zu status rows and %zu donors, wrote %zu, "
                     "%zu and %zu", dir, back->cands->n, back->n_hist, back->n_donors, k.nc, k.nh, k.nd);
        goto cleanup;
    }
    for (int i = 0; i < F_N; i++) {
        snprintf(final, sizeof final, "%s/%s", dir, FILE_NAME[i]);
        if (rename(tmp[i], final) != 0) {
            rc = err_set(e, ERR_INTERNAL, "%s: cannot rename to %s: %s%s", tmp[i], final, strerror(errno),
                         renamed ? " (some files were already replaced)" : "");
            goto cleanup;
        }
        tmp[i][0] = '\0';
        renamed++;
    }
    if (st) {
        *st = (struct export_stats){.candidates = k.nc, .history = k.nh, .donors = k.nd, .inexact_ages = inexact};
        for (size_t i = 0; i < k.nc; i++) st->relistings += isfinite(k.c[i].graft_loss_day);
    }

cleanup:
    if (f) fclose(f);
    for (int i = 0; i < F_N; i++)
        if (tmp[i][0]) unlink(tmp[i]);
    replay_free(back);
    sim_result_free(res);
    coll_free(&k);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Command line                                                                                */

static void usage(FILE *f)
{
    fprintf(f, "Usage: wlsim export SCENARIO.yaml -o DIR [-r REPLICATION] [-s SEED] [-q]\n"
               "  Write the population of one replication of a synthetic scenario as replay files:\n"
               "  DIR/candidates.csv, history.csv, donors.csv and DIR/scenario.yaml, which replays it\n"
               "  (`wlsim run DIR/scenario.yaml`; docs/scenario.md, \"Export\").\n"
               "  -o, --output DIR        folder for the files (created with its parents if missing)\n"
               "  -r, --replication R     the replication to export (default 0)\n"
               "  -s, --seed N            master seed (default: the scenario's `seed`)\n"
               "  -q, --quiet             no summary on stderr\n");
}

/* Removes the folders mkdir_p created: dir and its parents down to (and including) the first
 * created one, dir[0..first). */
static void rmdir_created(const char *dir, size_t first)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (;;) {
        rmdir(path);
        char *slash = strrchr(path, '/');
        if (!slash || (size_t)(slash - path) < first) break;
        *slash = '\0';
    }
}

/* Makes sure `dir` is a writable folder, creating it and any missing parent (as mkdir -p: the
 * README's `-o out/r1` works in a fresh folder). *created = 1 if anything was created, and
 * *first the length of the first created component's path. */
static int prepare_dir(const char *dir, int *created, size_t *first)
{
    struct stat sb;
    char path[4096];
    *created = 0;
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path) {
        fprintf(stderr, "wlsim export: argument -o: expected a folder name under 4096 characters\n");
        return ERR_INPUT;
    }
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char keep = *p;
        *p = '\0';
        if (stat(path, &sb) != 0) {
            if (errno != ENOENT || mkdir(path, 0777) != 0) {
                fprintf(stderr, "wlsim export: argument -o: expected a writable folder (created if missing), "
                                "found '%s' (%s: %s)\n", dir, path, strerror(errno));
                if (*created) rmdir_created(path, *first);
                return ERR_INPUT;
            }
            if (!*created) *first = strlen(path);
            *created = 1;
        } else if (!S_ISDIR(sb.st_mode)) {
            fprintf(stderr, "wlsim export: argument -o: expected a folder, found the file '%s'\n", path);
            if (*created) rmdir_created(path, *first);
            return ERR_INPUT;
        }
        *p = keep;
        if (!keep) break;
    }
    if (access(dir, W_OK | X_OK) != 0) {
        fprintf(stderr, "wlsim export: argument -o: expected a writable folder, found '%s' (%s)\n", dir,
                strerror(errno));
        if (*created) rmdir_created(dir, *first);
        return ERR_INPUT;
    }
    return 0;
}

int export_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"replication", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},   {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *dir = NULL;
    long rep = 0;
    int quiet = 0, have_seed = 0, c, created = 0, rc = 0;
    size_t first_created = 0;
    unsigned long long seed = 0;
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:r:s:qh", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': dir = optarg; break;
        case 'r':
            errno = 0;
            rep = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || rep < 0 || rep > 99999999) {
                fprintf(stderr, "wlsim export: argument -r: expected an integer in [0, 99999999], found '%s'\n",
                        optarg);
                return ERR_INPUT;
            }
            break;
        case 's':
            errno = 0;
            seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || seed == 0) {
                fprintf(stderr, "wlsim export: argument -s: expected an integer in [1, 2^64-1], found '%s'\n", optarg);
                return ERR_INPUT;
            }
            have_seed = 1;
            break;
        case 'q': quiet = 1; break;
        case 'h': usage(stdout); return 0;
        default: fprintf(stderr, "wlsim export: see 'wlsim export --help'\n"); return ERR_INPUT;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "wlsim export: expected one scenario file, found %d\n", argc - optind);
        return ERR_INPUT;
    }
    if (!dir) {
        fprintf(stderr, "wlsim export: argument -o: expected the folder to write to, found none\n");
        return ERR_INPUT;
    }
    if ((rc = scen_load(argv[optind], &s, &e))) {
        fprintf(stderr, "%s\n", e.msg);
        goto cleanup;
    }
    if (s->replay) {
        rc = refuse_replay(s, &e);
        fprintf(stderr, "wlsim export: %s\n", e.msg);
        goto cleanup;
    }
    if ((rc = prepare_dir(dir, &created, &first_created))) goto cleanup;
    struct export_stats st;
    const uint64_t sd = have_seed ? seed : s->seed;
    if ((rc = export_write(s, sd, (int)rep, dir, &st, &e))) {
        fprintf(stderr, "wlsim export: %s\n", e.msg);
        if (created) rmdir_created(dir, first_created);
        goto cleanup;
    }
    if (!quiet) {
        fprintf(stderr, "wrote %s: %zu candidates (%zu relistings), %zu status rows, %zu donors of replication %ld "
                        "of %s (seed %" PRIu64 ")%s\n",
                dir, st.candidates, st.relistings, st.history, st.donors, rep, s->name, sd,
                s->n_axes ? "; a sweep: its baseline as written" : "");
        if (st.inexact_ages)
            fprintf(stderr, "note: the age of %zu candidates gives back the birth day only to the last bit\n",
                    st.inexact_ages);
    }

cleanup:
    scen_free(s);
    return rc;
}
