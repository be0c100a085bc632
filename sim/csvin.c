/* csvin.c — CSV input: the generic reader (libcsv underneath) and the candidate, history and
 * donor readers of `wlsim rank` and the replay. See csvin.h for the contracts.
 *
 * The reader parses the whole file when it is opened: the file is fed to libcsv line by line
 * (getline), so that the line on which each row starts is known; the fields of every row are
 * copied into one growing text arena (offsets, not pointers, until parsing is done). Row 0 is
 * the header. */
#include "csvin.h"
#include "pdef.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "popn.h"
#include "registry.h"
#include "vec.h"

#define DAY_MAX CAND_COL_DAY_MAX /* bound of every day column: +-10^7 days (27 000 years) */

struct row {
    size_t first; /* index of its first field in fld */
    size_t n;     /* number of fields */
    long line;    /* 1-based line it starts on */
};

struct csvin {
    char *path;
    const struct csvin_col *cols;
    size_t ncols;
    long *where;         /* per allowed column: its field index in the file, -1 absent */
    char *text;          /* every field, NUL-terminated, back to back */
    size_t text_len, text_cap;
    size_t *fld;         /* offset of each field in text */
    size_t nfld, fld_cap;
    struct row *rows;    /* rows[0] is the header */
    size_t nrows, rows_cap;
    size_t cur;          /* current row: 0 = header (before the first data row) */
};

/* Parsing state shared with the libcsv callbacks. */
struct pstate {
    struct csvin *r;
    long line;           /* line being fed */
    long row_line;       /* line the row in progress starts on, 0 when none started */
    size_t row_first;    /* first field of the row in progress */
    int oom;
};

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                               */

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p) memcpy(p, s, n);
    return p;
}

/* Copies s into buf for a message: control characters escaped, cut at 60 bytes ("..."). */
static const char *show(const char *s, char *buf, size_t len)
{
    size_t u = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && u + 5 < len; p++) {
        if (p - (const unsigned char *)s >= 60) {
            snprintf(buf + u, len - u, "...");
            return buf;
        }
        if (*p == '\n') u += (size_t)snprintf(buf + u, len - u, "\\n");
        else if (*p == '\r') u += (size_t)snprintf(buf + u, len - u, "\\r");
        else if (*p == '\t') u += (size_t)snprintf(buf + u, len - u, "\\t");
        else if (*p < 0x20 || *p == 0x7f) u += (size_t)snprintf(buf + u, len - u, "\\x%02x", *p);
        else buf[u++] = (char)*p;
    }
    buf[u < len ? u : len - 1] = '\0';
    return buf;
}

/* ------------------------------------------------------------------------------------------ */
/* Generic reader                                                                              */

static void on_field(void *s, size_t len, void *data)
{
    struct pstate *st = data;
    struct csvin *r = st->r;
    if (st->oom) return;
    /* vec_grow returns at once when there is room; the test here saves two calls per cell. */
    if ((r->text_len + len + 1 > r->text_cap && vec_grow((void **)&r->text, &r->text_cap, r->text_len + len + 1, 1))
        || (r->nfld + 1 > r->fld_cap && vec_grow((void **)&r->fld, &r->fld_cap, r->nfld + 1, sizeof *r->fld))) {
        st->oom = 1;
        return;
    }
    if (len) memcpy(r->text + r->text_len, s, len);
    r->text[r->text_len + len] = '\0';
    r->fld[r->nfld++] = r->text_len;
    r->text_len += len + 1;
}

static void on_row(int c, void *data)
{
    struct pstate *st = data;
    struct csvin *r = st->r;
    (void)c;
    if (st->oom) return;
    size_t n = r->nfld - st->row_first;
    long line = st->row_line ? st->row_line : st->line;
    st->row_line = 0;
    /* A row of one empty field is a blank line (libcsv skips empty ones, not all). */
    if (n == 0 || (n == 1 && r->text[r->fld[st->row_first]] == '\0')) {
        r->text_len = n ? r->fld[st->row_first] : r->text_len;
        r->nfld = st->row_first;
        return;
    }
    if (vec_grow((void **)&r->rows, &r->rows_cap, r->nrows + 1, sizeof *r->rows)) {
        st->oom = 1;
        return;
    }
    r->rows[r->nrows++] = (struct row){.first = st->row_first, .n = n, .line = line};
    st->row_first = r->nfld;
}

/* 1 if the line holds anything but spaces and line ends. */
static int has_content(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n') return 1;
    return 0;
}

/* The field number (1-based) at byte `at` of line s, counting the commas outside quotes before
 * it (a field continued from an earlier line by a quoted line break is counted from this line). */
static long field_at(const char *s, const char *at)
{
    long f = 1;
    int q = 0;
    for (const char *p = s; p < at; p++) {
        if (*p == '"') q = !q;
        else if (*p == ',' && !q) f++;
    }
    return f;
}

/* The first UTF-8 byte-order mark (EF BB BF) in s[0..n), or NULL. */
static const char *find_bom(const char *s, size_t n)
{
    for (const char *p = s; n >= 3 && (p = memchr(p, '\xEF', n - 2 - (size_t)(p - s) + 2)); p++) {
        if ((size_t)(p - s) + 3 > n) break;
        if (p[1] == '\xBB' && p[2] == '\xBF') return p;
    }
    return NULL;
}

