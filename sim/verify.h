/* verify.h — `wlsim verify OUT.h5 [-r K] [-j THREADS] [-q]`: re-runs replications from what a
 * results file stores (each variant's scenario text and path, the seed, the replication count,
 * the table selection) and reports, per replication, whether every stored row is bit-identical
 * to the re-run; every object and attribute of the file must also be those of the file the run
 * writes (built in memory by h5out_open_image and compared generically). The file is untrusted:
 * the work is bounded by its own row counts, replay paths that are absolute or contain `..` are
 * refused without --allow-paths, and no error shows another file's content. The check needs no
 * other file unless the scenarios replay CSV files, which are then read from the paths stored in
 * /variants (relative to the folder verify runs in). */
#ifndef WLSIM_VERIFY_H
#define WLSIM_VERIFY_H

#include <signal.h>

/* The subcommand; argv[0] is "verify". Returns the exit code: 0 when every checked replication
 * (and /comparison, when all replications are checked) is identical, 1 when something differs
 * or on an internal failure, 2 on bad input (arguments, not a wlsim results file, row counts
 * that do not back the root attributes, a stored scenario that no longer loads), 130 when *stop
 * was raised. */
int verify_main(int argc, char **argv, volatile sig_atomic_t *stop);

#endif
