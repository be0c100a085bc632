/* rank.c — `wlsim rank`: reads the waiting list, its status history and one donor, asks each
 * organ's policy for its match list on the given day and prints it with reasons. See rank.h. */
#include "rank.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "cand.h"
#include "csvin.h"
#include "match.h"
#include "policy.h"
#include "registry.h"
#include "replay.h"
#include "rng.h"
#include "scenario.h"

#ifndef WLSIM_DATADIR
#define WLSIM_DATADIR "scenarios"
#endif

#define DAY_LIMIT 10000000L /* --day within +-10^7, as the day columns of the files */

/* One programme's list: matches m[0..n): ranked [0, ranked), eligible but not offered in the
 * accelerated procedure [ranked, eligible), excluded [eligible, n). */
struct plist {
    struct match *m;
    size_t n, ranked, eligible;
};

const char *rank_default_scenario(char *buf, size_t len)
{
    const char *dir = getenv("WLSIM_SCENARIO_DIR");
    if (dir && *dir) snprintf(buf, len, "%s/default.yaml", dir);
    else if (access("scenarios/default.yaml", R_OK) == 0) snprintf(buf, len, "scenarios/default.yaml");
    else snprintf(buf, len, "%s/default.yaml", WLSIM_DATADIR);
    return buf;
}

static int seq_cmp(const void *a, const void *b)
{
    const struct match *x = a, *y = b;
    return (x->c->seq > y->c->seq) - (x->c->seq < y->c->seq);
}

/* Ranks the candidates of `organ` among cs for d into *pl. */
static int rank_organ(const struct scenario *s, enum organ organ, const struct donor *d, double day,
                      int all, struct csvin_cands *cs, struct plist *pl, struct err *e)
{
    const struct policy_ops *ops = s->ops[organ];
    const void *par = s->par[organ];
    struct cand **list = NULL;
    int rc = 0;
    size_t n = 0;
    for (size_t i = 0; i < cs->n; i++) n += prog_organ(cs->c[i].prog) == organ;
    if (n == 0) return 0;
    if (!(list = malloc(n * sizeof *list)) || !(pl->m = calloc(n, sizeof *pl->m))) {
        rc = err_set(e, ERR_INTERNAL, "out of memory");
        goto cleanup;
    }
    n = 0;
    for (size_t i = 0; i < cs->n; i++)
        if (prog_organ(cs->c[i].prog) == organ) list[n++] = &cs->c[i];
    pl->n = ops->match(par, d, day, list, n, all, pl->m);
    /* Eligible first (stable), then rank order; the excluded in file order. */
    size_t k = 0;
    for (size_t i = 0; i < pl->n; i++)
        if (pl->m[i].eligible) {
            struct match x = pl->m[i];
            memmove(&pl->m[k + 1], &pl->m[k], (i - k) * sizeof *pl->m);
            pl->m[k++] = x;
        }
    pl->eligible = pl->ranked = k;
    match_sort(pl->m, k);
    qsort(pl->m + k, pl->n - k, sizeof *pl->m, seq_cmp);
    if (ops->ecd && ops->accel_order && ops->ecd(par, d)) {
        /* The drawn parts of the procedure as the scenario's seed gives them for replication 0,
         * donor 0 (sim.c keys the same sub-stream by the donor): reproducible. */
        char name[32];
        gsl_rng *r = rng_stream_alloc(rng_type_by_name(scen_rng_name(s, name, sizeof name)), s->seed, 0,
                                      RNG_DONORS, (1ull << 63) | (uint64_t)organ);
        if (!r) {
            rc = err_set(e, ERR_INTERNAL, "out of memory");
            goto cleanup;
        }
        pl->ranked = ops->accel_order(par, d, pl->m, k, SIZE_MAX, r);
        gsl_rng_free(r);
    }

cleanup:
    free(list);
    return rc;
}

/* Writes one CSV field: as it is, or quoted by libcsv when it needs quoting. */
const char *rank_points(double p, char *buf, size_t len)
{
    return match_points_text(p, buf, len); /* the reasons format points with it too */
}

