/* rank.h — the `wlsim rank` command: the match list the policy produces for one donor on one
 * day, with the reason for every place (docs/rank.md).
 *
 * The candidates (C.csv), their status history (H.csv) and the donor (D.csv) are read with
 * sim/csvin.h; the scenario selects each organ's policy and parameters. Heart / heart-lung
 * candidates are ranked by the heart policy, pancreas / pancreas-kidney candidates by the
 * pancreas policy; the output is one CSV `rank,id,program,group,abo_step,points,reason`, the
 * heart programme's rows first, then the pancreas programme's, each ranked from 1. */
#ifndef WLSIM_RANK_H
#define WLSIM_RANK_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

/* What to rank: the file paths, the day and whether to list the excluded candidates too. */
struct rank_args {
    const char *candidates; /* C.csv */
    const char *history;    /* H.csv */
    const char *donor;      /* D.csv, exactly one donor row */
    const char *scenario;   /* S.yaml, or NULL for the default scenario (rank_default_scenario) */
    double day;             /* the day of the offer, a whole number */
    int all;                /* 1: the excluded candidates follow the ranked ones */
    int strict;             /* 1: a grant older than its validity without a renewal row lapses */
    FILE *warn;             /* where --strict warns (one line per lapsed grant); NULL: stderr */
};

/* Writes into buf the path of the default scenario: $WLSIM_SCENARIO_DIR/default.yaml when that
 * variable is set and non-empty; else scenarios/default.yaml when it is readable from the
 * current folder; else WLSIM_DATADIR/default.yaml (a compile-time path, "scenarios" unless the
 * build sets -DWLSIM_DATADIR=...). Returns buf. */
const char *rank_default_scenario(char *buf, size_t len);

/* Formats `points` for the points column into buf: rounded to 2 decimals, then written as an
 * integer when that is whole ("150", never "-0"), else with 1 or 2 decimals and no trailing
 * zero ("116.67", "0.5"); "" when not finite. Returns buf. */
const char *rank_points(double points, char *buf, size_t len);

/* Ranks the candidates for the donor as described in docs/rank.md and writes the CSV (header
 * first) to out. With a->strict, a grant of the history (HU 28 / 56 days, SU 91, early
 * re-transplant SU 61, an NT waiting-time application 61: the policy's lapse hook) that ran
 * out on or before a->day without a later row is applied as lapsed on the day it ran out, and
 * each such case is reported on a->warn as `FILE:LINE: warning: candidate 'ID': ...` naming
 * the history row, the grant and the day. Nothing is written unless every input is valid. Candidates listed after
 * a->day are an error; history rows after a->day are ignored (the list as it stands on the
 * day). When the pancreas policy routes the donor's organ to the accelerated procedure (an
 * extended-criteria donor), the ranks follow the accelerated offer order, and eligible
 * candidates it does not offer to are listed (with --all) after the ranked ones with an empty
 * rank. Returns 0; ERR_INPUT for bad input (scenario or CSV files, with the message in e naming
 * file, line, column, what was expected and what was found); ERR_INTERNAL for allocation or
 * write failures. */
int rank_run(const struct rank_args *a, FILE *out, struct err *e);

/* Parses the options of `wlsim rank` (argv[0] = "rank"; getopt_long, so it resets optind)
 * into *a, whose paths then point into argv. Returns 0 with *help = 1 when -h/--help was given
 * (nothing else is checked then), 0 with *help = 0 when every required option is there, or
 * ERR_INPUT with a message in e naming the argument, what was expected and what was found
 * (unknown option, missing value, --day not a whole number within +-10^7, a positional
 * argument, a missing required option). */
int rank_parse(int argc, char **argv, struct rank_args *a, int *help, struct err *e);

/* The command line `wlsim rank --candidates C.csv --history H.csv --donor D.csv --day DAY
 * [--scenario S.yaml] [--all] [--strict]` (and -h/--help), with argv[0] = "rank". Prints the list on
 * stdout and errors on stderr; returns the process exit code: 0 ok, 2 bad input (arguments or
 * files), 1 internal failure. */
int rank_main(int argc, char **argv);

#endif
