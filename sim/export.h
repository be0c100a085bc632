/* export.h — `wlsim export`: a synthetic run's population written out as replay files
 * (docs/scenario.md, "Replay"), so that `wlsim run DIR/scenario.yaml` replays it.
 *
 * One replication of a synthetic scenario is run again with the same seed and streams as
 * `wlsim run`; a recorder in the engine (struct sim_recorder, sim/sim.h) notes every candidate
 * at listing (relistings after graft loss included, with their prior_* fields), every status
 * change as it happened, every death and removal, and every donor. They are written as
 *   DIR/candidates.csv  the rank candidate columns plus seq (the engine's candidate number)
 *   DIR/history.csv     id,day,status,nt_credit, with final DEAD / REMOVED rows
 *   DIR/donors.csv      every donor column plus day, heart, pancreas
 *   DIR/scenario.yaml   the source scenario's every parameter, with population.source: replay,
 *                       the three files and population.replication: the exported replication
 * Days are on the engine clock (day 0 = start of the warm-up) and written so that they read back
 * to the same double; the replay scenario keeps the warm-up and counted years, so its counted
 * window is the synthetic run's. docs/scenario.md ("Export") states what the round trip
 * reproduces exactly and what not. */
#ifndef WLSIM_EXPORT_H
#define WLSIM_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "scenario.h"

/* What an export wrote. */
struct export_stats {
    size_t candidates;   /* rows of candidates.csv */
    size_t relistings;   /* of them, relistings after graft loss */
    size_t history;      /* rows of history.csv, final ones included */
    size_t donors;       /* rows of donors.csv */
    size_t inexact_ages; /* candidates whose age_years does not give back the birth day exactly */
};

/* Runs replication `rep` of the synthetic scenario s with master seed `seed` and writes the four
 * files into the existing, writable folder `dir`, each through a temporary file renamed when all
 * four are complete and read back (an existing file of the same name is replaced only then; on
 * failure nothing is left behind). `src_path` names the source in the scenario's comment. Fills
 * *st when st is not NULL. Returns 0; ERR_INPUT when s is a replay scenario; ERR_INTERNAL when
 * the run, a write or the read-back fails (the message in e says which). */
int export_write(const struct scenario *s, uint64_t seed, int rep, const char *dir,
                 struct export_stats *st, struct err *e);

/* The command line `wlsim export SCENARIO.yaml -o DIR [-r REPLICATION] [-s SEED] [-q]` (and
 * -h/--help), with argv[0] = "export". DIR is created when missing (its parent must exist) and
 * removed again if the export fails. Prints a one-line summary on stderr unless -q. Returns the
 * process exit code: 0 ok, 2 bad input (arguments, scenario, an unusable DIR), 1 internal
 * failure. */
int export_main(int argc, char **argv);

#endif