/* Why m ranks below the ranked row before it, prev, when both have the same tier and points:
 * the order's next keys (model/match.h), earlier listing, then the lower candidate number. */
static void tie_note(const struct match *prev, const struct match *m, size_t prev_rank, char *buf, size_t len)
{
    if (prev->tier != m->tier || prev->points != m->points) return;
    size_t u = strlen(buf);
    if (prev->c->w.listed < m->c->w.listed)
        snprintf(buf + u, len - u, "; tie on points with rank %zu, broken by the earlier listing (day %.6g before %.6g)",
                 prev_rank, prev->c->w.listed, m->c->w.listed);
    else if (prev->c->w.listed == m->c->w.listed && prev->c->seq < m->c->seq)
        snprintf(buf + u, len - u, "; tie on points and listing day with rank %zu, broken by the candidate number (seq)",
                 prev_rank);
}

static void print_list(FILE *out, const struct scenario *s, enum organ organ, const struct donor *d,
                       double day, int all, const struct plist *pl)
{
    const struct policy_ops *ops = s->ops[organ];
    const void *par = s->par[organ];
    size_t upto = all ? pl->n : pl->ranked;
    for (size_t i = 0; i < upto; i++) {
        const struct match *m = &pl->m[i];
        char rank[24] = "", group[64] = "", step[16] = "", pts[48] = "", reason[1024] = "";
        if (i < pl->ranked) snprintf(rank, sizeof rank, "%zu", i + 1);
        ops->group_name(par, m, group, sizeof group);
        if (m->abo_step > 0) snprintf(step, sizeof step, "%d", m->abo_step);
        if (m->eligible) rank_points(m->points, pts, sizeof pts);
        ops->reason(par, d, day, m, reason, sizeof reason - 64);
        if (i >= pl->ranked && i < pl->eligible)
            strcat(reason, "; not offered in the accelerated procedure");
        if (i > 0 && i < pl->ranked) tie_note(&pl->m[i - 1], m, i, reason, sizeof reason);
        csvin_put_field(out, rank, 0);
        csvin_put_field(out, m->c->id, 0);
        csvin_put_field(out, prog_name(m->c->prog), 0);
        csvin_put_field(out, group, 0);
        csvin_put_field(out, step, 0);
        csvin_put_field(out, pts, 0);
        csvin_put_field(out, reason, 1);
    }
}