/* Feeds the file to libcsv, filling r's rows. */
static int parse_file(struct csvin *r, FILE *f, struct err *e)
{
    struct csv_parser p;
    struct pstate st = {.r = r};
    char *buf = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0, inited = 0;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        rc = err_set(e, ERR_INTERNAL, "%s: out of memory", r->path);
        goto cleanup;
    }
    inited = 1;
    /* Room for the whole file at once: the text of its fields never exceeds its size (plus a
     * NUL), and a field takes a few bytes. Growing by doubling instead moved and faulted in the
     * arena again at each step: loading the export of a default replication took 0.18 s
     * instead of 0.145 s (perf stat, 10 runs, the replay's files on two threads). Memory not
     * needed is never touched. A failure here is not one: the arena then grows as before. */
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0
        && (uintmax_t)sb.st_size < SIZE_MAX / 4) {
        const size_t sz = (size_t)sb.st_size;
        (void)(vec_grow((void **)&r->text, &r->text_cap, sz + 1, 1)
               || vec_grow((void **)&r->fld, &r->fld_cap, sz / 8 + 16, sizeof *r->fld)
               || vec_grow((void **)&r->rows, &r->rows_cap, sz / 64 + 16, sizeof *r->rows));
    }
    while ((errno = 0, n = getline(&buf, &cap, f)) > 0) {
        st.line++;
        char *s = buf;
        if (st.line == 1 && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3, n -= 3;
        /* A NUL would cut a field short unseen (ids are C strings); a byte-order mark after the
         * start of the file is an invisible character that would make two ids differ. */
        const char *nul = memchr(s, '\0', (size_t)n), *bom = find_bom(s, (size_t)n);
        if (nul || bom) {
            const char *at = nul && (!bom || nul < bom) ? nul : bom;
            rc = err_set(e, ERR_INPUT, "%s:%ld:%ld: expected text, found %s", r->path, st.line,
                         field_at(s, at), at == nul ? "a NUL byte" : "a byte-order mark after the start of the file");
            goto cleanup;
        }
        if (!st.row_line && has_content(s, (size_t)n)) st.row_line = st.line;
        if (csv_parse(&p, s, (size_t)n, on_field, on_row, &st) != (size_t)n) {
            if (csv_error(&p) == CSV_EPARSE)
                rc = err_set(e, ERR_INPUT,
                             "%s:%ld:%zu: expected well-formed CSV (a field either unquoted or wholly in "
                             "\"quotes\", a quote inside quotes doubled), found a misplaced quote",
                             r->path, st.line, r->nfld - st.row_first + 1);
            else
                rc = err_set(e, ERR_INTERNAL, "%s:%ld:1: %s", r->path, st.line,
                             csv_strerror(csv_error(&p)));
            goto cleanup;
        }
        if (st.oom) break;
    }
    if (n < 0 && errno && errno != ENOMEM) {
        rc = err_set(e, ERR_INPUT, "%s: expected a readable CSV file, found a read error (%s)",
                     r->path, strerror(errno));
        goto cleanup;
    }
    if (!st.oom && csv_fini(&p, on_field, on_row, &st) != 0) {
        rc = err_set(e, ERR_INPUT,
                     "%s:%ld:%zu: expected a closing quote for the quoted field in the row starting "
                     "here, found the end of the file",
                     r->path, st.row_line ? st.row_line : st.line, r->nfld - st.row_first + 1);
        goto cleanup;
    }
    if (st.oom || (n < 0 && errno == ENOMEM)) rc = err_set(e, ERR_INTERNAL, "%s: out of memory", r->path);

cleanup:
    if (inited) csv_free(&p);
    free(buf);
    return rc;
}

static const char *field(const struct csvin *r, size_t row, size_t i)
{
    return r->text + r->fld[r->rows[row].first + i];
}

/* Index of the allowed column `name`, or -1. */
static long col_index(const struct csvin *r, const char *name)
{
    for (size_t i = 0; i < r->ncols; i++)
        if (strcmp(r->cols[i].name, name) == 0) return (long)i;
    return -1;
}

/* The 1-based field number of allowed column `col` in the file (the COL of FILE:LINE:COL, as a
 * spreadsheet counts columns), or 1 when the file has no such column. */
static long col_number(const struct csvin *r, const char *col)
{
    long i = col_index(r, col);
    return i >= 0 && r->where[i] >= 0 ? r->where[i] + 1 : 1;
}

/* Checks the header against the allowed columns and every row's field count. */
static int check_shape(struct csvin *r, struct err *e)
{
    char sh[128];
    if (r->nrows == 0) {
        char names[512];
        size_t u = 0;
        names[0] = '\0';
        for (size_t i = 0; i < r->ncols && u < sizeof names; i++)
            u += (size_t)snprintf(names + u, sizeof names - u, "%s%s", i ? "," : "", r->cols[i].name);
        return err_set(e, ERR_INPUT, "%s:1:1: expected a header row (e.g. %s), found an empty file",
                       r->path, names);
    }
    const struct row *h = &r->rows[0];
    for (size_t i = 0; i < r->ncols; i++) r->where[i] = -1;
    for (size_t j = 0; j < h->n; j++) {
        const char *name = field(r, 0, j);
        if (!*name)
            return err_set(e, ERR_INPUT, "%s:%ld:%zu: header field %zu: expected a column name, found ''",
                           r->path, h->line, j + 1, j + 1);
        long i = col_index(r, name);
        if (i < 0) {
            char names[512];
            size_t u = 0;
            names[0] = '\0';
            for (size_t k = 0; k < r->ncols && u < sizeof names; k++)
                u += (size_t)snprintf(names + u, sizeof names - u, "%s%s", k ? ", " : "", r->cols[k].name);
            return err_set(e, ERR_INPUT, "%s:%ld:%zu: column %s: expected one of the columns %s, found '%s'",
                           r->path, h->line, j + 1, show(name, sh, sizeof sh), names, show(name, sh, sizeof sh));
        }
        if (r->where[i] >= 0)
            return err_set(e, ERR_INPUT,
                           "%s:%ld:%zu: column %s: expected once in the header, found it twice (fields %ld "
                           "and %zu)",
                           r->path, h->line, j + 1, show(name, sh, sizeof sh), r->where[i] + 1, j + 1);
        r->where[i] = (long)j;
    }
    for (size_t i = 0; i < r->ncols; i++)
        if (r->cols[i].required && r->where[i] < 0)
            return err_set(e, ERR_INPUT,
                           "%s:%ld:1: column %s: expected a required column in the header, found none",
                           r->path, h->line, r->cols[i].name);
    for (size_t k = 1; k < r->nrows; k++)
        if (r->rows[k].n != h->n)
            return err_set(e, ERR_INPUT, "%s:%ld:%zu: expected %zu fields as in the header, found %zu",
                           r->path, r->rows[k].line, (r->rows[k].n < h->n ? r->rows[k].n : h->n) + 1, h->n,
                           r->rows[k].n);
    return 0;
}

