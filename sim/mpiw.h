/* mpiw.h — work items across MPI ranks (built only by `make mpi`, into build/wlsim-mpi).
 *
 * Rank 0 coordinates and is the only writer: one of its threads hands out work items one at a
 * time to whichever worker thread asks (dynamic scheduling, so fast and slow nodes both stay
 * busy), receives each result as ser.h bytes, and passes results to the same sink as a
 * single-process run, in work-item order, through a reorder buffer of 2 x (simulating threads)
 * slots; rank 0's other -j - 1 threads simulate items themselves. Every other rank runs OpenMP
 * threads that each ask for an item, run it with sim_run and send the result back. Since a
 * result depends only on (scenario, seed, item), the file is the same as a single-process run's
 * for any number of ranks and threads.
 *
 * MPI is called by one thread at a time (MPI_THREAD_SERIALIZED): a worker thread holds a lock
 * from its request to the reply, and the coordinator answers at once, with an item, with "wait"
 * (the reorder buffer is full: ask again shortly) or with "done". */
#ifndef WLSIM_MPIW_H
#define WLSIM_MPIW_H

#include "err.h"
#include "runner.h"

/* Rank 0, with at least one worker rank: runs cfg's items cfg->first .. total-1 on the worker
 * ranks and hands every result to cfg->sink in order. Returns as runner_run() does; on an error or
 * a stop request it stops handing out items, waits for the worker threads to finish their current
 * item, and returns the first error. */
int mpiw_coordinate(const struct runner_cfg *cfg, struct err *e);

/* Every other rank: serves items with cfg->threads threads until rank 0 says done. Returns 0, or
 * ERR_INTERNAL after an MPI or allocation failure (message in e). */
int mpiw_work(const struct runner_cfg *cfg, struct err *e);

#endif
