/* verify.h — `wlsim verify OUT.h5 [-r K] [-j THREADS] [-q]`: re-runs replications from what a
 * results file stores (each variant's scenario text and path, the seed, the replication count,
 * the table selection) and reports, per replication, whether every stored row is bit-identical
 * to the re-run. The check needs no other file unless the scenarios replay CSV files, which are
 * then read from the paths stored in /variants (relative to the folder verify runs in). */
#ifndef WLSIM_VERIFY_H
#define WLSIM_VERIFY_H

#include <signal.h>

/* The subcommand; argv[0] is "verify". Returns the exit code: 0 when every checked replication
 * (and /comparison, when all replications are checked) is identical, 1 when something differs
 * or on an internal failure, 2 on bad input (arguments, not a wlsim results file, a stored
 * scenario that no longer loads), 130 when *stop was raised. */
int verify_main(int argc, char **argv, volatile sig_atomic_t *stop);

#endif
