/* h5out.h — the results file (layout in docs/output.md).
 *
 * One writer: the runner hands replication results to h5out_append() in work-item order, so the
 * file is the same for any number of threads. Tables are HDF5 compound datasets built from the
 * registry of result tables (sim/rec.h: the record structs and their fields) with the high-level
 * table API's layout (chunked, byte-shuffled and deflate-compressed), readable by h5py, R's hdf5r
 * and HDFView without custom code. The entity tables' chunks are compressed here, by the caller's
 * threads (h5out_work), and written with HDF5's direct chunk write; readers see ordinary filtered
 * datasets.
 *
 * The file is written to a temporary path in the destination folder and renamed over the
 * destination only by h5out_commit(); h5out_abort() (or a crash) never touches an existing file
 * at the destination. */
#ifndef WLSIM_H5OUT_H
#define WLSIM_H5OUT_H

#include <stdint.h>

#include "err.h"
#include "psa.h"
#include "scenario.h"
#include "sim.h"

struct h5out;

struct h5out_meta {
    uint64_t seed;
    int replications;
    int threads;
    int entity_tables;
    int warmup_rows;      /* the entity tables hold the warm-up's rows too (--warmup-rows) */
    int branch;                 /* enum sim_branch (--branch[=keep|redraw]; 0 without) */
    const struct scenario *const *variants; /* one scenario per variant */
    int n_variants;
    const struct psa *psa;                  /* --uncertainty (its text is stored), or NULL */
};

/* Creates the temporary file beside `path` and writes the metadata (root attributes, /variants,
 * /parameters) and empty tables. Returns 0 and *out, or ERR_INTERNAL (cannot create: message
 * names the path) with *out NULL and nothing left on disk. */
int h5out_open(const char *path, const struct h5out_meta *meta, struct h5out **out, struct err *e);

/* As h5out_open, but the file lives in memory only (HDF5's core driver without a backing
 * store): `wlsim verify` builds the file a run would write, without its rows, and compares it
 * object by object with the file under test. h5out_hid() gives its HDF5 id for reading; free
 * it with h5out_abort(). */
int h5out_open_image(const struct h5out_meta *meta, struct h5out **out, struct err *e);

#include <hdf5.h>
hid_t h5out_hid(const struct h5out *h);

/* Appends one replication's rows to every table. The entity tables' full chunks are queued for
 * compression (see h5out_work) and written by a later append or by h5out_commit; their rows are
 * not readable through h5out_hid() before the commit. Returns 0 or ERR_INTERNAL. */
int h5out_append(struct h5out *h, const struct rep_result *r, struct err *e);

/* Compresses the entity-table chunks h5out_append() has queued, so that the writer only writes
 * finished chunks: meant for the worker threads, outside the lock that serialises the writer.
 * Any number of threads may call it at once, also while one thread is in h5out_append(); it
 * calls no HDF5 function. It must have returned in every thread before h5out_commit() or
 * h5out_abort(). Calling it is optional: the writer compresses what is left (when too many
 * chunks wait, and at the commit). Returns the number of chunks it compressed. */
int h5out_work(struct h5out *h);

struct rec_comparison;

/* Writes the /comparison table (n rows). Call at most once, after the last append. Returns 0
 * or ERR_INTERNAL. */
int h5out_comparison(struct h5out *h, const struct rec_comparison *rows, size_t n, struct err *e);

/* --uncertainty: appends replication rep's draws v of p's parameters to /draws (call once per
 * replication, in order). Returns 0 or ERR_INTERNAL. */
int h5out_draws(struct h5out *h, int rep, const struct psa *p, const double *v, struct err *e);

struct rec_sens;
struct rec_unc;

/* --uncertainty: writes /sensitivity (n rows) and /uncertainty (nu rows). Call at most once,
 * after the last append. Returns 0 or ERR_INTERNAL. */
int h5out_sensitivity(struct h5out *h, const struct rec_sens *rows, size_t n, const struct rec_unc *urows,
                      size_t nu, struct err *e);

/* Closes the temporary file and renames it over the destination. Frees h. Returns 0 or
 * ERR_INTERNAL (the temporary file is then removed and the destination untouched). */
int h5out_commit(struct h5out *h, struct err *e);

/* Closes and removes the temporary file; the destination is untouched. Frees h. NULL is a no-op.
 * Async-signal-unsafe: call it from normal control flow after a stop request. */
void h5out_abort(struct h5out *h);

#endif
