/* main.c — the wlsim command line: run, check, rank, --help, --version.
 *
 * The only place that touches process-wide settings: the GSL error handler (off: every GSL
 * call's result is checked where it matters), HDF5's automatic error printing (off: errors are
 * reported through struct err), and the SIGINT/SIGTERM handlers that ask the runner to stop so
 * the temporary output can be removed. Exit codes: 0 ok, 2 bad input, 1 internal failure,
 * 130 interrupted. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <hdf5.h>
#include <omp.h>

#include "branch.h"
#include "ckpt.h"
#include "compare.h"
#include "err.h"
#include "export.h"
#include "h5out.h"
#include "info.h"
#include "psa.h"
#include "rank.h"
#include "report.h"
#include "runner.h"
#include "scenario.h"
#include "sens.h"
#include "verify.h"
#ifdef WLSIM_MPI
#include <mpi.h>

#include "mpiw.h"
#endif

/* This process's place in an MPI job (rank 0 of 1 without MPI). */
struct procs {
    int rank, size;
};

static volatile sig_atomic_t g_stop = 0; /* written only by the signal handler */
/* 0: a signal ends the process at once (exit 130): loading, check, rank, verify and export write
 * nothing that a kill would leave half done, and some of their steps (reading a large replay,
 * one long replication) never look at g_stop. 1: `run` while it simulates: the first signal
 * asks the runner to stop after the current items, so that the side file keeps the finished
 * work and the temporary file is removed; a second signal removes g_tmp and exits at once. */
static volatile sig_atomic_t g_coop = 0;
static char g_tmp[PATH_MAX + 32];         /* run's temporary results file; set before g_coop */

static void on_signal(int sig)
{
    (void)sig;
    if (!g_coop || g_stop) {
        if (g_coop && g_tmp[0]) unlink(g_tmp); /* async-signal-safe, as is _exit */
        _exit(130);
    }
    g_stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "wlsim %s — discrete-event simulator of the German heart / heart-lung and\n"
            "pancreas / pancreas-kidney transplant waiting lists.\n\n"
            "Usage:\n"
            "  wlsim run SCENARIO.yaml [SCENARIO2.yaml ...] [-o OUT.h5] [-r REPLICATIONS] [-s SEED]\n"
            "            [-j THREADS] [-q] [--summary-only] [--warmup-rows] [--resume] [--branch[=keep|redraw]]\n"
            "            [--uncertainty U.yaml]\n"
            "      Run every scenario (a variant each; variant 0 is the baseline) and write the results\n"
            "      to OUT.h5 (default output/<first scenario's name>.h5). An existing file is replaced\n"
            "      only when the new one is complete; until then finished work is kept in OUT.h5.resume.\n"
            "  wlsim verify OUT.h5 [-r K] [-j THREADS] [-q] [--allow-paths]\n"
            "      Re-run the first K replications (default: all) from the scenario text, seed and settings\n"
            "      stored in OUT.h5 and report per replication whether the results are bit-identical; every\n"
            "      table and attribute must be the one a run writes. --allow-paths: accept replay files\n"
            "      stored with absolute paths or '..' (refused by default: the file is not trusted).\n"
            "  wlsim check SCENARIO.yaml [...] [--uncertainty U.yaml]\n"
            "                                      validate only; prints \"ok\" on success\n"
            "  wlsim check --list                  list every scenario parameter with default, bounds,\n"
            "                                      unit, help and source\n"
            "  wlsim rank --candidates C.csv --history H.csv --donor D.csv --day DAY\n"
            "             [--scenario S.yaml] [--all]\n"
            "      Print the ranked match list for one donor, with reasons (see docs/rank.md).\n"
            "  wlsim export SCENARIO.yaml -o DIR [-r REPLICATION] [-s SEED] [-q]\n"
            "      Write one replication's population as replay files and a scenario replaying it\n"
            "      (DIR/candidates.csv, history.csv, donors.csv, scenario.yaml; docs/scenario.md).\n"
            "  wlsim info OUT.h5\n"
            "      Describe a results file: version, seed, variants and what differs, tables and sizes.\n"
            "  wlsim COMMAND --help                help on one command\n"
            "  wlsim --help | --version\n\n"
            "Options of run:\n"
            "  -o, --output FILE        results file\n"
            "  -r, --replications N     replications per scenario (default: the scenario's `replications`)\n"
            "  -s, --seed N             master seed (default: the first scenario's `seed`)\n"
            "  -j, --threads N          OpenMP threads (default: all cores); results do not depend on it\n"
            "  -q, --quiet              no progress line on stderr (results still go to stdout)\n"
            "      --summary-only       no per-entity tables (/summary, /groups, /series, /comparison only)\n"
            "      --warmup-rows        entity tables keep the warm-up's rows too (default: counted years only)\n"
            "      --resume             continue an interrupted run from OUT.h5.resume (the same command\n"
            "                           line; without a side file it starts afresh, so it is safe always)\n"
            "      --branch             a rule change on a date: per replication the warm-up runs once under\n"
            "                           variant 0's rules and every variant continues from a copy of its state\n"
            "                           at day 0 (variants may differ only in policy.*; docs/compare.md);\n"
            "                           =redraw: listed candidates' pending transitions are drawn afresh\n"
            "                           at day 0 under a changed programme's rules (docs/rules.md §3)\n"
            "      --uncertainty U.yaml each replication draws the population and model parameters U.yaml\n"
            "                           names from their distributions (the same set for every variant);\n"
            "                           writes /draws, /sensitivity and /uncertainty (docs/compare.md)\n\n"
            "Exit codes: 0 success, 2 bad input, 1 internal failure (verify: results differ),\n"
            "130 interrupted.\n"
            "Documentation: README.md, docs/scenario.md, docs/output.md, docs/rules.md.\n",
            WLSIM_VERSION);
}

