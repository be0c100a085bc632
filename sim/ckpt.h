/* ckpt.h — the resume side file: finished work items of a run, kept until the run completes.
 *
 * While `wlsim run` writes OUT.h5 (through a temporary file, see h5out.h) it also appends every
 * finished work item, in work-item order, to OUT.h5.resume: a fingerprint header, then one record
 * per item (the item number, the length, and the result as ser.h bytes with their checksum).
 * Appends reach the kernel at once, so a SIGKILL loses nothing already appended; they are forced
 * to disk at most a second apart, so a node loss costs at most the last second of work. A torn
 * last record (the process died mid-write) is detected by its length or checksum and dropped on
 * resume. On success the run removes the side file; on any failure or interruption it stays.
 *
 * `wlsim run ... --resume` opens the file, checks that its fingerprint matches the run (same
 * scenario texts and parameters, seed, replications, table selection, program version and
 * record layout), feeds the stored results to the writer again, and continues with the next
 * item; since every item's result depends only on (scenario, seed, item), the finished file is
 * the same as that of an uninterrupted run. An exclusive lock keeps two processes off one file. */
#ifndef WLSIM_CKPT_H
#define WLSIM_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "scenario.h"
#include "sim.h"

struct ckpt;

/* The fingerprint of a run: a hash of the program version and commit, the record sizes, the
 * seed, the replications, the table selection, --branch, and each variant's name, text and every
 * parameter value. */
uint64_t ckpt_fingerprint(const struct scenario *const *variants, int n_variants, const struct sim_opts *o,
                          int replications);

/* Opens the side file of the results file `out_path` (its name is out_path + ".resume").
 * Without `resume`, an existing side file is an error (ERR_INPUT, naming it and the two ways on:
 * --resume or deleting it), else a new one is created. With `resume`, an existing file must carry
 * `fingerprint` (else ERR_INPUT saying what differs); its records are then read back with
 * ckpt_next(); a missing file starts a new one, so --resume is safe to pass always. Stores the new
 * handle in *out and returns 0; otherwise *out is NULL and nothing was created. *stale_pid
 * receives the process id of the run that last wrote the file (0 if new), so the caller can
 * remove that run's leftover temporary results file. */
int ckpt_open(const char *out_path, uint64_t fingerprint, int resume, struct ckpt **out, long *stale_pid,
              struct err *e);

/* Reads the next stored result. Returns 1 and a new result in *r (free with sim_result_free);
 * 0 at the end of the valid records (a torn last record is cut off, and *dropped set to 1);
 * or a negative value after an I/O error (message in e). */
int ckpt_next(struct ckpt *c, struct rep_result **r, int *dropped, struct err *e);

/* Appends one result (the next work item). Returns 0 or ERR_INTERNAL (e.g. disk full). */
int ckpt_append(struct ckpt *c, const struct rep_result *r, struct err *e);

/* Number of records stored (read back or appended). */
size_t ckpt_count(const struct ckpt *c);

/* The side file's path. */
const char *ckpt_path(const struct ckpt *c);

/* Forces the records to disk and closes; the file stays for a later --resume. NULL is a no-op. */
void ckpt_close(struct ckpt *c);

/* Closes and deletes the side file (the run completed). NULL is a no-op. */
void ckpt_remove(struct ckpt *c);

#endif