int rank_run(const struct rank_args *a, FILE *out, struct err *e)
{
    struct scenario *s = NULL;
    struct csvin_names *names = NULL;
    struct csvin_cands *cs = NULL;
    struct csvin_hist *h = NULL;
    struct donor *d = NULL;
    struct plist pl[ORGAN_N];
    size_t nh = 0, nd = 0;
    int rc = 0;
    char defpath[4096];
    memset(pl, 0, sizeof pl);
    const char *scen = a->scenario;
    if (!scen) {
        scen = rank_default_scenario(defpath, sizeof defpath);
        if (access(scen, R_OK) != 0) {
            rc = err_set(e, ERR_INPUT,
                         "argument --scenario: expected a scenario file, or the default scenario at "
                         "%s, found neither (%s; set WLSIM_SCENARIO_DIR or give --scenario)",
                         scen, strerror(errno));
            goto cleanup;
        }
    }
    if ((rc = scen_load(scen, &s, e))) goto cleanup;
    if (!(names = csvin_names_alloc())) {
        rc = err_set(e, ERR_INTERNAL, "out of memory");
        goto cleanup;
    }
    if ((rc = csvin_cands_read(a->candidates, a->day, 0, names, &cs, e))) goto cleanup;
    for (size_t i = 0; i < cs->n; i++)
        if (cs->c[i].w.listed > a->day) {
            rc = err_set(e, ERR_INPUT,
                         "%s:%ld:%ld: column listed_day: expected a day on or before --day %.0f, found '%.0f'",
                         cs->path, cs->line[i], cs->listed_col, a->day, cs->c[i].w.listed);
            goto cleanup;
        }
    if ((rc = csvin_history_read(a->history, cs, 0, &h, &nh, e))) goto cleanup;
    for (size_t i = 0; i < cs->n; i++) {
        enum organ o = prog_organ(cs->c[i].prog);
        if (s->ops[o]->prepare) s->ops[o]->prepare(s->par[o], &cs->c[i]);
    }
    if ((rc = csvin_donors_read(a->donor, names, 0, 1, &d, &nd, e))) goto cleanup;
    if (nd == 0) {
        rc = err_set(e, ERR_INPUT, "%s:2:1: expected one donor row after the header, found none", a->donor);
        goto cleanup;
    }
    d->day = a->day;
    for (int o = 0; o < ORGAN_N; o++) *organ_offer_flag(registry_organ((enum organ)o), d) = 1;
    /* The history only now, with every input valid: a bad donor file must not leave
     * --strict warnings behind. */
    if (!a->strict) csvin_history_apply(cs, h, nh, a->day);
    else if ((rc = replay_history_strict((const struct policy_ops *const *)s->ops, s->par, cs, a->history,
                                         h, nh, a->day, "wlsim rank", "--strict",
                                         a->warn ? a->warn : stderr, e)))
        goto cleanup;
    for (int o = 0; o < ORGAN_N; o++)
        if ((rc = rank_organ(s, (enum organ)o, d, a->day, a->all, cs, &pl[o], e))) goto cleanup;

    fputs("rank,id,program,group,abo_step,points,reason\n", out);
    for (int o = 0; o < ORGAN_N; o++) print_list(out, s, (enum organ)o, d, a->day, a->all, &pl[o]);
    if (fflush(out) != 0 || ferror(out))
        rc = err_set(e, ERR_INTERNAL, "writing the match list: %s", strerror(errno));

cleanup:
    for (int o = 0; o < ORGAN_N; o++) free(pl[o].m);
    free(d);
    free(h);
    csvin_cands_free(cs);
    csvin_names_free(names);
    scen_free(s);
    return rc;
}

/* The optional candidate columns (region, center, then the organ tables' attribute columns),
 * comma-separated and wrapped under the usage's --candidates line. */
static void usage_cand_cols(FILE *f)
{
    const struct cand_col *attr[REGISTRY_CAND_COLS_MAX];
    const size_t n = registry_cand_cols(attr);
    const char *indent = "                      ";
    int width = fprintf(f, "%sregion,center,", indent);
    for (size_t i = 0; i < n; i++) {
        int len = (int)strlen(attr[i]->name) + (i + 1 < n);
        if (width + len > 90) width = fprintf(f, "\n%s", indent) - 1;
        width += fprintf(f, "%s%s", attr[i]->name, i + 1 < n ? "," : "");
    }
    fputc('\n', f);
}

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: wlsim rank --candidates C.csv --history H.csv --donor D.csv --day DAY\n"
            "                  [--scenario S.yaml] [--all] [--strict]\n\n"
            "Prints the match list the policy produces for one donor on day DAY, best first, as CSV:\n"
            "  rank,id,program,group,abo_step,points,reason\n"
            "Heart / heart-lung candidates are ranked by the scenario's heart policy, pancreas /\n"
            "pancreas-kidney candidates by its pancreas policy; the heart rows come first, then the\n"
            "pancreas rows, each programme ranked from 1.\n\n"
            "  --candidates C.csv  the waiting list: id,program,abo,age_years,listed_day required;\n");
    usage_cand_cols(f);
    fprintf(f,
            "                      optional (age_years is the age on DAY; no one listed after DAY)\n"
            "  --history H.csv     status changes: id,day,status[,nt_credit]; status T, HU (heart),\n"
            "                      SU (pancreas) or NT from day on; rows after DAY are ignored; a\n"
            "                      candidate without rows is T from listed_day\n"
            "  --donor D.csv       one donor: id,abo,age_years required; region,hla_typed,weight_kg,\n"
            "                      bmi,sex,waist_cm,ecd,tlc_l,height_cm,cpr_min,icu_days,sodium\n"
            "                      optional\n"
            "  --day DAY           the day of the offer (a whole number, the files' day scale)\n"
            "  --scenario S.yaml   the policies and their parameters; default: the shipped default\n"
            "                      scenario, $WLSIM_SCENARIO_DIR/default.yaml if that variable is set,\n"
            "                      else scenarios/default.yaml in the current folder, else\n"
            "                      %s/default.yaml\n"
            "  --all               also list the excluded candidates, with an empty rank and the reason\n"
            "  --strict            a grant older than its validity without a renewal row has lapsed\n"
            "                      (HU 28/56 days, SU 91, early re-transplant SU 61, NT application\n"
            "                      61): applied as lapsed, with a warning on stderr naming the row;\n"
            "                      default: the history's last status holds (docs/rank.md)\n"
            "  -h, --help          this text\n\n"
            "Exit codes: 0 success, 2 bad input (the message names file, line and column), 1 internal\n"
            "failure. Formats: docs/rank.md.\n",
            WLSIM_DATADIR);
}