static int parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        fprintf(stderr, "wlsim: argument %s: expected an integer in [%ld, %ld], found '%s'\n", opt, lo, hi, s);
        return ERR_INPUT;
    }
    *out = v;
    return 0;
}

/* Loads every scenario file and expands its sweep grid: *out receives the variants in order
 * (each file's baseline, then its grid points) and *nv their number. Returns 0 or the error code
 * (message printed). */
static int load_all(int n, char **paths, struct scenario ***out, int *nv, int verbose)
{
    struct scenario **all = NULL;
    int count = 0, rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        struct scenario *s = NULL, **v = NULL;
        int k = 0;
        struct err e;
        err_clear(&e);
        rc = scen_load(paths[i], &s, &e);
        if (!rc) rc = scen_expand(s, &v, &k, &e);
        scen_free(s);
        if (rc) {
            if (verbose) fprintf(stderr, "%s\n", e.msg);
            break;
        }
        struct scenario **grown = realloc(all, (size_t)(count + k) * sizeof *grown);
        if (!grown) {
            for (int j = 0; j < k; j++) scen_free(v[j]);
            free(v);
            rc = ERR_INTERNAL;
            break;
        }
        all = grown;
        memcpy(all + count, v, (size_t)k * sizeof *v);
        count += k;
        free(v);
    }
    if (rc) {
        for (int j = 0; j < count; j++) scen_free(all[j]);
        free(all);
        return rc;
    }
    *out = all;
    *nv = count;
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        scen_list(stdout);
        return 0;
    }
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("Usage: wlsim check SCENARIO.yaml [SCENARIO2.yaml ...]\n"
               "  Validate the scenarios (and expand their sweeps) without running: prints \"ok\", or\n"
               "  FILE:LINE:COL: key: expected ..., found ... on stderr and exits with 2.\n"
               "       wlsim check --list\n"
               "  Print every scenario parameter with default, bounds, unit, help and source (Markdown;\n"
               "  docs/parameters.md is this list).\n");
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "wlsim check: expected a scenario file (or --list), found nothing\n");
        return ERR_INPUT;
    }
    /* `--uncertainty U.yaml` anywhere: U.yaml is checked against the variants as `run` would. */
    const char *unc = NULL;
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--uncertainty") == 0) {
            if (i + 1 == argc) {
                fprintf(stderr, "wlsim check: argument --uncertainty: expected a file, found nothing\n");
                return ERR_INPUT;
            }
            unc = argv[++i];
        } else {
            argv[1 + n++] = argv[i];
        }
    }
    struct scenario **sc = NULL;
    int nv = 0;
    int rc = n ? load_all(n, argv + 1, &sc, &nv, 1) : ERR_INPUT;
    if (!n) fprintf(stderr, "wlsim check: expected a scenario file, found only --uncertainty\n");
    if (!rc && unc) {
        struct psa *p = NULL;
        struct err e;
        err_clear(&e);
        if ((rc = psa_load(unc, &p, &e)) || (rc = psa_bind(p, (const struct scenario *const *)sc, nv, &e)))
            fprintf(stderr, "%s\n", e.msg);
        psa_free(p);
    }
    /* A warning, not an error: a short warm-up is legitimate for tests and for studying the
     * fill-up itself. One line per file (a sweep's grid points share their file). */
    for (int i = 0; !rc && i < nv; i++)
        if (!sc[i]->replay && sc[i]->run.warmup_years < SCEN_STEADY_WARMUP_YEARS &&
            (i == 0 || strcmp(sc[i]->path, sc[i - 1]->path) || sc[i]->run.warmup_years != sc[i - 1]->run.warmup_years))
            fprintf(stderr, "%s: warning: horizon.warmup_years: %g years is shorter than the %g years the synthetic "
                    "lists need to reach their steady state (docs/model.md, Steady state): the counted years "
                    "would start on a list still filling up\n", sc[i]->path, sc[i]->run.warmup_years,
                    SCEN_STEADY_WARMUP_YEARS);
    for (int i = 0; i < nv; i++) scen_free(sc[i]);
    free(sc);
    if (!rc) printf("ok\n");
    return rc;
}