int csvin_open(const char *path, const struct csvin_col *cols, size_t ncols, struct csvin **out,
               struct err *e)
{
    struct csvin *r = NULL;
    FILE *f = NULL;
    int rc = 0;
    *out = NULL;
    if (!(r = calloc(1, sizeof *r)) || !(r->path = dup_str(path))
        || !(r->where = calloc(ncols ? ncols : 1, sizeof *r->where))) {
        rc = err_set(e, ERR_INTERNAL, "%s: out of memory", path);
        goto cleanup;
    }
    r->cols = cols;
    r->ncols = ncols;
    /* Only a regular file: a FIFO would block (O_NONBLOCK lets the open return so that fstat
     * can refuse it), /dev/zero would never end. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0) {
        rc = err_set(e, ERR_INPUT, "%s: expected a readable CSV file, found none (%s)", path,
                     strerror(errno));
        goto cleanup;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        rc = err_set(e, ERR_INPUT, "%s: expected a regular CSV file, found %s", path,
                     S_ISDIR(sb.st_mode) ? "a directory" : "a device, FIFO or socket");
        goto cleanup;
    }
    if (fcntl(fd, F_SETFL, 0) != 0 || !(f = fdopen(fd, "r"))) {
        close(fd);
        rc = err_set(e, ERR_INTERNAL, "%s: cannot read: %s", path, strerror(errno));
        goto cleanup;
    }
    if ((rc = parse_file(r, f, e)) || (rc = check_shape(r, e))) goto cleanup;
    *out = r;
    r = NULL;

cleanup:
    if (f) fclose(f);
    csvin_free(r);
    return rc;
}

void csvin_free(struct csvin *r)
{
    if (!r) return;
    free(r->path);
    free(r->where);
    free(r->text);
    free(r->fld);
    free(r->rows);
    free(r);
}

int csvin_next(struct csvin *r)
{
    if (r->cur + 1 >= r->nrows) {
        r->cur = r->nrows;
        return 0;
    }
    r->cur++;
    return 1;
}

void csvin_rewind(struct csvin *r) { r->cur = 0; }

size_t csvin_rows(const struct csvin *r) { return r->nrows ? r->nrows - 1 : 0; }

const char *csvin_path(const struct csvin *r) { return r->path; }

long csvin_line(const struct csvin *r)
{
    if (r->nrows == 0) return 1;
    size_t k = r->cur < r->nrows ? r->cur : r->nrows - 1;
    return r->rows[k].line;
}

int csvin_has_col(const struct csvin *r, const char *col)
{
    long i = col_index(r, col);
    return i >= 0 && r->where[i] >= 0;
}

/* The cell of allowed column i (an index into the caller's cols) in the current row, "" when
 * the file lacks the column or there is no current row. The readers below resolve their columns
 * to these indices once (they know the order of the cols they pass), so a cell costs no name
 * lookup. */
static const char *cell_at(const struct csvin *r, long i)
{
    if (i < 0 || r->where[i] < 0 || r->cur == 0 || r->cur >= r->nrows) return "";
    return field(r, r->cur, (size_t)r->where[i]);
}

const char *csvin_cell(const struct csvin *r, const char *col)
{
    long i = col_index(r, col);
    assert(i >= 0 && "csvin_cell: column not among those passed to csvin_open");
    return cell_at(r, i);
}

int csvin_bad(const struct csvin *r, const char *col, struct err *e, const char *fmt, ...)
{
    char what[512], sh[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return err_set(e, ERR_INPUT, "%s:%ld:%ld: column %s: expected %s, found '%s'", r->path,
                   csvin_line(r), col_number(r, col), col, what, show(csvin_cell(r, col), sh, sizeof sh));
}

/* The error for the cell of column i: `what` was expected (the same message whether the cell is
 * empty in a required column or holds something else). */
static int bad_at(const struct csvin *r, long i, const char *what, struct err *e)
{
    return csvin_bad(r, r->cols[i].name, e, "%s", what);
}

static int text_at(const struct csvin *r, long i, size_t maxlen, const char **out, struct err *e)
{
    const char *s = cell_at(r, i);
    *out = "";
    if (!*s) return r->cols[i].required ? bad_at(r, i, "a non-empty value", e) : 0;
    if (maxlen && strlen(s) > maxlen) return csvin_bad(r, r->cols[i].name, e, "at most %zu bytes", maxlen);
    *out = s;
    return 0;
}

static int num_at(const struct csvin *r, long i, double lo, double hi, double def, double *out,
                  struct err *e)
{
    const char *s = cell_at(r, i);
    double v;
    *out = def;
    if (!*s) {
        if (!r->cols[i].required) return 0;
    } else if (pdef_decimal_syntax(s)) {
        char *end;
        errno = 0;
        v = strtod(s, &end);
        if (!(end == s || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi)) {
            *out = v;
            return 0;
        }
    }
    /* Only now the message: formatting it for every cell would cost more than the parse. */
    char what[96];
    snprintf(what, sizeof what, "a number in [%.15g, %.15g]", lo, hi);
    return bad_at(r, i, what, e);
}

static int whole_at(const struct csvin *r, long i, double lo, double hi, double def, double *out,
                    struct err *e)
{
    const char *s = cell_at(r, i), *p = s;
    *out = def;
    if (!*s && !r->cols[i].required) return 0;
    if (*p == '-' || *p == '+') p++;
    size_t n = strspn(p, "0123456789");
    if (*s && *p && !p[n] && n <= 15) {
        double v = strtod(s, NULL);
        if (v >= lo && v <= hi) {
            *out = v + 0.0; /* "-0" is 0 */
            return 0;
        }
    }
    char what[96];
    snprintf(what, sizeof what, "a whole number in [%.0f, %.0f]", lo, hi);
    return bad_at(r, i, what, e);
}

static int bool_at(const struct csvin *r, long i, int def, int *out, struct err *e)
{
    const char *s = cell_at(r, i);
    *out = def;
    if (!*s) return r->cols[i].required ? bad_at(r, i, "0 or 1", e) : 0;
    if ((s[0] != '0' && s[0] != '1') || s[1]) return bad_at(r, i, "0 or 1", e);
    *out = s[0] == '1';
    return 0;
}

/* The public typed cells look the column up by name once, then read it as the readers do. A
 * column not among those passed to csvin_open is a caller's bug (asserted); without assertions
 * it reads as absent. */
static long col_checked(const struct csvin *r, const char *col)
{
    long i = col_index(r, col);
    assert(i >= 0 && "column not among those passed to csvin_open");
    return i;
}

int csvin_text(const struct csvin *r, const char *col, size_t maxlen, const char **out,
               struct err *e)
{
    long i = col_checked(r, col);
    *out = "";
    return i < 0 ? 0 : text_at(r, i, maxlen, out, e);
}

int csvin_num(const struct csvin *r, const char *col, double lo, double hi, double def,
              double *out, struct err *e)
{
    long i = col_checked(r, col);
    *out = def;
    return i < 0 ? 0 : num_at(r, i, lo, hi, def, out, e);
}

int csvin_whole(const struct csvin *r, const char *col, double lo, double hi, double def,
                double *out, struct err *e)
{
    long i = col_checked(r, col);
    *out = def;
    return i < 0 ? 0 : whole_at(r, i, lo, hi, def, out, e);
}

int csvin_bool(const struct csvin *r, const char *col, int def, int *out, struct err *e)
{
    long i = col_checked(r, col);
    *out = def;
    return i < 0 ? 0 : bool_at(r, i, def, out, e);
}

/* ------------------------------------------------------------------------------------------ */
/* Region and centre names                                                                     */

struct nametab {
    char **v;
    size_t n, cap;
};

struct csvin_names {
    struct nametab region; /* names beyond the DSO regions: id POPN_REGIONS + index */
    struct nametab center; /* id = index */
};

struct csvin_names *csvin_names_alloc(void) { return calloc(1, sizeof(struct csvin_names)); }

static void tab_free(struct nametab *t)
{
    for (size_t i = 0; i < t->n; i++) free(t->v[i]);
    free(t->v);
}

void csvin_names_free(struct csvin_names *n)
{
    if (!n) return;
    tab_free(&n->region);
    tab_free(&n->center);
    free(n);
}

/* Index of name in t, added when new; -1 when out of memory. */
static long tab_id(struct nametab *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i], name) == 0) return (long)i;
    if (vec_grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v)) return -1;
    if (!(t->v[t->n] = dup_str(name))) return -1;
    return (long)t->n++;
}

