/* csvin.h — reading the CSV inputs of `wlsim rank` (and of the replay population source):
 * a generic CSV reader with a header map and typed, range-checked fields, and on top of it the
 * readers of the three domain files (docs/rank.md, docs/scenario.md "Replay"): candidates (C.csv), the status history
 * (H.csv) and donors (D.csv).
 *
 * Parsing is libcsv's (RFC 4180: quoted fields may hold commas, doubled quotes and newlines;
 * spaces around unquoted fields are trimmed; a UTF-8 byte-order mark is skipped; blank lines
 * are skipped). The first row is the header; columns may come in any order, every column must
 * be known to the caller and every required one present. Every data row keeps the 1-based line
 * of the file it starts on, and every problem is reported with ERR_INPUT as
 *     FILE:LINE:COL: column NAME: expected WHAT, found 'CELL'
 * (or FILE:LINE:COL: expected WHAT, found ... where no single column is at fault), COL being
 * the field's number in its row (1 = the first field), as a spreadsheet counts columns. Only
 * regular files are read; a NUL byte, and a byte-order mark anywhere but at the start, are
 * refused. Numbers are plain decimals (no hex, inf or nan).
 *
 * Time is in whole days for `wlsim rank`; the replay readers (CSVIN_CANDS_REPLAY,
 * CSVIN_HIST_FRACTIONAL, CSVIN_DONOR_REPLAY) also accept fractional days, so that a synthetic
 * run's continuous clock can be written out and read back exactly. Region and centre names are mapped to the ints the policies compare
 * through a `struct csvin_names` shared by every file of one run, so a candidate and a donor
 * with the same region name get the same int. */
#ifndef WLSIM_CSVIN_H
#define WLSIM_CSVIN_H

#include <stddef.h>
#include <stdio.h>

#include "cand.h"
#include "err.h"

/* ------------------------------------------------------------------------------------------ */
/* Generic reader                                                                              */

/* One column a file may have. `required`: the header must name it and no cell may be empty;
 * otherwise an absent column or an empty cell means the caller's default. */
struct csvin_col {
    const char *name;
    int required;
};

struct csvin;

/* Reads and parses the whole file at `path` against the allowed columns cols[0..ncols)
 * (cols must outlive the reader). On success stores a new reader positioned before the first
 * data row in *out (free it with csvin_free) and returns 0. On failure returns ERR_INPUT (the
 * file cannot be read, malformed CSV, no header, an empty, duplicated or unknown column name,
 * a missing required column, or a data row whose field count differs from the header's; the
 * message names file, line and column) or ERR_INTERNAL (allocation), and *out is NULL.
 * Memory use is proportional to the file's size. */
int csvin_open(const char *path, const struct csvin_col *cols, size_t ncols, struct csvin **out,
               struct err *e);

/* Frees r. NULL is a no-op. */
void csvin_free(struct csvin *r);

/* Advances to the next data row: returns 1 when there is one, 0 after the last. */
int csvin_next(struct csvin *r);

/* Goes back to before the first data row. */
void csvin_rewind(struct csvin *r);

/* Number of data rows in the file. */
size_t csvin_rows(const struct csvin *r);

/* The path given to csvin_open (for messages). */
const char *csvin_path(const struct csvin *r);

/* The 1-based line of the file on which the current row starts (1 for the header before the
 * first csvin_next). */
long csvin_line(const struct csvin *r);

/* 1 if the header names column `col`, else 0. */
int csvin_has_col(const struct csvin *r, const char *col);

/* The text of column `col` in the current row: "" when the column is absent or the cell
 * empty. `col` must be one of the columns passed to csvin_open (asserted). The pointer stays
 * valid until csvin_free. */
const char *csvin_cell(const struct csvin *r, const char *col);

/* Records ERR_INPUT in e with the message `PATH:LINE:FIELD: column COL: expected <fmt ...>, found
 * '<cell>'` for the current row (the cell shown with control characters escaped, cut at 60
 * bytes) and returns ERR_INPUT. */