static const struct option OPTS[] = {
    {"candidates", required_argument, NULL, 'c'}, {"history", required_argument, NULL, 'H'},
    {"donor", required_argument, NULL, 'd'},      {"day", required_argument, NULL, 'D'},
    {"scenario", required_argument, NULL, 's'},   {"all", no_argument, NULL, 'a'},
    {"strict", no_argument, NULL, 'S'},           {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

/* Message for an option getopt_long rejected (`arg` as given). */
static int bad_option(const char *arg, struct err *e)
{
    size_t n = strcspn(arg, "=");
    for (const struct option *o = OPTS; o->name; o++)
        if (o->has_arg == required_argument && strncmp(arg, "--", 2) == 0 && n - 2 == strlen(o->name)
            && strncmp(arg + 2, o->name, n - 2) == 0)
            return err_set(e, ERR_INPUT, "argument --%s: expected a value, found none", o->name);
    return err_set(e, ERR_INPUT, "expected an option of rank (see 'wlsim rank --help'), found '%s'", arg);
}

int rank_parse(int argc, char **argv, struct rank_args *a, int *help, struct err *e)
{
    int c;
    *a = (struct rank_args){.day = NAN};
    *help = 0;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", OPTS, NULL)) != -1) {
        switch (c) {
        case 'c': a->candidates = optarg; break;
        case 'H': a->history = optarg; break;
        case 'd': a->donor = optarg; break;
        case 's': a->scenario = optarg; break;
        case 'a': a->all = 1; break;
        case 'S': a->strict = 1; break;
        case 'D': {
            char *end;
            errno = 0;
            long v = strtol(optarg, &end, 10);
            if (errno || end == optarg || *end || v < -DAY_LIMIT || v > DAY_LIMIT)
                return err_set(e, ERR_INPUT, "argument --day: expected a whole number in [%ld, %ld], found '%s'",
                               -DAY_LIMIT, DAY_LIMIT, optarg);
            a->day = (double)v;
            break;
        }
        case 'h': *help = 1; return 0;
        default: return bad_option(argv[optind - 1], e);
        }
    }
    if (optind < argc)
        return err_set(e, ERR_INPUT, "expected only options (see 'wlsim rank --help'), found '%s'", argv[optind]);
    const char *missing = !a->candidates ? "--candidates C.csv" : !a->history ? "--history H.csv"
                          : !a->donor    ? "--donor D.csv"      : isnan(a->day) ? "--day DAY" : NULL;
    if (missing) return err_set(e, ERR_INPUT, "expected %s, found none (see 'wlsim rank --help')", missing);
    return 0;
}

int rank_main(int argc, char **argv)
{
    struct rank_args a;
    struct err e;
    int help, rc;
    err_clear(&e);
    if (!(rc = rank_parse(argc, argv, &a, &help, &e))) {
        if (help) {
            usage(stdout);
            return 0;
        }
        rc = rank_run(&a, stdout, &e);
    }
    if (rc) fprintf(stderr, "wlsim rank: %s\n", e.msg);
    return rc;
}