int csvin_names_region(struct csvin_names *n, const char *name)
{
    for (int i = 0; i < POPN_REGIONS; i++)
        if (strcasecmp(name, popn_region_name(i)) == 0) return i;
    if (strcasecmp(name, "Baden-W\xC3\xBCrttemberg") == 0) return 6;
    long i = tab_id(&n->region, name);
    return i < 0 ? -1 : POPN_REGIONS + (int)i;
}

int csvin_names_center(struct csvin_names *n, const char *name)
{
    long i = tab_id(&n->center, name);
    return i < 0 ? -1 : (int)i;
}

const char *csvin_names_region_name(const struct csvin_names *n, int id)
{
    if (id >= 0 && id < POPN_REGIONS) return popn_region_name(id);
    if (id >= POPN_REGIONS && (size_t)(id - POPN_REGIONS) < n->region.n)
        return n->region.v[id - POPN_REGIONS];
    return "";
}

const char *csvin_names_center_name(const struct csvin_names *n, int id)
{
    return id >= 0 && (size_t)id < n->center.n ? n->center.v[id] : "";
}

/* ------------------------------------------------------------------------------------------ */
/* Unique ids                                                                                  */

struct idref {
    const char *id;
    size_t idx;
};

static int idref_cmp(const void *a, const void *b)
{
    const struct idref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sorts ids[0..n) (id, then index), unless they are strictly increasing already (a file in id
 * order), which also rules out a repeat. If an id repeats, reports its earliest repetition in
 * file order (lines[idx]) as ERR_INPUT. */
static int sort_unique(struct idref *ids, size_t n, const long *lines, const char *path, long col,
                       struct err *e)
{
    size_t up = 1;
    while (up < n && strcmp(ids[up - 1].id, ids[up].id) < 0) up++;
    if (up >= n) return 0;
    qsort(ids, n, sizeof *ids, idref_cmp);
    size_t worst = SIZE_MAX, first = 0;
    for (size_t i = 1; i < n; i++)
        if (strcmp(ids[i].id, ids[i - 1].id) == 0
            && (worst == SIZE_MAX || lines[ids[i].idx] < lines[worst])) {
            worst = ids[i].idx;
            first = ids[i - 1].idx;
        }
    if (worst == SIZE_MAX) return 0;
    char sh[128];
    const char *id = NULL;
    for (size_t i = 0; i < n; i++)
        if (ids[i].idx == worst) id = ids[i].id;
    return err_set(e, ERR_INPUT, "%s:%ld:%ld: column id: expected a unique id, found '%s' again (first on line %ld)",
                   path, lines[worst], col, show(id, sh, sizeof sh), lines[first]);
}

/* ------------------------------------------------------------------------------------------ */
/* Candidates                                                                                  */

/* The columns of the candidate file: these, handled here (the programme, the age and the names
 * map shape the whole candidate), then every attribute column of the organ tables
 * (registry_cand_cols), then, in a replay, seq (the number that keys a candidate's offer
 * decisions and breaks the last ties, as in the run that produced the file). */
static const struct csvin_col CAND_CORE_COLS[] = {
    {"id", 1}, {"program", 1}, {"abo", 1}, {"age_years", 1}, {"listed_day", 1}, {"region", 0}, {"center", 0},
};
/* Their indices in the columns cand_cols returns (attribute k is C_ATTR + k, seq follows). */
enum { C_ID, C_PROGRAM, C_ABO, C_AGE, C_LISTED, C_REGION, C_CENTER, C_ATTR };
#define N_CAND_CORE_COLS (sizeof CAND_CORE_COLS / sizeof CAND_CORE_COLS[0])
#define CAND_COLS_MAX (N_CAND_CORE_COLS + REGISTRY_CAND_COLS_MAX + 1)
_Static_assert(C_ATTR == N_CAND_CORE_COLS, "C_ID..C_CENTER name every core column in order");

/* The candidate file's columns into buf[0..CAND_COLS_MAX); returns how many. The attribute
 * columns' rows go to attr[0..REGISTRY_CAND_COLS_MAX), *nattr of them. */
static size_t cand_cols(int replay, struct csvin_col *buf, const struct cand_col **attr, size_t *nattr)
{
    size_t n = 0;
    for (size_t i = 0; i < N_CAND_CORE_COLS; i++) buf[n++] = CAND_CORE_COLS[i];
    *nattr = registry_cand_cols(attr);
    for (size_t i = 0; i < *nattr; i++) buf[n++] = (struct csvin_col){attr[i]->name, 0};
    if (replay) buf[n++] = (struct csvin_col){"seq", 0};
    return n;
}

#define ABO_EXPECTED "O (or 0), A, B or AB"

/* Bounds of the donor's size columns (the candidate's are in model/organ.c: the same). */
#define TLC_MIN 0.1      /* litres */
#define TLC_MAX 20.0
#define HEIGHT_MIN 10.0  /* cm */
#define HEIGHT_MAX 300.0

/* The donor file's optional sex column: f/m (either case), empty = unknown. */
static int sex_cell(const struct csvin *r, long col, enum sex *out, struct err *e)
{
    *out = SEX_UNKNOWN;
    if (sex_parse(cell_at(r, col), out)) return bad_at(r, col, "f or m", e);
    return 0;
}

/* Region or centre column: -1 when empty, else the name's int. */
static int name_cell(const struct csvin *r, long col, struct csvin_names *names,
                     int (*map)(struct csvin_names *, const char *), int *out, struct err *e)
{
    const char *s = cell_at(r, col);
    *out = -1;
    if (!*s) return 0;
    if ((*out = map(names, s)) < 0) return err_set(e, ERR_INTERNAL, "out of memory");
    return 0;
}

/* A day column: a whole number within +-DAY_MAX, or with `fractional` any decimal number in
 * that range (the replay of a synthetic run, whose clock is continuous). */
static int day_cell(const struct csvin *r, long col, int fractional, double lo, double def,
                    double *out, struct err *e)
{
    if (fractional) return num_at(r, col, lo, DAY_MAX, def, out, e);
    return whole_at(r, col, lo, DAY_MAX, def, out, e);
}

/* Attribute column k, at index col of the reader's columns, of the current row into c (an empty
 * cell: k's default). */
static int attr_cell(const struct csvin *r, long col, const struct cand_col *k, int frac, struct cand *c,
                     struct err *e)
{
    void *m = (char *)c + k->off;
    double v;
    int rc;
    switch (k->kind) {
    case CAND_COL_NUM: return num_at(r, col, k->lo, k->hi, k->def, m, e);
    case CAND_COL_DAY: return day_cell(r, col, frac, k->lo, k->def, m, e);
    case CAND_COL_FLAG: return bool_at(r, col, (int)k->def, m, e);
    case CAND_COL_CODE:
        if ((rc = whole_at(r, col, k->lo, k->hi, k->def, &v, e))) return rc;
        *(int *)m = (int)v;
        return 0;
    case CAND_COL_TEXT:
        return k->parse(cell_at(r, col), c) ? bad_at(r, col, k->expected, e) : 0;
    }
    return err_set(e, ERR_INTERNAL, "column %s: unknown kind %d", k->name, (int)k->kind);
}

/* One candidate row into c (seq = index, or the seq column with CSVIN_CANDS_REPLAY): the core
 * columns, then the attribute columns attr[0..nattr), then each attribute's check against the
 * whole row. */
static int cand_row(const struct csvin *r, uint32_t seq, double age_day, unsigned flags,
                    struct csvin_names *names, const struct cand_col *const *attr, size_t nattr,
                    struct cand *c, struct err *e)
{
    const int frac = (flags & CSVIN_CANDS_REPLAY) != 0;
    const char *id, *s;
    enum prog prog;
    enum abo abo;
    double age, listed, fseq = seq;
    int rc;
    if ((rc = text_at(r, C_ID, CAND_ID_LEN - 1, &id, e))) return rc;
    if ((rc = text_at(r, C_PROGRAM, 0, &s, e))) return rc;
    if (prog_parse(s, &prog)) return bad_at(r, C_PROGRAM, "heart, heart-lung, pancreas or pancreas-kidney", e);
    if ((rc = text_at(r, C_ABO, 0, &s, e))) return rc;
    if (abo_parse(s, &abo)) return bad_at(r, C_ABO, ABO_EXPECTED, e);
    if ((rc = num_at(r, C_AGE, 0, 150, NAN, &age, e))) return rc;
    if ((rc = day_cell(r, C_LISTED, frac, -DAY_MAX, NAN, &listed, e))) return rc;
    if (frac && (rc = whole_at(r, (long)(C_ATTR + nattr), 0, UINT32_MAX, seq, &fseq, e))) return rc;
    cand_init(c, (uint32_t)fseq, prog, listed);
    memcpy(c->id, id, strlen(id) + 1); /* text_at bounded it by CAND_ID_LEN - 1 bytes */
    c->abo = abo;
    c->birth_day = (isnan(age_day) ? listed : age_day) - age * 365.25;
    if ((rc = name_cell(r, C_REGION, names, csvin_names_region, &c->region, e))
        || (rc = name_cell(r, C_CENTER, names, csvin_names_center, &c->center, e)))
        return rc;
    for (size_t k = 0; k < nattr; k++)
        if ((rc = attr_cell(r, (long)(C_ATTR + k), attr[k], frac, c, e))) return rc;
    for (size_t k = 0; k < nattr; k++) {
        char what[256];
        if (attr[k]->check && attr[k]->check(c, what, sizeof what)) return bad_at(r, (long)(C_ATTR + k), what, e);
    }
    return 0;
}

/* With the seq column: every candidate's seq must be unique. Reports the earliest repetition in
 * file order. */
struct seqref {
    uint32_t seq;
    size_t idx;
};

static int seqref_cmp(const void *a, const void *b)
{
    const struct seqref *x = a, *y = b;
    if (x->seq != y->seq) return x->seq < y->seq ? -1 : 1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static int seq_unique(const struct csvin_cands *cs, long col, struct err *e)
{
    struct seqref *v = malloc((cs->n ? cs->n : 1) * sizeof *v);
    if (!v) return err_set(e, ERR_INTERNAL, "%s: out of memory", cs->path);
    for (size_t i = 0; i < cs->n; i++) v[i] = (struct seqref){cs->c[i].seq, i};
    qsort(v, cs->n, sizeof *v, seqref_cmp);
    size_t worst = SIZE_MAX, first = 0;
    for (size_t i = 1; i < cs->n; i++)
        if (v[i].seq == v[i - 1].seq && (worst == SIZE_MAX || v[i].idx < worst)) {
            worst = v[i].idx;
            first = v[i - 1].idx;
        }
    free(v);
    if (worst == SIZE_MAX) return 0;
    return err_set(e, ERR_INPUT,
                   "%s:%ld:%ld: column seq: expected a unique seq (an empty cell stands for the row's "
                   "index, counted from 0), found %" PRIu32 " again (first on line %ld)",
                   cs->path, cs->line[worst], col, cs->c[worst].seq, cs->line[first]);
}

int csvin_cands_read(const char *path, double age_day, unsigned flags, struct csvin_names *names,
                     struct csvin_cands **out, struct err *e)
{
    struct csvin *r = NULL;
    struct csvin_cands *cs = NULL;
    struct idref *ids = NULL;
    struct csvin_col cols[CAND_COLS_MAX];
    const struct cand_col *attr[REGISTRY_CAND_COLS_MAX];
    size_t nattr;
    const int replay = (flags & CSVIN_CANDS_REPLAY) != 0;
    int rc;
    *out = NULL;
    const size_t ncols = cand_cols(replay, cols, attr, &nattr);
    if ((rc = csvin_open(path, cols, ncols, &r, e))) goto cleanup;
    size_t n = csvin_rows(r);
    if (n > UINT32_MAX) {
        rc = err_set(e, ERR_INPUT, "%s: expected at most %u candidates, found %zu", path,
                     (unsigned)UINT32_MAX, n);
        goto cleanup;
    }
    if (!(cs = calloc(1, sizeof *cs)) || !(cs->path = dup_str(path))
        || !(cs->c = calloc(n ? n : 1, sizeof *cs->c)) || !(cs->line = calloc(n ? n : 1, sizeof *cs->line))
        || !(cs->by_id = calloc(n ? n : 1, sizeof *cs->by_id)) || !(ids = calloc(n ? n : 1, sizeof *ids))) {
        rc = err_set(e, ERR_INTERNAL, "%s: out of memory", path);
        goto cleanup;
    }
    for (size_t i = 0; csvin_next(r); i++) {
        if ((rc = cand_row(r, (uint32_t)i, age_day, flags, names, attr, nattr, &cs->c[i], e))) goto cleanup;
        cs->line[i] = csvin_line(r);
        ids[i] = (struct idref){cs->c[i].id, i};
        cs->n = i + 1;
    }
    if ((rc = sort_unique(ids, n, cs->line, path, col_number(r, "id"), e))) goto cleanup;
    if (replay && csvin_has_col(r, "seq") && (rc = seq_unique(cs, col_number(r, "seq"), e))) goto cleanup;
    cs->listed_col = col_number(r, "listed_day");
    for (size_t i = 0; i < n; i++) cs->by_id[i] = ids[i].idx;
    *out = cs;
    cs = NULL;

cleanup:
    free(ids);
    csvin_cands_free(cs);
    csvin_free(r);
    return rc;
}

void csvin_cands_free(struct csvin_cands *cs)
{
    if (!cs) return;
    free(cs->c);
    free(cs->line);
    free(cs->by_id);
    free((char *)cs->path);
    free(cs);
}

long csvin_cands_find(const struct csvin_cands *cs, const char *id)
{
    size_t lo = 0, hi = cs->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(cs->c[cs->by_id[mid]].id, id);
        if (c == 0) return (long)cs->by_id[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return -1;
}

/* ------------------------------------------------------------------------------------------ */
/* History                                                                                     */

static const struct csvin_col HIST_COLS[] = {
    {"id", 1}, {"day", 1}, {"status", 1}, {"nt_credit", 0},
};
enum { H_ID, H_DAY, H_STATUS, H_CREDIT }; /* their indices */
#define N_HIST_COLS (sizeof HIST_COLS / sizeof HIST_COLS[0])

/* Per candidate: its last row so far. */
struct last {
    double day;  /* NaN: none yet */
    int status;
    int nt_credit;
    long line;
};

static const char *hist_status_name(int s)
{
    return s == CSVIN_ST_DEAD ? "DEAD" : s == CSVIN_ST_REMOVED ? "REMOVED" : status_name((enum status)s);
}

/* Parses the status cell for candidate c. */
static int hist_status(const struct csvin *r, const struct cand *c, unsigned flags, int *out,
                       struct err *e)
{
    const char *s;
    int rc;
    enum status st;
    const enum status urgent = registry_organ(prog_organ(c->prog))->urgent;
    const char *fin = (flags & CSVIN_HIST_FINAL) ? ", DEAD or REMOVED" : "";
    if ((rc = text_at(r, H_STATUS, 0, &s, e))) return rc;
    if ((flags & CSVIN_HIST_FINAL) && strcmp(s, "DEAD") == 0) *out = CSVIN_ST_DEAD;
    else if ((flags & CSVIN_HIST_FINAL) && strcmp(s, "REMOVED") == 0) *out = CSVIN_ST_REMOVED;
    else if (status_parse(s, &st) == 0 && (st == ST_T || st == ST_NT || st == urgent)) *out = (int)st;
    else
        return csvin_bad(r, "status", e, "T, %s or NT%s (a %s candidate)", status_name(urgent), fin,
                         prog_name(c->prog));
    return 0;
}

int csvin_history_read(const char *path, const struct csvin_cands *cs, unsigned flags,
                       struct csvin_hist **out, size_t *n, struct err *e)
{
    struct csvin *r = NULL;
    struct csvin_hist *h = NULL;
    struct last *last = NULL;
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = csvin_open(path, HIST_COLS, N_HIST_COLS, &r, e))) goto cleanup;
    size_t rows = csvin_rows(r);
    if (!(h = calloc(rows ? rows : 1, sizeof *h)) || !(last = malloc((cs->n ? cs->n : 1) * sizeof *last))) {
        rc = err_set(e, ERR_INTERNAL, "%s: out of memory", path);
        goto cleanup;
    }
    for (size_t i = 0; i < cs->n; i++) last[i] = (struct last){.day = NAN};
    size_t k = 0;
    while (csvin_next(r)) {
        const char *id;
        double day;
        int status = 0, credit = 0;
        char sh[128];
        if ((rc = text_at(r, H_ID, 0, &id, e))) goto cleanup;
        long ci = csvin_cands_find(cs, id);
        if (ci < 0) {
            rc = csvin_bad(r, "id", e, "the id of a candidate in %s", cs->path);
            goto cleanup;
        }
        const struct cand *c = &cs->c[ci];
        struct last *l = &last[ci];
        if ((rc = day_cell(r, H_DAY, (flags & CSVIN_HIST_FRACTIONAL) != 0, -DAY_MAX, NAN, &day, e))) goto cleanup;
        if (day < c->w.listed) {
            rc = csvin_bad(r, "day", e, "a day on or after listed_day %.17g of '%s' (%s:%ld)",
                           c->w.listed, show(id, sh, sizeof sh), cs->path, cs->line[ci]);
            goto cleanup;
        }
        if ((rc = hist_status(r, c, flags, &status, e))) goto cleanup;
        if ((rc = bool_at(r, H_CREDIT, 0, &credit, e))) goto cleanup;
        if (credit && status != ST_NT) {
            rc = csvin_bad(r, "nt_credit", e, "0 on a %s row (nt_credit applies to NT only)",
                           hist_status_name(status));
            goto cleanup;
        }
        if (!isnan(l->day)) {
            if (l->status >= ST_N) {
                rc = csvin_bad(r, "id", e, "no row after the final status %s of this candidate (line %ld)",
                               hist_status_name(l->status), l->line);
                goto cleanup;
            }
            if (day < l->day) {
                rc = csvin_bad(r, "day", e, "a day on or after %.17g, the day of the previous row of '%s' (line %ld)",
                               l->day, show(id, sh, sizeof sh), l->line);
                goto cleanup;
            }
            if (day == l->day && status != l->status) {
                rc = csvin_bad(r, "status", e, "%s as on line %ld (two rows of '%s' on day %.17g)",
                               hist_status_name(l->status), l->line, show(id, sh, sizeof sh), day);
                goto cleanup;
            }
            if (day == l->day && credit != l->nt_credit) {
                rc = csvin_bad(r, "nt_credit", e, "%d as on line %ld (two rows of '%s' on day %.17g)",
                               l->nt_credit, l->line, show(id, sh, sizeof sh), day);
                goto cleanup;
            }
        }
        *l = (struct last){.day = day, .status = status, .nt_credit = credit, .line = csvin_line(r)};
        h[k++] = (struct csvin_hist){.cand = (size_t)ci, .day = day, .status = status,
                                     .nt_credit = credit, .line = csvin_line(r)};
    }
    if (k) {
        *out = h;
        *n = k;
        h = NULL;
    }

cleanup:
    free(h);
    free(last);
    csvin_free(r);
    return rc;
}

size_t csvin_history_apply(struct csvin_cands *cs, const struct csvin_hist *h, size_t n,
                           double day_max)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (h[i].day > day_max || h[i].status >= ST_N) continue;
        cand_set_status(&cs->c[h[i].cand], h[i].day, (enum status)h[i].status, h[i].nt_credit);
        k++;
    }
    return k;
}