/* Checks that the folder of `path` exists and is writable, creating `output/` for the default,
 * and that `path` is a new name or a regular file: a run replaces the file by renaming a new one
 * over it, which must not turn a device, a symbolic link or a directory into a results file
 * (nor, for a directory, fail only after every replication has run). */
static int check_out_dir(const char *path, int is_default)
{
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        fprintf(stderr, "wlsim run: argument -o: expected a regular file or a new name, found %s '%s'\n",
                S_ISDIR(st.st_mode) ? "a directory" : S_ISLNK(st.st_mode) ? "a symbolic link" : "a device or special file",
                path);
        return ERR_INPUT;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = '\0';
    else *slash = '\0';
    if (is_default) mkdir(dir, 0777);
    if (access(dir, W_OK) != 0) {
        fprintf(stderr, "wlsim run: argument -o: expected a file in a writable folder, found '%s' (%s: %s)\n",
                path, dir, strerror(errno));
        return ERR_INPUT;
    }
    return 0;
}

/* Where each finished replication goes, in work-item order: the printed summary, the paired
 * comparisons, the results file and the resume side file. */
struct run_sink {
    struct report *report;
    struct cmp *cmp;
    struct h5out *h;
    struct ckpt *ckpt;          /* NULL while feeding back results read from it */
    const struct psa *psa;      /* --uncertainty, else NULL */
    struct sens *sens;          /* --uncertainty with two or more variants, else NULL */
    uint64_t seed;
    double *draws;              /* the current replication's draws (psa_n) */
};

static int run_sink(void *vctx, const struct rep_result *r, struct err *e)
{
    struct run_sink *s = vctx;
    if (s->report) report_add(s->report, r);
    if (s->cmp) cmp_add(s->cmp, r);
    if (h5out_append(s->h, r, e)) return ERR_INTERNAL;
    if (s->psa && r->variant == 0) { /* a replication's draws, once (the variants share them) */
        int rc = psa_draw(s->psa, s->seed, r->replication, s->draws, e);
        if (rc || (rc = h5out_draws(s->h, r->replication, s->psa, s->draws, e))) return rc;
    }
    if (s->sens) sens_add(s->sens, r, s->draws);
    return s->ckpt ? ckpt_append(s->ckpt, r, e) : 0;
}