int csvin_bad(const struct csvin *r, const char *col, struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Typed cells of the current row. Each returns 0 and stores the value, or returns ERR_INPUT
 * with a message naming file, line, column, what was expected and what was found. An absent
 * column or empty cell yields `def` for an optional column and is an error for a required one.
 *
 * csvin_text:  any non-empty text of at most maxlen bytes (0: no limit); def is "".
 * csvin_num:   a finite decimal number in [lo, hi]; def may be NaN ("not given").
 * csvin_whole: a whole number (optional sign and digits only) in [lo, hi], stored as a
 *              double; def may be NaN.
 * csvin_bool:  0 or 1. */
int csvin_text(const struct csvin *r, const char *col, size_t maxlen, const char **out,
               struct err *e);
int csvin_num(const struct csvin *r, const char *col, double lo, double hi, double def,
              double *out, struct err *e);
int csvin_whole(const struct csvin *r, const char *col, double lo, double hi, double def,
                double *out, struct err *e);
int csvin_bool(const struct csvin *r, const char *col, int def, int *out, struct err *e);

/* ------------------------------------------------------------------------------------------ */
/* Region and centre names                                                                     */

/* Maps region and centre names to ints. A region named like one of the seven DSO regions
 * (popn_region_name(0..6), compared case-insensitively; "Baden-Württemberg" also matches) gets
 * that region's index; any other region name gets 7, 8, ... in order of first appearance.
 * Centres get 0, 1, ... in order of first appearance. */
struct csvin_names;

/* A new, empty map, or NULL when out of memory. */
struct csvin_names *csvin_names_alloc(void);

/* Frees n. NULL is a no-op. */
void csvin_names_free(struct csvin_names *n);

/* The int of region / centre `name` (non-empty), adding the name if it is new. Returns it, or
 * -1 when out of memory. */
int csvin_names_region(struct csvin_names *n, const char *name);
int csvin_names_center(struct csvin_names *n, const char *name);

/* The name of region / centre `id` as first given (DSO regions: the canonical name), or "" if
 * the id is unknown. */
const char *csvin_names_region_name(const struct csvin_names *n, int id);
const char *csvin_names_center_name(const struct csvin_names *n, int id);

/* ------------------------------------------------------------------------------------------ */
/* Candidates (C.csv)                                                                          */

/* Flags of csvin_cands_read. */
enum {
    CSVIN_CANDS_REPLAY = 1 /* the replay's columns: also seq; day columns may be fractional */
};

/* The candidates of one file, in file order: c[i].seq == i (with CSVIN_CANDS_REPLAY: the seq
 * column where given), c[i].id the file's id. */
struct csvin_cands {
    struct cand *c;
    long *line;          /* line of each candidate's row, for messages */
    size_t n;
    const char *path;    /* the file (a copy owned by this struct) */
    size_t *by_id;       /* indices sorted by id, for csvin_cands_find */
    long listed_col;     /* field number of listed_day in the file, for messages */
};

/* Reads the candidate file at `path`: the columns id, program, abo, age_years, listed_day
 * (required), region and center, then every optional attribute column of the organ tables
 * (registry_cand_cols in model/registry.h: the columns every organ has, then each organ's own,
 * each read, bounded and checked as its struct cand_col row says; see docs/rank.md). With
 * CSVIN_CANDS_REPLAY (`flags`) the file may also have the column seq (a whole number 0 to
 * 2^32-1, unique over the file; an empty cell means the row index), and the day columns
 * (listed_day and the attribute columns of kind CAND_COL_DAY) may hold fractional days; without
 * it days are whole numbers. Each row becomes a candidate through cand_init(c, seq (row index or
 * seq column), prog, listed_day), listed with status T; birth_day is set so that the candidate
 * is age_years old on `age_day`, or on listed_day when age_day is NaN (the replay's convention);
 * region and center go through `names`; attribute columns left empty keep cand_init's value or
 * get their row's default. Errors (ERR_INPUT, naming file, line and column): every csvin_open
 * error, an empty or too long (more than CAND_ID_LEN - 1 bytes) or duplicated id, an unknown
 * programme or blood group, an age outside 0-150, a day outside +-10^7 or (without
 * CSVIN_CANDS_REPLAY) not whole, an attribute cell its row refuses (out of its bounds, a flag not
 * 0/1, text none of its values), a row an attribute's check refuses (e.g. graft_loss_day before
 * prior_tx_day, dmcs_day without dmcs 1), a repeated seq. On success stores a new set in *out
 * (free with csvin_cands_free) and returns 0; on failure *out is NULL and the code is returned
 * (ERR_INTERNAL: allocation). */
int csvin_cands_read(const char *path, double age_day, unsigned flags, struct csvin_names *names,
                     struct csvin_cands **out, struct err *e);

/* Frees cs and everything it owns. NULL is a no-op. */
void csvin_cands_free(struct csvin_cands *cs);

/* The index of the candidate with id `id`, or -1 if there is none. O(log n). */
long csvin_cands_find(const struct csvin_cands *cs, const char *id);

/* ------------------------------------------------------------------------------------------ */
/* Status history (H.csv)                                                                      */

/* Final statuses a replay history may use besides enum status (with CSVIN_HIST_FINAL). */
enum { CSVIN_ST_DEAD = ST_N, CSVIN_ST_REMOVED = ST_N + 1 };

/* Flags of csvin_history_read. */
enum {
    CSVIN_HIST_FINAL = 1,     /* accept DEAD and REMOVED (final: no later row for that id) */
    CSVIN_HIST_FRACTIONAL = 2 /* days may be fractional (else whole numbers) */
};

/* One history row: candidate `cand` (index into the csvin_cands) takes `status` (an enum
 * status, or CSVIN_ST_DEAD / CSVIN_ST_REMOVED) from `day` on. */
struct csvin_hist {
    size_t cand;
    double day;
    int status;
    int nt_credit;
    long line;
};

/* Reads the history file at `path` (header id,day,status[,nt_credit]) for the candidates cs,
 * keeping file order. Rows of different candidates may interleave; the rows of one candidate
 * must be in non-decreasing day order. Errors (ERR_INPUT, naming file, line and column): every
 * csvin_open error; an id not in cs; a day that is not a whole number (any number with
 * CSVIN_HIST_FRACTIONAL) within +-10^7, is before the
 * candidate's listed_day, or before the day of that candidate's previous row; two rows of one
 * candidate on the same day with a different status or nt_credit (an identical repeat is
 * accepted and changes nothing); an unknown status, or one of the other programme (HU is heart
 * only, SU pancreas only); nt_credit 1 on a row whose status is not NT; with CSVIN_HIST_FINAL,
 * a row after that candidate's DEAD or REMOVED row. On success stores a new array of *n rows in
 * *out (free() it; NULL when there are none) and returns 0. */
int csvin_history_read(const char *path, const struct csvin_cands *cs, unsigned flags,
                       struct csvin_hist **out, size_t *n, struct err *e);

/* Applies the rows h[0..n) whose day is at most `day_max` (in order) to the candidates of cs
 * through cand_set_status(); final statuses (DEAD, REMOVED) are skipped. Returns how many rows
 * were applied. The rows must come from csvin_history_read on the same cs, applied once. */
size_t csvin_history_apply(struct csvin_cands *cs, const struct csvin_hist *h, size_t n,
                           double day_max);

/* ------------------------------------------------------------------------------------------ */
/* Donors (D.csv)                                                                              */

/* Flags of csvin_donors_read. */
enum {
    CSVIN_DONOR_REPLAY = 1 /* also the replay columns: day (required, fractional allowed, never
                              going back in time from row to row), heart, pancreas (0/1) */
};

/* Reads the donor file at `path`: id, abo, age_years required; region (through `names`),
 * hla_typed, weight_kg, bmi, sex (f/m), waist_cm, ecd, tlc_l (litres, 0.1-20), height_cm
 * (10-300), cpr_min (0-1440), icu_days (0-3650), sodium (mmol/l, 50-250) optional, and with
 * CSVIN_DONOR_REPLAY
 * day, heart and pancreas. Donor i gets seq i; unknown numbers are NaN; offer_heart and
 * offer_pancreas are 1 unless the replay columns say otherwise; day is NaN without
 * CSVIN_DONOR_REPLAY (the caller sets it). `max_rows` > 0 limits the rows (a further row is an
 * error naming its line). Errors (ERR_INPUT): every csvin_open error, an empty, too long or
 * duplicated id, an unknown blood group or sex, a number out of range, a flag not 0/1, too many
 * rows, with CSVIN_DONOR_REPLAY a day before the previous row's. On success stores a new array of *n donors in *out (free() it; NULL when there are
 * none) and returns 0. */
int csvin_donors_read(const char *path, struct csvin_names *names, unsigned flags, size_t max_rows,
                      struct donor **out, size_t *n, struct err *e);

/* Writes one CSV field to out, quoted by libcsv when it holds a comma, quote, line break or
 * leading/trailing blank (which a reader would otherwise trim), then ',' or, with `last`, '\n'.
 * Shared by `wlsim rank` and `wlsim export`, so what one writes the other's readers read back. */
void csvin_put_field(FILE *out, const char *s, int last);

#endif