/* ------------------------------------------------------------------------------------------ */
/* Donors                                                                                      */

#define DONOR_COLS_COMMON                                                                      \
    {"id", 1}, {"abo", 1}, {"age_years", 1}, {"region", 0}, {"hla_typed", 0}, {"weight_kg", 0}, \
        {"bmi", 0}, {"sex", 0}, {"waist_cm", 0}, {"ecd", 0}, {"tlc_l", 0}, {"height_cm", 0},     \
        {"cpr_min", 0}, {"icu_days", 0}, {"sodium", 0}

static const struct csvin_col DONOR_COLS[] = {DONOR_COLS_COMMON};
/* Their indices; a replay's day and organ columns follow (donor_cols). */
enum {
    D_ID, D_ABO, D_AGE, D_REGION, D_HLA, D_WEIGHT, D_BMI, D_SEX, D_WAIST, D_ECD, D_TLC, D_HEIGHT, D_CPR,
    D_ICU, D_SODIUM, D_DAY, D_ORGAN
};
#define N_DONOR_COLS (sizeof DONOR_COLS / sizeof DONOR_COLS[0])
#define DONOR_COLS_MAX (N_DONOR_COLS + 1 + ORGAN_N)
_Static_assert(D_DAY == N_DONOR_COLS, "D_ID..D_SODIUM name every common donor column in order");