/* The sink's work for any thread (runner_cfg.work): the results file's compression. */
static int run_work(void *vctx)
{
    struct run_sink *s = vctx;
    return s->h ? h5out_work(s->h) : 0;
}

/* Feeds the results stored in the side file back to the sink (resume). Returns 0 or an error. */
static int feed_back(struct ckpt *ck, struct run_sink *sink, const struct runner_cfg *cfg, int quiet, struct err *e)
{
    struct run_sink replay = *sink;
    replay.ckpt = NULL;
    size_t total = runner_total(cfg);
    int dropped = 0, got;
    struct rep_result *r = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((got = ckpt_next(ck, &r, &dropped, e)) == 1) {
        size_t k = ckpt_count(ck) - 1;
        int ok = k < total && (size_t)r->replication * (size_t)cfg->n_variants + (size_t)r->variant == k;
        int rc = ok ? run_sink(&replay, r, e)
                    : err_set(e, ERR_INPUT, "%s: record %zu holds variant %d replication %d, expected item %zu",
                              ckpt_path(ck), k, r->variant, r->replication, k);
        sim_result_free(r);
        if (rc) return rc;
    }
    if (got < 0) return ERR_INTERNAL;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!quiet && (ckpt_count(ck) > 0 || dropped))
        fprintf(stderr, "resuming: %zu of %zu work items read back from %s in %.2f s%s\n", ckpt_count(ck), total,
                ckpt_path(ck), (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
                dropped ? " (an incomplete last record was dropped)" : "");
    return 0;
}

/* Tells the worker ranks whether rank 0's set-up succeeded (rc 0: start serving items). Every
 * rank calls it exactly once per run; without MPI it does nothing. */
static void go_or_stop(const struct procs *p, int *rc, int *told)
{
    if (*told || p->size < 2) return;
    *told = 1;
#ifdef WLSIM_MPI
    MPI_Bcast(rc, 1, MPI_INT, 0, MPI_COMM_WORLD);
#else
    (void)rc;
#endif
}

/* What `wlsim run` was asked: its options and scenario files. */
struct run_args {
    const char *out, *unc_path; /* -o (NULL: the default path), --uncertainty (NULL: none) */
    long reps, threads, quiet, summary_only, resume, warmup_rows, branch;
    unsigned long long seed;
    int have_seed;
    int n_paths;
    char **paths;
};

/* run_parse's code when it printed the help text: the command ends with exit code 0. */
#define RUN_HELP (-1)

/* Everything a run holds; run_state_free releases what is set. */
struct run_state {
    struct scenario **sc;
    int nv;
    struct psa *psa;
    double *draws;              /* one replication's --uncertainty draws (psa_n) */
    const char **names;         /* the variants' names */
    struct report *rep;
    struct cmp *cmp;
    struct sens *sens;
    struct ckpt *ck;
    struct h5out *h;
    struct rec_comparison *rows;
    size_t nrows;
    struct rec_sens *srows;
    struct rec_unc *urows;
    size_t nsrows, nurows;
    char defpath[PATH_MAX];
};

/* Parses the options and operands of `wlsim run` into a. Returns 0, ERR_INPUT (message
 * printed) or RUN_HELP (usage printed). */