/* The donor file's columns into buf[0..DONOR_COLS_MAX); returns how many. A replay's file also
 * has the day and, per organ, whether it is offered (a column named after the organ). */
static size_t donor_cols(int replay, struct csvin_col *buf)
{
    size_t n = 0;
    for (size_t i = 0; i < N_DONOR_COLS; i++) buf[n++] = DONOR_COLS[i];
    if (!replay) return n;
    buf[n++] = (struct csvin_col){"day", 1};
    for (int o = 0; o < ORGAN_N; o++) buf[n++] = (struct csvin_col){registry_organ((enum organ)o)->name, 0};
    return n;
}

static int donor_row(const struct csvin *r, uint32_t seq, unsigned flags, struct csvin_names *names,
                     struct donor *d, struct err *e)
{
    const char *id, *s;
    int rc;
    memset(d, 0, sizeof *d);
    d->seq = seq;
    d->day = d->weight_kg = d->height_cm = d->tlc_l = d->bmi = d->waist_cm = NAN;
    d->cpr_min = d->icu_days = d->sodium = NAN;
    d->sex = SEX_UNKNOWN;
    for (int o = 0; o < ORGAN_N; o++) *organ_offer_flag(registry_organ((enum organ)o), d) = 1;
    if ((rc = text_at(r, D_ID, CAND_ID_LEN - 1, &id, e))) return rc;
    memcpy(d->id, id, strlen(id) + 1); /* text_at bounded it by CAND_ID_LEN - 1 bytes */
    if ((rc = text_at(r, D_ABO, 0, &s, e))) return rc;
    if (abo_parse(s, &d->abo)) return bad_at(r, D_ABO, ABO_EXPECTED, e);
    if ((rc = sex_cell(r, D_SEX, &d->sex, e))) return rc;
    if ((rc = num_at(r, D_AGE, 0, 150, NAN, &d->age_years, e))
        || (rc = name_cell(r, D_REGION, names, csvin_names_region, &d->region, e))
        || (rc = bool_at(r, D_HLA, 0, &d->hla_typed, e))
        || (rc = num_at(r, D_WEIGHT, 0.1, 1000, NAN, &d->weight_kg, e))
        || (rc = num_at(r, D_BMI, 5, 100, NAN, &d->bmi, e))
        || (rc = num_at(r, D_WAIST, 10, 300, NAN, &d->waist_cm, e))
        || (rc = bool_at(r, D_ECD, 0, &d->ecd, e))
        || (rc = num_at(r, D_TLC, TLC_MIN, TLC_MAX, NAN, &d->tlc_l, e))
        || (rc = num_at(r, D_HEIGHT, HEIGHT_MIN, HEIGHT_MAX, NAN, &d->height_cm, e))
        || (rc = num_at(r, D_CPR, 0, 1440, NAN, &d->cpr_min, e))
        || (rc = num_at(r, D_ICU, 0, 3650, NAN, &d->icu_days, e))
        || (rc = num_at(r, D_SODIUM, 50, 250, NAN, &d->sodium, e)))
        return rc;
    if (flags & CSVIN_DONOR_REPLAY) {
        if ((rc = day_cell(r, D_DAY, 1, -DAY_MAX, NAN, &d->day, e))) return rc;
        for (int o = 0; o < ORGAN_N; o++) {
            const struct organ_def *od = registry_organ((enum organ)o);
            if ((rc = bool_at(r, D_ORGAN + o, 1, organ_offer_flag(od, d), e))) return rc;
        }
    }
    return 0;
}