static int run_parse(int argc, char **argv, struct run_args *a)
{
    static const struct option opts[] = {
        {"output", required_argument, NULL, 'o'}, {"replications", required_argument, NULL, 'r'},
        {"seed", required_argument, NULL, 's'},   {"threads", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},        {"summary-only", no_argument, NULL, 'S'},
        {"resume", no_argument, NULL, 'R'},       {"help", no_argument, NULL, 'h'},
        {"warmup-rows", no_argument, NULL, 'W'},
        {"uncertainty", required_argument, NULL, 'U'}, {"branch", optional_argument, NULL, 'B'},
        {NULL, 0, NULL, 0}};
    int c;
    *a = (struct run_args){.reps = -1, .threads = omp_get_num_procs()};
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:r:s:j:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o': a->out = optarg; break;
        case 'r': if (parse_long("-r", optarg, 1, 100000000, &a->reps)) return ERR_INPUT; break;
        case 'j': if (parse_long("-j", optarg, 1, 4096, &a->threads)) return ERR_INPUT; break;
        case 's': {
            char *end;
            errno = 0;
            a->seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || optarg[0] == '-' || a->seed == 0) {
                fprintf(stderr, "wlsim run: argument -s: expected an integer in [1, 2^64-1], found '%s'\n", optarg);
                return ERR_INPUT;
            }
            a->have_seed = 1;
            break;
        }
        case 'q': a->quiet = 1; break;
        case 'S': a->summary_only = 1; break;
        case 'R': a->resume = 1; break;
        case 'W': a->warmup_rows = 1; break;
        case 'B':
            if (!optarg || !strcmp(optarg, "keep")) a->branch = SIM_BRANCH_KEEP;
            else if (!strcmp(optarg, "redraw")) a->branch = SIM_BRANCH_REDRAW;
            else {
                fprintf(stderr, "wlsim run: argument --branch: expected keep or redraw, found '%s'\n", optarg);
                return ERR_INPUT;
            }
            break;
        case 'U': a->unc_path = optarg; break;
        case 'h': usage(stdout); return RUN_HELP;
        default:
            fprintf(stderr, "wlsim run: see 'wlsim --help'\n");
            return ERR_INPUT;
        }
    }
    if (argc - optind < 1) {
        fprintf(stderr, "wlsim run: expected at least one scenario file, found none\n");
        return ERR_INPUT;
    }
    a->n_paths = argc - optind;
    a->paths = argv + optind;
    return 0;
}

/* Loads the scenarios, checks that --branch may branch them and binds --uncertainty to them,
 * on every rank (rank 0 prints the messages); the ranks then agree on the worst code, so all
 * go on or all stop. */