int csvin_donors_read(const char *path, struct csvin_names *names, unsigned flags, size_t max_rows,
                      struct donor **out, size_t *n, struct err *e)
{
    struct csvin *r = NULL;
    struct donor *d = NULL;
    struct idref *ids = NULL;
    long *lines = NULL;
    int rc;
    *out = NULL;
    *n = 0;
    const int replay = (flags & CSVIN_DONOR_REPLAY) != 0;
    struct csvin_col cols[DONOR_COLS_MAX];
    if ((rc = csvin_open(path, cols, donor_cols(replay, cols), &r, e))) goto cleanup;
    size_t rows = csvin_rows(r);
    if (rows > UINT32_MAX) {
        rc = err_set(e, ERR_INPUT, "%s: expected at most %u donors, found %zu", path,
                     (unsigned)UINT32_MAX, rows);
        goto cleanup;
    }
    if (!(d = calloc(rows ? rows : 1, sizeof *d)) || !(ids = calloc(rows ? rows : 1, sizeof *ids))
        || !(lines = calloc(rows ? rows : 1, sizeof *lines))) {
        rc = err_set(e, ERR_INTERNAL, "%s: out of memory", path);
        goto cleanup;
    }
    for (size_t i = 0; csvin_next(r); i++) {
        if (max_rows && i >= max_rows) {
            if (max_rows == 1)
                rc = err_set(e, ERR_INPUT, "%s:%ld:1: expected one donor row, found a second one", path,
                             csvin_line(r));
            else
                rc = err_set(e, ERR_INPUT, "%s:%ld:1: expected at most %zu donor rows, found more", path,
                             csvin_line(r), max_rows);
            goto cleanup;
        }
        if ((rc = donor_row(r, (uint32_t)i, flags, names, &d[i], e))) goto cleanup;
        /* The replay allocates donors in file order, so their days must not go back in time. */
        if (replay && i > 0 && d[i].day < d[i - 1].day) {
            rc = csvin_bad(r, "day", e, "a day on or after %.17g, the day of the previous donor (line %ld)",
                           d[i - 1].day, lines[i - 1]);
            goto cleanup;
        }
        lines[i] = csvin_line(r);
        ids[i] = (struct idref){d[i].id, i};
    }
    if ((rc = sort_unique(ids, rows, lines, path, col_number(r, "id"), e))) goto cleanup;
    if (rows) {
        *out = d;
        *n = rows;
        d = NULL;
    }

cleanup:
    free(d);
    free(ids);
    free(lines);
    csvin_free(r);
    return rc;
}

void csvin_put_field(FILE *out, const char *s, int last)
{
    size_t n = strlen(s);
    if (strpbrk(s, ",\"\r\n") || (n && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' || s[n - 1] == '\t')))
        csv_fwrite(out, s, n);
    else
        fputs(s, out);
    fputc(last ? '\n' : ',', out);
}