static int run_load(const struct run_args *a, const struct procs *p, struct run_state *st)
{
    int rc = load_all(a->n_paths, a->paths, &st->sc, &st->nv, p->rank == 0);
    if (!rc && a->branch) {
        struct err be;
        err_clear(&be);
        if ((rc = branch_check((const struct scenario *const *)st->sc, st->nv, &be)) && p->rank == 0)
            fprintf(stderr, "wlsim run: %s\n", be.msg);
    }
    if (!rc && a->unc_path) { /* every rank draws for the items it runs */
        struct err ue;
        err_clear(&ue);
        if ((rc = psa_load(a->unc_path, &st->psa, &ue))
            || (rc = psa_bind(st->psa, (const struct scenario *const *)st->sc, st->nv, &ue))) {
            if (p->rank == 0) fprintf(stderr, "%s\n", ue.msg);
        } else if (!(st->draws = calloc((size_t)psa_n(st->psa), sizeof *st->draws))) {
            rc = ERR_INTERNAL;
        }
    }
#ifdef WLSIM_MPI
    if (p->size > 1) /* every rank must agree that the scenarios load before any other exchange */
        MPI_Allreduce(MPI_IN_PLACE, &rc, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
#endif
    return rc;
}

/* Warns when an MPI rank runs more threads than it has cores (nothing without MPI). */
static void run_warn_binding(const struct procs *p, long threads)
{
#ifdef WLSIM_MPI
    /* mpirun binds each rank to one core by default when it starts one or two ranks: OpenMP
     * threads would then share that core. omp_get_num_procs() counts the cores this rank may use. */
    int cores = omp_get_num_procs();
    if (cores < threads)
        fprintf(stderr, "wlsim-mpi: warning: rank %d may use %d core%s but runs %ld threads; with mpirun add "
                "--bind-to none (or --map-by slot:PE=%ld), with srun --cpus-per-task=%ld\n",
                p->rank, cores, cores == 1 ? "" : "s", threads, threads, threads);
#else
    (void)p;
    (void)threads;
#endif
}

/* The default results file of scenario s, output/NAME.h5, into buf; returns buf. */
static const char *run_default_path(const struct scenario *s, char *buf, size_t len)
{
    /* The name is free text: only its safe characters go into the path (`name: ../x` must
     * not write outside output/). */
    char safe[sizeof s->name];
    size_t n = 0;
    for (const char *q = s->name; *q && n + 1 < sizeof safe; q++) {
        unsigned char ch = (unsigned char)*q;
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == '-' || ch == '_' || ch == '+' || ch == '=' || ch == ',' || ch == '[' || ch == ']' ||
                   (ch == '.' && n > 0) || ch >= 0x80;
        safe[n++] = keep ? (char)ch : '_';
    }
    safe[n] = '\0';
    snprintf(buf, len, "output/%s.h5", n ? safe : "scenario");
    return buf;
}

/* Allocates what collects the finished replications besides the file: the printed summary,
 * the paired comparisons (two or more variants) and the sensitivity (with --uncertainty). */
static int run_collectors(struct run_state *st, int replications)
{
    int nv = st->nv;
    if (!(st->names = calloc((size_t)nv, sizeof *st->names))) return ERR_INTERNAL;
    for (int i = 0; i < nv; i++) st->names[i] = st->sc[i]->name;
    if (!(st->rep = report_alloc(nv, st->names))) return ERR_INTERNAL;
    if (nv > 1 && !(st->cmp = cmp_alloc(nv))) return ERR_INTERNAL;
    if (st->psa && nv > 1 && !(st->sens = sens_alloc(nv, replications, st->psa))) return ERR_INTERNAL;
    return 0;
}

/* Opens the resume side file (removing a killed run's temporary results file) and the new
 * results file, whose temporary name the signal handler learns first. Message printed. */
static int run_open(const char *out, const struct runner_cfg *cfg, int resume, struct run_state *st,
                    struct err *e)
{
    long stale_pid = 0;
    uint64_t fp = ckpt_fingerprint(cfg->variants, cfg->n_variants, &cfg->opts, cfg->replications);
    if (st->psa) fp = psa_fingerprint(st->psa, fp);
    snprintf(g_tmp, sizeof g_tmp, "%s.tmp.%ld", out, (long)getpid()); /* h5out_open's name */
    g_coop = 1;
    int rc = ckpt_open(out, fp, resume, &st->ck, &stale_pid, e);
    if (rc) {
        fprintf(stderr, "wlsim run: %s\n", e->msg);
        return rc;
    }
    if (stale_pid > 0 && stale_pid != (long)getpid()) {
        /* The killed run's temporary results file: the side file's lock proves it is dead. */
        char stale[PATH_MAX + 32];
        snprintf(stale, sizeof stale, "%s.tmp.%ld", out, stale_pid);
        unlink(stale);
    }
    struct h5out_meta meta = {.seed = cfg->opts.seed, .replications = cfg->replications,
                              .threads = cfg->threads, .entity_tables = cfg->opts.entity_tables,
                              .warmup_rows = cfg->opts.warmup_rows, .branch = cfg->opts.branch,
                              .variants = cfg->variants, .n_variants = cfg->n_variants, .psa = st->psa};
    if ((rc = h5out_open(out, &meta, &st->h, e))) fprintf(stderr, "wlsim run: %s\n", e->msg);
    return rc;
}

/* Feeds back what the side file holds, tells the worker ranks to start, and runs the remaining
 * work items into the sink. On failure drops the results file and says what is kept. */
static int run_items(const char *out, struct runner_cfg *cfg, struct run_sink *sink, struct run_state *st,
                     int quiet, const struct procs *p, int *told, struct err *e)
{
    int rc = feed_back(st->ck, sink, cfg, quiet, e);
    if (!rc) {
        sink->ckpt = st->ck;
        cfg->first = ckpt_count(st->ck);
        go_or_stop(p, &rc, told);
#ifdef WLSIM_MPI
        if (p->size > 1) rc = mpiw_coordinate(cfg, e);
        else
#endif
        rc = runner_run(cfg, e);
    }
    if (rc) {
        h5out_abort(st->h);
        st->h = NULL;
        fprintf(stderr, "wlsim run: %s; %s unchanged", e->msg, out);
        if (rc != ERR_INPUT && ckpt_count(st->ck) > 0)
            fprintf(stderr, "; %zu finished work items kept in %s: continue with --resume", ckpt_count(st->ck),
                    ckpt_path(st->ck));
        fputc('\n', stderr);
    }
    return rc;
}

/* Writes the tables made from all replications: /comparison and the sensitivity tables. */
static int run_tables(struct run_state *st, struct err *e)
{
    if (st->cmp && (cmp_rows(st->cmp, &st->rows, &st->nrows) || h5out_comparison(st->h, st->rows, st->nrows, e))) {
        fprintf(stderr, "wlsim run: %s\n", e->msg[0] ? e->msg : "out of memory");
        return ERR_INTERNAL;
    }
    if (st->sens && (sens_rows(st->sens, &st->srows, &st->nsrows, &st->urows, &st->nurows) ||
                     h5out_sensitivity(st->h, st->srows, st->nsrows, st->urows, st->nurows, e))) {
        fprintf(stderr, "wlsim run: %s\n", e->msg[0] ? e->msg : "out of memory");
        return ERR_INTERNAL;
    }
    return 0;
}

/* Renames the complete results file into place, removes the side file, and prints the answer:
 * on stdout the differences first, then the summary; on stderr what was written. */
static int run_commit(const char *out, int replications, struct run_state *st, struct err *e)
{
    int rc = h5out_commit(st->h, e);
    st->h = NULL;
    if (rc) {
        fprintf(stderr, "wlsim run: %s\n", e->msg);
        return rc;
    }
    ckpt_remove(st->ck);
    st->ck = NULL;
    report_print_diffs(st->rows, st->nrows, st->names, stdout);
    report_print(st->rep, stdout);
    if (st->sens) sens_print(st->urows, st->nurows, st->srows, st->nsrows, st->names, stdout);
    fflush(stdout);
    fprintf(stderr, "wrote %s (%d variant%s x %d replications)\n", out, st->nv, st->nv > 1 ? "s" : "",
            replications);
    return 0;
}

/* Releases everything st holds; a side file with no finished work item is removed (nothing to
 * resume), another one kept. */
static void run_state_free(struct run_state *st)
{
    if (st->ck && ckpt_count(st->ck) == 0) ckpt_remove(st->ck);
    else ckpt_close(st->ck);
    report_free(st->rep);
    cmp_free(st->cmp);
    free(st->rows);
    sens_free(st->sens);
    free(st->srows);
    free(st->urows);
    free(st->draws);
    psa_free(st->psa);
    free(st->names);
    h5out_abort(st->h);
    for (int i = 0; st->sc && i < st->nv; i++) scen_free(st->sc[i]);
    free(st->sc);
}

/* `wlsim run`: parse, load, then on rank 0 open the files, run every work item into them and
 * commit; worker ranks (MPI) serve work items until rank 0 says stop. */
static int cmd_run(int argc, char **argv, const struct procs *p)
{
    struct run_args a;
    struct run_state st = {0};
    int rc = run_parse(argc, argv, &a), told = 0;
    if (rc) return rc == RUN_HELP ? 0 : rc;
    if ((rc = run_load(&a, p, &st))) {
        told = 1; /* every rank has the code from run_load */
        goto cleanup;
    }
    run_warn_binding(p, a.threads);
    struct runner_cfg cfg = {
        .variants = (const struct scenario *const *)st.sc, .n_variants = st.nv,
        .replications = a.reps > 0 ? (int)a.reps : st.sc[0]->run.replications, .threads = (int)a.threads,
        .opts = {.seed = a.have_seed ? a.seed : st.sc[0]->seed, .entity_tables = !a.summary_only,
                 .warmup_rows = (int)a.warmup_rows, .branch = (int)a.branch},
        .progress = !a.quiet, .stop = &g_stop, .psa = st.psa};
    struct err e;
    err_clear(&e);
    if (p->rank > 0) {
        g_coop = 1; /* a worker rank stops as before: between items, as rank 0 tells it */
        go_or_stop(p, &rc, &told);
#ifdef WLSIM_MPI
        if (!rc && (rc = mpiw_work(&cfg, &e))) fprintf(stderr, "wlsim run (rank %d): %s\n", p->rank, e.msg);
#endif
        goto cleanup;
    }
    const char *out = a.out ? a.out : run_default_path(st.sc[0], st.defpath, sizeof st.defpath);
    if ((rc = check_out_dir(out, !a.out))) goto cleanup;
    if ((rc = run_collectors(&st, cfg.replications))) goto cleanup;
    struct run_sink sink = {.report = st.rep, .cmp = st.cmp, .psa = st.psa, .sens = st.sens,
                            .seed = cfg.opts.seed, .draws = st.draws};
    cfg.sink = run_sink;
    cfg.sink_ctx = &sink;
    cfg.work = run_work;
    if ((rc = run_open(out, &cfg, (int)a.resume, &st, &e))) goto cleanup;
    sink.h = st.h;
    if ((rc = run_items(out, &cfg, &sink, &st, (int)a.quiet, p, &told, &e)) || (rc = run_tables(&st, &e)))
        goto cleanup;
    rc = run_commit(out, cfg.replications, &st, &e);

cleanup:
    g_coop = 0;
    go_or_stop(p, &rc, &told);
    run_state_free(&st);
    return rc;
}

static int dispatch(int argc, char **argv, const struct procs *p)
{
    if (argc < 2) {
        usage(stderr);
        return ERR_INPUT;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("wlsim %s (git %s)\n", WLSIM_VERSION, WLSIM_GIT_COMMIT);
        return 0;
    }
    if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1, p);
    if (p->size > 1) {
        if (p->rank == 0) fprintf(stderr, "wlsim-mpi: expected the command run, found '%s' (use wlsim)\n", cmd);
        return ERR_INPUT;
    }
    if (!strcmp(cmd, "check")) return cmd_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "rank")) return rank_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify")) return verify_main(argc - 1, argv + 1, &g_stop);
    if (!strcmp(cmd, "export")) return export_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "info")) return info_main(argc - 1, argv + 1);
    fprintf(stderr, "wlsim: expected a command (run, check, rank, verify, export, info, --help, --version), found '%s'\n", cmd);
    return ERR_INPUT;
}

int main(int argc, char **argv)
{
    struct procs p = {0, 1};
    /* Keep large freed blocks (a replication's candidate pool, ~1.3 MB per 4096 candidates) in
     * the heap for the next replication instead of unmapping them: fresh pages from the kernel
     * cost about 8 % of a replication in page faults. Memory stays bounded by the threads. */
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    gsl_set_error_handler_off();
    /* No HDF5 clean-up at exit: every file is closed explicitly, and after a failed close (a full
     * disk) HDF5 1.10's exit handler would close the half-closed file again and crash (exit 139
     * after the right message). The kernel frees the library's memory. */
    H5dont_atexit();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
#ifdef WLSIM_MPI
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &p.rank);
    MPI_Comm_size(MPI_COMM_WORLD, &p.size);
    if (provided < MPI_THREAD_SERIALIZED) {
        if (p.rank == 0) fprintf(stderr, "wlsim-mpi: the MPI library does not support MPI_THREAD_SERIALIZED\n");
        MPI_Finalize();
        return ERR_INTERNAL;
    }
    int rc = dispatch(argc, argv, &p);
    MPI_Finalize();
    return rc;
#else
    return dispatch(argc, argv, &p);
#endif
}
