/* test_csvin.c — the CSV reader (sim/csvin.h): parsing (quotes, commas and newlines inside
 * fields, CRLF, byte-order mark, blank lines, trimming), the header map, line numbers, every
 * error of the generic reader and of the typed cells with its exact message, the region and
 * centre names, and the candidate, history and donor readers. Files are written to a temporary
 * folder; run from anywhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csvin.h"

/* A per-process temporary folder holding the test files. */
struct tmp {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    if (!t) return -1;
    snprintf(t->dir, sizeof t->dir, "/tmp/test_csvin.XXXXXX");
    if (!mkdtemp(t->dir)) return -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tmp *t = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    if (system(cmd) != 0) return -1;
    free(t);
    return 0;
}

/* Writes `text` to DIR/name and returns its path (valid until the next call). */
static const char *put(void **state, const char *name, const char *text)
{
    struct tmp *t = *state;
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *f = fopen(t->path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    return t->path;
}

static const struct csvin_col COLS[] = {{"id", 1}, {"x", 0}, {"y", 0}};

/* Opens `text` against COLS and expects the error `msg` after "DIR/f.csv". */
static void expect_open_error(void **state, const char *text, const char *msg)
{
    struct tmp *t = *state;
    struct csvin *r = (struct csvin *)1;
    struct err e;
    char want[512];
    err_clear(&e);
    const char *p = put(state, "f.csv", text);
    assert_int_equal(csvin_open(p, COLS, 3, &r, &e), ERR_INPUT);
    assert_null(r);
    snprintf(want, sizeof want, "%s/f.csv%s", t->dir, msg);
    assert_string_equal(e.msg, want);
}

/* ------------------------------------------------------------------------------------------ */

static void test_parse_header_map_lines(void **state)
{
    struct csvin *r = NULL;
    struct err e;
    err_clear(&e);
    const char *p = put(state, "a.csv", "y,id\n1,a\n\n2,b\n");
    assert_int_equal(csvin_open(p, COLS, 3, &r, &e), 0);
    assert_string_equal(csvin_path(r), p);
    assert_int_equal(csvin_rows(r), 2);
    assert_int_equal(csvin_line(r), 1);
    assert_true(csvin_has_col(r, "id"));
    assert_true(csvin_has_col(r, "y"));
    assert_false(csvin_has_col(r, "x"));
    assert_int_equal(csvin_next(r), 1);
    assert_int_equal(csvin_line(r), 2);
    assert_string_equal(csvin_cell(r, "id"), "a");
    assert_string_equal(csvin_cell(r, "y"), "1");
    assert_string_equal(csvin_cell(r, "x"), ""); /* absent column */
    assert_int_equal(csvin_next(r), 1);
    assert_int_equal(csvin_line(r), 4); /* the blank line 3 is skipped */
    assert_string_equal(csvin_cell(r, "id"), "b");
    assert_int_equal(csvin_next(r), 0);
    assert_int_equal(csvin_next(r), 0);
    csvin_rewind(r);
    assert_int_equal(csvin_next(r), 1);
    assert_string_equal(csvin_cell(r, "id"), "a");
    csvin_free(r);
    csvin_free(NULL);
}

static void test_parse_quotes_newlines_crlf_bom(void **state)
{
    struct csvin *r = NULL;
    struct err e;
    err_clear(&e);
    const char *p = put(state, "q.csv",
                        "\xEF\xBB\xBFid,x,y\r\n"
                        "\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\r\n"
                        "  c  ,\"  kept  \",\r\n"
                        "   \r\n"
                        "d,\"\",\"x\ny\nz\"\n"
                        "e,1,2"); /* no final newline */
    assert_int_equal(csvin_open(p, COLS, 3, &r, &e), 0);
    assert_int_equal(csvin_rows(r), 4);
    assert_true(csvin_next(r));
    assert_int_equal(csvin_line(r), 2);
    assert_string_equal(csvin_cell(r, "id"), "a,b");
    assert_string_equal(csvin_cell(r, "x"), "say \"hi\"");
    assert_string_equal(csvin_cell(r, "y"), "two\r\nlines");
    assert_true(csvin_next(r));
    assert_int_equal(csvin_line(r), 4);
    assert_string_equal(csvin_cell(r, "id"), "c");          /* unquoted: trimmed */
    assert_string_equal(csvin_cell(r, "x"), "  kept  ");    /* quoted: kept */
    assert_string_equal(csvin_cell(r, "y"), "");
    assert_true(csvin_next(r));
    assert_int_equal(csvin_line(r), 6);
    assert_string_equal(csvin_cell(r, "y"), "x\ny\nz");
    assert_true(csvin_next(r));
    assert_int_equal(csvin_line(r), 9);
    assert_string_equal(csvin_cell(r, "id"), "e");
    assert_string_equal(csvin_cell(r, "y"), "2");
    assert_false(csvin_next(r));
    csvin_free(r);
}

static void test_open_errors(void **state)
{
    expect_open_error(state, "", ":1:1: expected a header row (e.g. id,x,y), found an empty file");
    expect_open_error(state, "\n  \n", ":1:1: expected a header row (e.g. id,x,y), found an empty file");
    expect_open_error(state, "id,z\n1,2\n", ":1:2: column z: expected one of the columns id, x, y, found 'z'");
    expect_open_error(state, "x,y\n1,2\n", ":1:1: column id: expected a required column in the header, found none");
    expect_open_error(state, "\n\nid,x,id\n1,2,3\n",
                      ":3:3: column id: expected once in the header, found it twice (fields 1 and 3)");
    expect_open_error(state, "id,,x\n1,2,3\n", ":1:2: header field 2: expected a column name, found ''");
    expect_open_error(state, "id,x\n1,2\n\"3\n4\",5,6\n", ":3:3: expected 2 fields as in the header, found 3");
    expect_open_error(state, "id,x\n1,2\n3\n", ":3:2: expected 2 fields as in the header, found 1");
    expect_open_error(state, "id,x\n1,2\n3,a\"b\n",
                      ":3:2: expected well-formed CSV (a field either unquoted or wholly in \"quotes\", a "
                      "quote inside quotes doubled), found a misplaced quote");
    expect_open_error(state, "id,x\n\"1\"2,3\n",
                      ":2:1: expected well-formed CSV (a field either unquoted or wholly in \"quotes\", a "
                      "quote inside quotes doubled), found a misplaced quote");
    expect_open_error(state, "id,x\n1,2\n\n3,\"open\nstill open\n",
                      ":4:2: expected a closing quote for the quoted field in the row starting here, "
                      "found the end of the file");
}

static void test_open_unreadable(void **state)
{
    struct tmp *t = *state;
    struct csvin *r = NULL;
    struct err e;
    char want[256], p[128];
    err_clear(&e);
    snprintf(p, sizeof p, "%s/missing.csv", t->dir);
    assert_int_equal(csvin_open(p, COLS, 3, &r, &e), ERR_INPUT);
    snprintf(want, sizeof want, "%s: expected a readable CSV file, found none (No such file or directory)", p);
    assert_string_equal(e.msg, want);
    err_clear(&e);
    assert_int_equal(csvin_open(t->dir, COLS, 3, &r, &e), ERR_INPUT);
    snprintf(want, sizeof want, "%s: expected a regular CSV file, found a directory", t->dir);
    assert_string_equal(e.msg, want);
    assert_null(r);
    /* Neither a FIFO (no writer: it must not block) nor a device that never ends. */
    snprintf(p, sizeof p, "%s/fifo.csv", t->dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    err_clear(&e);
    assert_int_equal(csvin_open(p, COLS, 3, &r, &e), ERR_INPUT);
    snprintf(want, sizeof want, "%s: expected a regular CSV file, found a device, FIFO or socket", p);
    assert_string_equal(e.msg, want);
    unlink(p);
    err_clear(&e);
    assert_int_equal(csvin_open("/dev/zero", COLS, 3, &r, &e), ERR_INPUT);
    assert_string_equal(e.msg, "/dev/zero: expected a regular CSV file, found a device, FIFO or socket");
    assert_null(r);
}

/* Bytes a reader would otherwise take silently: a NUL (it would cut the id short), a byte-order
 * mark after the start, a hexadecimal number. */
static void test_open_hidden_bytes(void **state)
{
    struct tmp *t = *state;
    struct csvin *r = NULL;
    struct err e;
    char want[512];
    err_clear(&e);
    const char *p = put(state, "nul.csv", "");
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite("id,x\na\0b,1\n", 1, 11, f), 11);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(csvin_open(p, COLS, 3, &r, &e), ERR_INPUT);
    assert_null(r);
    snprintf(want, sizeof want, "%s/nul.csv:2:1: expected text, found a NUL byte", t->dir);
    assert_string_equal(e.msg, want);
    expect_open_error(state, "\xEF\xBB\xBF" "id,x\n\xEF\xBB\xBF" "a,1\n",
                      ":2:1: expected text, found a byte-order mark after the start of the file");
    expect_open_error(state, "id,x\na,\"1\xEF\xBB\xBF\"\n",
                      ":2:2: expected text, found a byte-order mark after the start of the file");
}

/* Opens a one-row file with the columns of TYPED and positions on the row. */
static const struct csvin_col TYPED[] = {{"req", 1}, {"opt", 0}, {"n", 0}};

static struct csvin *one_row(void **state, const char *row)
{
    char text[256];
    struct csvin *r = NULL;
    struct err e;
    err_clear(&e);
    snprintf(text, sizeof text, "req,opt,n\n%s\n", row);
    assert_int_equal(csvin_open(put(state, "t.csv", text), TYPED, 3, &r, &e), 0);
    assert_true(csvin_next(r));
    return r;
}

/* The message after "DIR/t.csv". */
static void assert_msg(void **state, const struct err *e, const char *tail)
{
    struct tmp *t = *state;
    char want[512];
    snprintf(want, sizeof want, "%s/t.csv%s", t->dir, tail);
    assert_string_equal(e->msg, want);
}

static void test_typed_num_whole_bool(void **state)
{
    struct err e;
    double v;
    int b;
    struct csvin *r = one_row(state, "2.5,,-17");
    err_clear(&e);
    assert_int_equal(csvin_num(r, "req", 0, 10, NAN, &v, &e), 0);
    assert_float_equal(v, 2.5, 0);
    assert_int_equal(csvin_num(r, "opt", 0, 10, NAN, &v, &e), 0); /* empty optional: default */
    assert_true(isnan(v));
    assert_int_equal(csvin_num(r, "opt", 0, 10, 7, &v, &e), 0);
    assert_float_equal(v, 7, 0);
    assert_int_equal(csvin_whole(r, "n", -100, 100, NAN, &v, &e), 0);
    assert_float_equal(v, -17, 0);
    assert_int_equal(csvin_bool(r, "opt", 1, &b, &e), 0);
    assert_int_equal(b, 1);
    assert_int_equal(csvin_num(r, "req", 3, 10, NAN, &v, &e), ERR_INPUT); /* out of range */
    assert_msg(state, &e, ":2:1: column req: expected a number in [3, 10], found '2.5'");
    err_clear(&e);
    assert_int_equal(csvin_whole(r, "req", 0, 10, NAN, &v, &e), ERR_INPUT); /* not whole */
    assert_msg(state, &e, ":2:1: column req: expected a whole number in [0, 10], found '2.5'");
    err_clear(&e);
    assert_int_equal(csvin_whole(r, "n", 0, 10, NAN, &v, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:3: column n: expected a whole number in [0, 10], found '-17'");
    err_clear(&e);
    assert_int_equal(csvin_bool(r, "n", 0, &b, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:3: column n: expected 0 or 1, found '-17'");
    csvin_free(r);

    r = one_row(state, "abc,+4,1e3");
    err_clear(&e);
    assert_int_equal(csvin_num(r, "req", 0, 10, NAN, &v, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:1: column req: expected a number in [0, 10], found 'abc'");
    err_clear(&e);
    assert_int_equal(csvin_whole(r, "opt", 0, 10, NAN, &v, &e), 0);
    assert_float_equal(v, 4, 0);
    assert_int_equal(csvin_num(r, "n", 0, 1e4, NAN, &v, &e), 0);
    assert_float_equal(v, 1000, 0);
    assert_int_equal(csvin_whole(r, "n", 0, 1e4, NAN, &v, &e), ERR_INPUT);
    csvin_free(r);

    r = one_row(state, "inf,-0,1");
    err_clear(&e);
    assert_int_equal(csvin_num(r, "req", -1e300, 1e300, NAN, &v, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:1: column req: expected a number in [-1e+300, 1e+300], found 'inf'");
    assert_int_equal(csvin_whole(r, "opt", -1, 1, NAN, &v, &e), 0);
    assert_false(signbit(v));
    assert_int_equal(csvin_bool(r, "n", 0, &b, &e), 0);
    assert_int_equal(b, 1);
    csvin_free(r);
}

/* Every number the reader accepts is the double strtod gives for its text, bit for bit, read
 * through the readers' by-index cells: cells around the limits of double precision, as `wlsim
 * export` writes them (%.17g) and as people write them. */
static void test_num_exact(void **state)
{
    static const char *fixed[] = {
        "0", "-0", "+0", "0.0", "-0.0", "1.", ".5", "-.5", "+3", "007", "0.1", "0.3", "2.675", "1e3",
        "9007199254740992", "9007199254740993", "9007199254740994", "9007199254740991.5",
        "900719925474099.3", "90071992547409.93", "0.9007199254740993", "0.0000000000000000000001",
        "0.00000000000000000000001", "1234567890123456789", "123456789012345678901234567890",
        "0.003779327770781675", "39.041491839353114", "-12.991253165412324", "63.94681563658506",
        "1.7976931348623157e308", "2.2250738585072014e-308", "0.1000000000000000055511151231257827",
        "4.35", "1.005", "8.875", "0.30000000000000004", "0.000001", "100000000000000000000000",
    };
    enum { N_RANDOM = 4000 };
    size_t nf = sizeof fixed / sizeof fixed[0], cap = 64 * (nf + N_RANDOM) + 16;
    char *text = malloc(cap), (*cells)[48] = malloc((nf + N_RANDOM) * sizeof *cells);
    assert_non_null(text);
    assert_non_null(cells);
    size_t u = (size_t)snprintf(text, cap, "req,opt,n\n");
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < nf + N_RANDOM; i++) {
        if (i < nf) snprintf(cells[i], sizeof cells[i], "%s", fixed[i]);
        else {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17; /* xorshift64 */
            double m = (double)(x >> 11) / 9007199254740992.0, sc[] = {1e-6, 1e-2, 1, 30, 1e4, 1e9};
            int fmt = (int)(x % 4), digits = 1 + (int)((x >> 3) % 19);
            double v = m * sc[(x >> 8) % 6] * ((x >> 12) & 1 ? -1 : 1);
            if (fmt == 0) snprintf(cells[i], sizeof cells[i], "%.17g", v);
            else if (fmt == 1) snprintf(cells[i], sizeof cells[i], "%.*f", digits, v);
            else if (fmt == 2) snprintf(cells[i], sizeof cells[i], "%.15g", v);
            else snprintf(cells[i], sizeof cells[i], "%.0f", v * 1e6);
        }
        u += (size_t)snprintf(text + u, cap - u, "%s,,0\n", cells[i]);
    }
    struct csvin *r = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(csvin_open(put(state, "num.csv", text), TYPED, 3, &r, &e), 0);
    for (size_t i = 0; csvin_next(r); i++) {
        double v, want = strtod(cells[i], NULL);
        if (csvin_num(r, "req", -DBL_MAX, DBL_MAX, NAN, &v, &e)) fail_msg("%s", e.msg);
        if (memcmp(&v, &want, sizeof v) != 0)
            fail_msg("'%s': csvin_num read %.17g, strtod %.17g", cells[i], v, want);
        if (strchr(cells[i], 'e') || strchr(cells[i], '.')) continue;
        /* The whole numbers too (those of at most 15 digits). */
        const char *d = cells[i] + (cells[i][0] == '-' || cells[i][0] == '+');
        if (strlen(d) > 15) continue;
        assert_int_equal(csvin_whole(r, "req", -1e15, 1e15, NAN, &v, &e), 0);
        want += 0.0;
        if (memcmp(&v, &want, sizeof v) != 0) fail_msg("'%s': csvin_whole read %.17g", cells[i], v);
    }
    csvin_free(r);
    free(cells);
    free(text);
}

static void test_typed_required_empty_text_bad(void **state)
{
    struct err e;
    double v;
    int b;
    const char *s;
    struct csvin *r = one_row(state, ",x\ty,");
    err_clear(&e);
    assert_int_equal(csvin_num(r, "req", 0, 10, 5, &v, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:1: column req: expected a number in [0, 10], found ''");
    err_clear(&e);
    assert_int_equal(csvin_bool(r, "req", 0, &b, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:1: column req: expected 0 or 1, found ''");
    err_clear(&e);
    assert_int_equal(csvin_text(r, "req", 0, &s, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:1: column req: expected a non-empty value, found ''");
    err_clear(&e);
    assert_int_equal(csvin_text(r, "n", 0, &s, &e), 0); /* optional, empty */
    assert_string_equal(s, "");
    assert_int_equal(csvin_text(r, "opt", 2, &s, &e), ERR_INPUT);
    assert_msg(state, &e, ":2:2: column opt: expected at most 2 bytes, found 'x\\ty'");
    err_clear(&e);
    assert_int_equal(csvin_text(r, "opt", 0, &s, &e), 0);
    assert_string_equal(s, "x\ty");
    assert_int_equal(csvin_bad(r, "opt", &e, "something %d", 42), ERR_INPUT);
    assert_msg(state, &e, ":2:2: column opt: expected something 42, found 'x\\ty'");
    csvin_free(r);

    /* Long cells are cut in messages. */
    r = one_row(state, "\"0123456789012345678901234567890123456789012345678901234567890123456789\",,");
    err_clear(&e);
    assert_int_equal(csvin_bad(r, "req", &e, "short"), ERR_INPUT);
    assert_msg(state, &e,
               ":2:1: column req: expected short, found "
               "'012345678901234567890123456789012345678901234567890123456789...'");
    csvin_free(r);
}

static void test_names(void **state)
{
    (void)state;
    struct csvin_names *n = csvin_names_alloc();
    assert_non_null(n);
    assert_int_equal(csvin_names_region(n, "Nord"), 0);
    assert_int_equal(csvin_names_region(n, "bayern"), 5);
    assert_int_equal(csvin_names_region(n, "BADEN-WUERTTEMBERG"), 6);
    assert_int_equal(csvin_names_region(n, "Baden-W\xC3\xBCrttemberg"), 6);
    assert_int_equal(csvin_names_region(n, "Elsewhere"), 7);
    assert_int_equal(csvin_names_region(n, "Abroad"), 8);
    assert_int_equal(csvin_names_region(n, "Elsewhere"), 7);
    assert_string_equal(csvin_names_region_name(n, 5), "Bayern");
    assert_string_equal(csvin_names_region_name(n, 8), "Abroad");
    assert_string_equal(csvin_names_region_name(n, 9), "");
    assert_string_equal(csvin_names_region_name(n, -1), "");
    assert_int_equal(csvin_names_center(n, "MUC"), 0);
    assert_int_equal(csvin_names_center(n, "HAM"), 1);
    assert_int_equal(csvin_names_center(n, "MUC"), 0);
    assert_int_equal(csvin_names_center(n, "muc"), 2); /* centres are case-sensitive */
    assert_string_equal(csvin_names_center_name(n, 1), "HAM");
    assert_string_equal(csvin_names_center_name(n, 3), "");
    csvin_names_free(n);
    csvin_names_free(NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* Domain readers                                                                              */

static const char *CANDS =
    "id,program,abo,age_years,listed_day,region,center,pra,hla_ok,df_low,inpatient,weight_kg,"
    "combined_audited,prior_wait_days,prior_tx_day,graft_loss_day\n"
    "c2,heart,0,50,10,Ost,LEI,,,,,,,,,\n"
    "c1,pancreas-kidney,AB,30.5,-20,Somewhere,HAM,55,0,1,1,70.5,1,100,-50,-40\n"
    "c3,heart-lung,B,40,0,,LEI,,,,,,,,,\n";

static void test_cands_read(void **state)
{
    struct csvin_names *n = csvin_names_alloc();
    struct csvin_cands *cs = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", CANDS), 100, 0, n, &cs, &e), 0);
    assert_int_equal(cs->n, 3);
    const struct cand *a = &cs->c[0], *b = &cs->c[1], *c = &cs->c[2];
    assert_string_equal(a->id, "c2");
    assert_int_equal(a->seq, 0);
    assert_int_equal(a->prog, PROG_HEART);
    assert_int_equal(a->abo, ABO_O);
    assert_float_equal(cand_age(a, 100), 50, 1e-9);
    assert_float_equal(a->w.listed, 10, 0);
    assert_int_equal(a->w.status, ST_T);
    assert_int_equal(a->region, 4); /* Ost */
    assert_int_equal(a->center, 0);
    assert_float_equal(a->pra, 0, 0);
    assert_int_equal(a->hla_ok, 1);
    assert_int_equal(a->df_low, 0);
    assert_int_equal(a->inpatient, 0);
    assert_int_equal(a->combined_audited, 0);
    assert_true(isnan(a->weight_kg));
    assert_true(isnan(a->prior_wait_days) && isnan(a->prior_tx_day) && isnan(a->graft_loss_day));
    assert_int_equal(cs->line[0], 2);

    assert_string_equal(b->id, "c1");
    assert_int_equal(b->seq, 1);
    assert_int_equal(b->prog, PROG_PANCREAS_KIDNEY);
    assert_int_equal(b->abo, ABO_AB);
    assert_float_equal(cand_age(b, 100), 30.5, 1e-9);
    assert_int_equal(b->region, 7);
    assert_int_equal(b->center, 1);
    assert_float_equal(b->pra, 55, 0);
    assert_int_equal(b->hla_ok, 0);
    assert_int_equal(b->df_low, 1);
    assert_int_equal(b->inpatient, 1);
    assert_int_equal(b->combined_audited, 1);
    assert_float_equal(b->weight_kg, 70.5, 0);
    assert_float_equal(b->prior_wait_days, 100, 0);
    assert_float_equal(b->prior_tx_day, -50, 0);
    assert_float_equal(b->graft_loss_day, -40, 0);

    assert_int_equal(c->prog, PROG_HEART_LUNG);
    assert_int_equal(c->region, -1);
    assert_int_equal(c->center, 0); /* LEI again */

    assert_int_equal(csvin_cands_find(cs, "c1"), 1);
    assert_int_equal(csvin_cands_find(cs, "c2"), 0);
    assert_int_equal(csvin_cands_find(cs, "c3"), 2);
    assert_int_equal(csvin_cands_find(cs, "c0"), -1);
    assert_int_equal(csvin_cands_find(cs, "c9"), -1);
    csvin_cands_free(cs);
    cs = NULL;

    /* Age on the listing day (the replay's convention). */
    assert_int_equal(csvin_cands_read(put(state, "c.csv", CANDS), NAN, 0, n, &cs, &e), 0);
    assert_float_equal(cand_age(&cs->c[0], 10), 50, 1e-9);
    assert_int_equal(cs->c[1].region, 7); /* the same names map: the same int */
    csvin_cands_free(cs);
    csvin_cands_free(NULL);

    /* An empty list. */
    assert_int_equal(csvin_cands_read(put(state, "c.csv", "id,program,abo,age_years,listed_day\n"), 0, 0, n,
                                      &cs, &e), 0);
    assert_int_equal(cs->n, 0);
    assert_int_equal(csvin_cands_find(cs, "x"), -1);
    csvin_cands_free(cs);
    csvin_names_free(n);
}

/* Reads `text` as a candidate file and expects `msg` after its path. */
static void expect_cands_error(void **state, const char *text, const char *msg)
{
    struct tmp *t = *state;
    struct csvin_names *n = csvin_names_alloc();
    struct csvin_cands *cs = (struct csvin_cands *)1;
    struct err e;
    char want[512];
    err_clear(&e);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", text), 0, 0, n, &cs, &e), ERR_INPUT);
    assert_null(cs);
    snprintf(want, sizeof want, "%s/c.csv%s", t->dir, msg);
    assert_string_equal(e.msg, want);
    csvin_names_free(n);
}

#define CH "id,program,abo,age_years,listed_day,prior_tx_day,graft_loss_day\n"

static void test_cands_errors(void **state)
{
    expect_cands_error(state, CH "a,heart,A,1,0,,\nb,kidney,A,1,0,,\n",
                       ":3:2: column program: expected heart, heart-lung, pancreas or pancreas-kidney, found 'kidney'");
    expect_cands_error(state, CH "a,heart,a,1,0,,\n", ":2:3: column abo: expected O (or 0), A, B or AB, found 'a'");
    expect_cands_error(state, CH "a,heart,A,-1,0,,\n", ":2:4: column age_years: expected a number in [0, 150], found '-1'");
    expect_cands_error(state, CH "a,heart,A,1,x,,\n",
                       ":2:5: column listed_day: expected a whole number in [-10000000, 10000000], found 'x'");
    expect_cands_error(state, CH "0123456789012345678901234567890123,heart,A,1,0,,\n",
                       ":2:1: column id: expected at most 31 bytes, found '0123456789012345678901234567890123'");
    expect_cands_error(state, CH "a,heart,A,1,0,,\nb,heart,A,1,0,,\nb,heart,A,1,0,,\na,heart,A,1,0,,\n",
                       ":4:1: column id: expected a unique id, found 'b' again (first on line 3)");
    /* ids in order up to a repeat (sort_unique's in-order check must not take it for sorted) */
    expect_cands_error(state, CH "a,heart,A,1,0,,\nb,heart,A,1,0,,\nc,heart,A,1,0,,\nc,heart,A,1,0,,\n",
                       ":5:1: column id: expected a unique id, found 'c' again (first on line 4)");
    expect_cands_error(state, CH "a,pancreas,A,1,0,10,9\n",
                       ":2:7: column graft_loss_day: expected a day on or after prior_tx_day 10, found '9'");
    expect_cands_error(state, "id,program,abo,age_years\n",
                       ":1:1: column listed_day: expected a required column in the header, found none");
}

/* The optional heart columns of the candidate file (tlc_l, dmcs, dmcs_day, diag, sex,
 * height_cm): values, defaults, and one error per column with its exact message. */
static void test_cands_heart_columns(void **state)
{
    struct csvin_names *n = csvin_names_alloc();
    struct csvin_cands *cs = NULL;
    struct err e;
    err_clear(&e);
    const char *text = "id,program,abo,age_years,listed_day,tlc_l,dmcs,dmcs_day,diag,sex,height_cm\n"
                       "a,heart-lung,A,40,0,6.5,0,,3,f,165.5\n"
                       "b,heart,O,50,0,,1,-40,,M,\n"
                       "c,heart,B,30,0,,1,,4,,180\n"
                       "d,heart,AB,20,0,,,,0,m,\n";
    assert_int_equal(csvin_cands_read(put(state, "c.csv", text), 0, 0, n, &cs, &e), 0);
    assert_int_equal(cs->n, 4);
    const struct cand *a = &cs->c[0], *b = &cs->c[1], *c = &cs->c[2], *d = &cs->c[3];
    assert_float_equal(a->tlc_l, 6.5, 0);
    assert_int_equal(a->dmcs, 0);
    assert_true(isnan(a->dmcs_day));
    assert_int_equal(a->diag, 3);
    assert_int_equal(a->sex, SEX_F);
    assert_float_equal(a->height_cm, 165.5, 0);
    assert_true(isnan(b->tlc_l) && isnan(b->height_cm));
    assert_int_equal(b->dmcs, 1);
    assert_float_equal(b->dmcs_day, -40, 0);
    assert_int_equal(b->diag, 0);
    assert_int_equal(b->sex, SEX_M);
    assert_int_equal(c->dmcs, 1);
    assert_true(isnan(c->dmcs_day)); /* on dMCS, implantation day not given */
    assert_int_equal(c->diag, 4);
    assert_int_equal(c->sex, SEX_UNKNOWN);
    assert_float_equal(c->height_cm, 180, 0);
    assert_int_equal(d->dmcs, 0);
    assert_int_equal(d->sex, SEX_M);
    csvin_cands_free(cs);
    cs = NULL;

    /* Without the columns: the defaults. */
    assert_int_equal(csvin_cands_read(put(state, "c.csv", "id,program,abo,age_years,listed_day\nx,heart,A,1,0\n"),
                                      0, 0, n, &cs, &e), 0);
    assert_true(isnan(cs->c[0].tlc_l) && isnan(cs->c[0].height_cm) && isnan(cs->c[0].dmcs_day));
    assert_int_equal(cs->c[0].dmcs, 0);
    assert_int_equal(cs->c[0].diag, 0);
    assert_int_equal(cs->c[0].sex, SEX_UNKNOWN);
    csvin_cands_free(cs);
    csvin_names_free(n);

#define HC "id,program,abo,age_years,listed_day,tlc_l,dmcs,dmcs_day,diag,sex,height_cm\n"
    expect_cands_error(state, HC "a,heart-lung,A,40,0,0,,,,,\n",
                       ":2:6: column tlc_l: expected a number in [0.1, 20], found '0'");
    expect_cands_error(state, HC "a,heart-lung,A,40,0,6 l,,,,,\n",
                       ":2:6: column tlc_l: expected a number in [0.1, 20], found '6 l'");
    expect_cands_error(state, HC "a,heart,A,40,0,,yes,,,,\n", ":2:7: column dmcs: expected 0 or 1, found 'yes'");
    expect_cands_error(state, HC "a,heart,A,40,0,,1,3.5,,,\n",
                       ":2:8: column dmcs_day: expected a whole number in [-10000000, 10000000], found '3.5'");
    expect_cands_error(state, HC "a,heart,A,40,0,,0,-20,,,\n",
                       ":2:8: column dmcs_day: expected an empty cell unless dmcs is 1, found '-20'");
    expect_cands_error(state, HC "a,heart,A,40,0,,,-20,,,\n",
                       ":2:8: column dmcs_day: expected an empty cell unless dmcs is 1, found '-20'");
    expect_cands_error(state, HC "a,heart,A,40,0,,,,5,,\n",
                       ":2:9: column diag: expected a whole number in [0, 4], found '5'");
    expect_cands_error(state, HC "a,heart,A,40,0,,,,amyloid,,\n",
                       ":2:9: column diag: expected a whole number in [0, 4], found 'amyloid'");
    expect_cands_error(state, HC "a,heart,A,40,0,,,,,x,\n", ":2:10: column sex: expected f or m, found 'x'");
    expect_cands_error(state, HC "a,heart,A,40,0,,,,,,5\n",
                       ":2:11: column height_cm: expected a number in [10, 300], found '5'");
#undef HC
}

#define CANDS_H "id,program,abo,age_years,listed_day\nh,heart,A,50,0\np,pancreas,A,50,10\n"

static void test_history_read_apply(void **state)
{
    struct csvin_names *n = csvin_names_alloc();
    struct csvin_cands *cs = NULL;
    struct csvin_hist *h = NULL;
    size_t nh = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", CANDS_H), 100, 0, n, &cs, &e), 0);
    /* Interleaved candidates, an identical repeat, a row on the listing day, future rows. */
    const char *hist = "id,day,status,nt_credit\n"
                       "h,0,HU,\n"
                       "p,20,NT,1\n"
                       "h,30,T,\n"
                       "h,30,T,0\n"
                       "p,50,SU,\n"
                       "p,120,NT,\n"
                       "h,150,HU,\n";
    assert_int_equal(csvin_history_read(put(state, "h.csv", hist), cs, 0, &h, &nh, &e), 0);
    assert_int_equal(nh, 7);
    assert_int_equal(h[1].cand, 1);
    assert_float_equal(h[1].day, 20, 0);
    assert_int_equal(h[1].status, ST_NT);
    assert_int_equal(h[1].nt_credit, 1);
    assert_int_equal(h[1].line, 3);
    assert_int_equal(csvin_history_apply(cs, h, nh, 100), 5);
    const struct cand *hc = &cs->c[0], *pc = &cs->c[1];
    assert_int_equal(hc->w.status, ST_T);
    assert_float_equal(cand_hu_days(hc, 100), 30, 0);
    assert_int_equal(pc->w.status, ST_SU);
    assert_float_equal(cand_nt_credit_days(pc, 100), 30, 0);
    assert_float_equal(cand_spell_days(pc, 100), 50, 0);
    free(h);
    csvin_cands_free(cs);

    /* No rows: NULL and 0. */
    assert_int_equal(csvin_cands_read(put(state, "c.csv", CANDS_H), 100, 0, n, &cs, &e), 0);
    h = (struct csvin_hist *)1;
    assert_int_equal(csvin_history_read(put(state, "h.csv", "id,day,status\n"), cs, 0, &h, &nh, &e), 0);
    assert_null(h);
    assert_int_equal(nh, 0);

    /* Final statuses with CSVIN_HIST_FINAL: read, not applied. */
    const char *fin = "id,day,status\nh,10,HU\nh,20,DEAD\np,30,REMOVED\n";
    assert_int_equal(csvin_history_read(put(state, "h.csv", fin), cs, CSVIN_HIST_FINAL, &h, &nh, &e), 0);
    assert_int_equal(nh, 3);
    assert_int_equal(h[1].status, CSVIN_ST_DEAD);
    assert_int_equal(h[2].status, CSVIN_ST_REMOVED);
    assert_int_equal(csvin_history_apply(cs, h, nh, 100), 1);
    assert_int_equal(cs->c[0].w.status, ST_HU);
    free(h);
    csvin_cands_free(cs);
    csvin_names_free(n);
}

/* Reads `text` as the history of CANDS_H and expects `msg` after its path. */
static void expect_hist_error(void **state, unsigned flags, const char *text, const char *msg)
{
    struct tmp *t = *state;
    struct csvin_names *n = csvin_names_alloc();
    struct csvin_cands *cs = NULL;
    struct csvin_hist *h = (struct csvin_hist *)1;
    size_t nh = 7;
    struct err e;
    char want[512];
    err_clear(&e);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", CANDS_H), 100, 0, n, &cs, &e), 0);
    assert_int_equal(csvin_history_read(put(state, "h.csv", text), cs, flags, &h, &nh, &e), ERR_INPUT);
    assert_null(h);
    assert_int_equal(nh, 0);
    snprintf(want, sizeof want, "%s/h.csv%s", t->dir, msg);
    assert_string_equal(e.msg, want);
    csvin_cands_free(cs);
    csvin_names_free(n);
}

static void test_history_errors(void **state)
{
    struct tmp *t = *state;
    char msg[256];
    snprintf(msg, sizeof msg, ":2:1: column id: expected the id of a candidate in %s/c.csv, found 'x'", t->dir);
    expect_hist_error(state, 0, "id,day,status\nx,1,T\n", msg);
    snprintf(msg, sizeof msg, ":2:2: column day: expected a day on or after listed_day 10 of 'p' (%s/c.csv:3), found '9'", t->dir);
    expect_hist_error(state, 0, "id,day,status\np,9,T\n", msg);
    expect_hist_error(state, 0, "id,day,status\nh,1.5,T\n",
                      ":2:2: column day: expected a whole number in [-10000000, 10000000], found '1.5'");
    expect_hist_error(state, 0, "id,day,status\nh,5,T\np,20,T\nh,4,HU\n",
                      ":4:2: column day: expected a day on or after 5, the day of the previous row of 'h' (line 2), found '4'");
    expect_hist_error(state, 0, "id,day,status\nh,5,T\nh,5,HU\n",
                      ":3:3: column status: expected T as on line 2 (two rows of 'h' on day 5), found 'HU'");
    expect_hist_error(state, 0, "id,day,status,nt_credit\np,15,NT,1\np,15,NT,0\n",
                      ":3:4: column nt_credit: expected 1 as on line 2 (two rows of 'p' on day 15), found '0'");
    expect_hist_error(state, 0, "id,day,status\nh,5,t\n",
                      ":2:3: column status: expected T, HU or NT (a heart candidate), found 't'");
    expect_hist_error(state, 0, "id,day,status\np,15,HU\n",
                      ":2:3: column status: expected T, SU or NT (a pancreas candidate), found 'HU'");
    expect_hist_error(state, 0, "id,day,status\nh,5,SU\n",
                      ":2:3: column status: expected T, HU or NT (a heart candidate), found 'SU'");
    expect_hist_error(state, 0, "id,day,status\nh,5,DEAD\n",
                      ":2:3: column status: expected T, HU or NT (a heart candidate), found 'DEAD'");
    expect_hist_error(state, CSVIN_HIST_FINAL, "id,day,status\nh,5,GONE\n",
                      ":2:3: column status: expected T, HU or NT, DEAD or REMOVED (a heart candidate), found 'GONE'");
    expect_hist_error(state, 0, "id,day,status,nt_credit\nh,5,T,1\n",
                      ":2:4: column nt_credit: expected 0 on a T row (nt_credit applies to NT only), found '1'");
    expect_hist_error(state, 0, "id,day,status,nt_credit\np,15,NT,2\n",
                      ":2:4: column nt_credit: expected 0 or 1, found '2'");
    expect_hist_error(state, CSVIN_HIST_FINAL, "id,day,status\nh,5,DEAD\nh,6,T\n",
                      ":3:1: column id: expected no row after the final status DEAD of this candidate (line 2), found 'h'");
    expect_hist_error(state, 0, "id,day,state\nh,5,T\n",
                      ":1:3: column state: expected one of the columns id, day, status, nt_credit, found 'state'");
}

static void test_donors(void **state)
{
    struct tmp *t = *state;
    struct csvin_names *n = csvin_names_alloc();
    struct donor *d = NULL;
    size_t nd = 0;
    struct err e;
    char want[256];
    err_clear(&e);
    assert_int_equal(csvin_donors_read(put(state, "d.csv", "abo,id,age_years\nAB,d1,33.5\n"), n, 0, 1, &d,
                                       &nd, &e), 0);
    assert_int_equal(nd, 1);
    assert_string_equal(d->id, "d1");
    assert_int_equal(d->seq, 0);
    assert_int_equal(d->abo, ABO_AB);
    assert_float_equal(d->age_years, 33.5, 0);
    assert_int_equal(d->sex, SEX_UNKNOWN);
    assert_int_equal(d->region, -1);
    assert_int_equal(d->hla_typed, 0);
    assert_int_equal(d->ecd, 0);
    assert_true(isnan(d->day) && isnan(d->weight_kg) && isnan(d->bmi) && isnan(d->waist_cm));
    assert_true(isnan(d->height_cm) && isnan(d->tlc_l) && isnan(d->cpr_min) && isnan(d->icu_days));
    assert_true(isnan(d->sodium));
    assert_int_equal(d->offer_heart, 1);
    assert_int_equal(d->offer_pancreas, 1);
    free(d);

    const char *full = "id,abo,age_years,region,hla_typed,weight_kg,bmi,sex,waist_cm,ecd\n"
                       "d1,O,60,Mitte,1,80,27.5,m,101,1\n";
    assert_int_equal(csvin_donors_read(put(state, "d.csv", full), n, 0, 1, &d, &nd, &e), 0);
    assert_int_equal(d->abo, ABO_O);
    assert_int_equal(d->region, 3);
    assert_int_equal(d->hla_typed, 1);
    assert_float_equal(d->weight_kg, 80, 0);
    assert_float_equal(d->bmi, 27.5, 0);
    assert_int_equal(d->sex, SEX_M);
    assert_float_equal(d->waist_cm, 101, 0);
    assert_int_equal(d->ecd, 1);
    free(d);

    /* Replay columns. */
    const char *rep = "id,abo,age_years,day,heart,pancreas,sex\nd1,A,40,5,0,,F\nd2,B,41,7,,0,\n";
    assert_int_equal(csvin_donors_read(put(state, "d.csv", rep), n, CSVIN_DONOR_REPLAY, 0, &d, &nd, &e), 0);
    assert_int_equal(nd, 2);
    assert_float_equal(d[0].day, 5, 0);
    assert_int_equal(d[0].offer_heart, 0);
    assert_int_equal(d[0].offer_pancreas, 1);
    assert_int_equal(d[0].sex, SEX_F);
    assert_int_equal(d[1].seq, 1);
    assert_int_equal(d[1].offer_heart, 1);
    assert_int_equal(d[1].offer_pancreas, 0);
    free(d);

    /* No rows. */
    d = (struct donor *)1;
    assert_int_equal(csvin_donors_read(put(state, "d.csv", "id,abo,age_years\n"), n, 0, 1, &d, &nd, &e), 0);
    assert_null(d);
    assert_int_equal(nd, 0);

    struct {
        unsigned flags;
        size_t max;
        const char *text, *msg;
    } bad[] = {
        {0, 1, "id,abo,age_years\nd1,A,40\nd2,A,40\n", ":3:1: expected one donor row, found a second one"},
        {CSVIN_DONOR_REPLAY, 2, "id,abo,age_years,day\nd1,A,40,1\nd2,A,40,1\nd3,A,40,1\n",
         ":4:1: expected at most 2 donor rows, found more"},
        {CSVIN_DONOR_REPLAY, 0, "id,abo,age_years,day\nd1,A,40,1\nd2,A,40,1\nd1,A,40,1\n",
         ":4:1: column id: expected a unique id, found 'd1' again (first on line 2)"},
        {CSVIN_DONOR_REPLAY, 0, "id,abo,age_years\nd1,A,40\n",
         ":1:1: column day: expected a required column in the header, found none"},
        {CSVIN_DONOR_REPLAY, 0, "id,abo,age_years,day,heart\nd1,A,40,1,yes\n",
         ":2:5: column heart: expected 0 or 1, found 'yes'"},
        {0, 1, "id,abo,age_years,sex\nd1,A,40,female\n", ":2:4: column sex: expected f or m, found 'female'"},
        {0, 1, "id,abo,age_years\nd1,X,40\n", ":2:2: column abo: expected O (or 0), A, B or AB, found 'X'"},
        {0, 1, "id,abo,age_years,waist_cm\nd1,A,40,5\n", ":2:4: column waist_cm: expected a number in [10, 300], found '5'"},
        {0, 1, "id,abo,age_years,weight_kg\nd1,A,40,0\n", ":2:4: column weight_kg: expected a number in [0.1, 1000], found '0'"},
        {0, 1, "id,abo,age_years,ecd\nd1,A,40,2\n", ":2:4: column ecd: expected 0 or 1, found '2'"},
        {0, 1, "id,abo,age_years,hla_typed\nd1,A,40,-\n", ":2:4: column hla_typed: expected 0 or 1, found '-'"},
        {0, 1, "id,abo,age_years\n,A,40\n", ":2:1: column id: expected a non-empty value, found ''"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        d = (struct donor *)1;
        assert_int_equal(csvin_donors_read(put(state, "d.csv", bad[i].text), n, bad[i].flags, bad[i].max, &d,
                                           &nd, &e), ERR_INPUT);
        assert_null(d);
        snprintf(want, sizeof want, "%s/d.csv%s", t->dir, bad[i].msg);
        assert_string_equal(e.msg, want);
    }
    csvin_names_free(n);
}

/* The optional donor columns tlc_l, height_cm, cpr_min, icu_days and sodium: values, defaults
 * (NaN, see test_donors) and one error per column with its exact message. */
static void test_donors_new_columns(void **state)
{
    struct tmp *t = *state;
    struct csvin_names *n = csvin_names_alloc();
    struct donor *d = NULL;
    size_t nd = 0;
    struct err e;
    char want[256];
    err_clear(&e);
    const char *text = "id,abo,age_years,tlc_l,height_cm,cpr_min,icu_days,sodium\nd1,A,40,6.2,178,12,8.5,161\n";
    assert_int_equal(csvin_donors_read(put(state, "d.csv", text), n, 0, 1, &d, &nd, &e), 0);
    assert_float_equal(d->tlc_l, 6.2, 0);
    assert_float_equal(d->height_cm, 178, 0);
    assert_float_equal(d->cpr_min, 12, 0);
    assert_float_equal(d->icu_days, 8.5, 0);
    assert_float_equal(d->sodium, 161, 0);
    free(d);
    /* Empty cells: unknown. */
    text = "id,abo,age_years,tlc_l,height_cm,cpr_min,icu_days,sodium\nd1,A,40,,,,,\n";
    assert_int_equal(csvin_donors_read(put(state, "d.csv", text), n, 0, 1, &d, &nd, &e), 0);
    assert_true(isnan(d->tlc_l) && isnan(d->height_cm) && isnan(d->cpr_min) && isnan(d->icu_days)
                && isnan(d->sodium));
    free(d);
    /* Also in the replay's donor file. */
    text = "id,abo,age_years,day,tlc_l,sodium\nd1,A,40,3,5.5,140\n";
    assert_int_equal(csvin_donors_read(put(state, "d.csv", text), n, CSVIN_DONOR_REPLAY, 0, &d, &nd, &e), 0);
    assert_float_equal(d->tlc_l, 5.5, 0);
    assert_float_equal(d->sodium, 140, 0);
    free(d);

    struct {
        const char *text, *msg;
    } bad[] = {
        {"id,abo,age_years,tlc_l\nd1,A,40,25\n", ":2:4: column tlc_l: expected a number in [0.1, 20], found '25'"},
        {"id,abo,age_years,height_cm\nd1,A,40,tall\n",
         ":2:4: column height_cm: expected a number in [10, 300], found 'tall'"},
        {"id,abo,age_years,cpr_min\nd1,A,40,-1\n", ":2:4: column cpr_min: expected a number in [0, 1440], found '-1'"},
        {"id,abo,age_years,icu_days\nd1,A,40,4000\n",
         ":2:4: column icu_days: expected a number in [0, 3650], found '4000'"},
        {"id,abo,age_years,sodium\nd1,A,40,nan\n", ":2:4: column sodium: expected a number in [50, 250], found 'nan'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err_clear(&e);
        d = (struct donor *)1;
        assert_int_equal(csvin_donors_read(put(state, "d.csv", bad[i].text), n, 0, 1, &d, &nd, &e), ERR_INPUT);
        assert_null(d);
        snprintf(want, sizeof want, "%s/d.csv%s", t->dir, bad[i].msg);
        assert_string_equal(e.msg, want);
    }
    csvin_names_free(n);
}

/* The replay readers take fractional days (a synthetic run's clock), written with %.17g and
 * read back to the same double; whole-day files still read the same; the rank readers keep
 * whole days. The replay's seq column; donors whose days go back in time name the line. */
static void test_replay_fractional_days(void **state)
{
    struct tmp *t = *state;
    struct csvin_names *n = csvin_names_alloc();
    struct csvin_cands *cs = NULL;
    struct csvin_hist *h = NULL;
    struct donor *d = NULL;
    size_t nh = 0, nd = 0;
    struct err e;
    char text[1024], want[512];
    const double listed = 5479.123456789012, tx = 100.0 / 3.0, loss = tx + 0.1, dmcs = -12.000000000000002;
    err_clear(&e);
    snprintf(text, sizeof text,
             "id,seq,program,abo,age_years,listed_day,prior_wait_days,prior_tx_day,graft_loss_day,dmcs,dmcs_day\n"
             "a,2147483649,pancreas,A,40,%.17g,%.17g,%.17g,%.17g,,\n"
             "b,,heart,O,50,7,,,,1,%.17g\n"
             "c,7,heart,B,60,-3.5,,,,,\n",
             listed, tx / 7, tx, loss, dmcs);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", text), NAN, CSVIN_CANDS_REPLAY, n, &cs, &e), 0);
    assert_int_equal(cs->n, 3);
    assert_true(cs->c[0].w.listed == listed);          /* bit for bit, not approximately */
    assert_true(cs->c[0].prior_wait_days == tx / 7);
    assert_true(cs->c[0].prior_tx_day == tx);
    assert_true(cs->c[0].graft_loss_day == loss);
    assert_true(cs->c[1].dmcs_day == dmcs);
    assert_true(cs->c[1].w.listed == 7);
    assert_true(cs->c[2].w.listed == -3.5);
    assert_int_equal(cs->c[0].seq, 2147483649u);     /* the seq column */
    assert_int_equal(cs->c[1].seq, 1);               /* empty: the row index */
    assert_int_equal(cs->c[2].seq, 7);

    /* History: fractional days with CSVIN_HIST_FRACTIONAL, in order per candidate. */
    snprintf(text, sizeof text, "id,day,status\na,%.17g,SU\nb,7.25,HU\na,%.17g,DEAD\n", listed,
             nextafter(listed, INFINITY));
    assert_int_equal(csvin_history_read(put(state, "h.csv", text), cs, CSVIN_HIST_FINAL | CSVIN_HIST_FRACTIONAL,
                                        &h, &nh, &e), 0);
    assert_int_equal(nh, 3);
    assert_true(h[0].day == listed);
    assert_true(h[1].day == 7.25);
    assert_true(h[2].day == nextafter(listed, INFINITY));
    free(h);
    h = (struct csvin_hist *)1;
    err_clear(&e);
    assert_int_equal(csvin_history_read(put(state, "h.csv", "id,day,status\nb,7.5,HU\nb,7.25,T\n"), cs,
                                        CSVIN_HIST_FRACTIONAL, &h, &nh, &e), ERR_INPUT);
    assert_null(h);
    snprintf(want, sizeof want, "%s/h.csv:3:2: column day: expected a day on or after 7.5, the day of the previous "
             "row of 'b' (line 2), found '7.25'", t->dir);
    assert_string_equal(e.msg, want);
    /* Without the flag a fractional day is an error, as for `wlsim rank`. */
    err_clear(&e);
    assert_int_equal(csvin_history_read(put(state, "h.csv", "id,day,status\nb,7.5,HU\n"), cs, CSVIN_HIST_FINAL,
                                        &h, &nh, &e), ERR_INPUT);
    snprintf(want, sizeof want, "%s/h.csv:2:2: column day: expected a whole number in [-10000000, 10000000], "
             "found '7.5'", t->dir);
    assert_string_equal(e.msg, want);
    err_clear(&e);
    assert_int_equal(csvin_history_read(put(state, "h.csv", "id,day,status\nb,1e8,HU\n"), cs, CSVIN_HIST_FRACTIONAL,
                                        &h, &nh, &e), ERR_INPUT);
    snprintf(want, sizeof want, "%s/h.csv:2:2: column day: expected a number in [-10000000, 10000000], found '1e8'",
             t->dir);
    assert_string_equal(e.msg, want);
    csvin_cands_free(cs);

    /* Candidates without CSVIN_CANDS_REPLAY: whole days, and no seq column. */
    cs = (struct csvin_cands *)1;
    err_clear(&e);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", "id,program,abo,age_years,listed_day\na,heart,A,40,0.5\n"),
                                      0, 0, n, &cs, &e), ERR_INPUT);
    assert_null(cs);
    snprintf(want, sizeof want, "%s/c.csv:2:5: column listed_day: expected a whole number in [-10000000, 10000000], "
             "found '0.5'", t->dir);
    assert_string_equal(e.msg, want);
    err_clear(&e);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", "id,seq,program,abo,age_years,listed_day\na,1,heart,A,40,0\n"),
                                      0, 0, n, &cs, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, ":1:2: column seq: expected one of the columns id, program,"));
    /* A seq out of range. */
    err_clear(&e);
    assert_int_equal(csvin_cands_read(put(state, "c.csv", "id,seq,program,abo,age_years,listed_day\na,4294967296,heart,A,40,0\n"),
                                      NAN, CSVIN_CANDS_REPLAY, n, &cs, &e), ERR_INPUT);
    snprintf(want, sizeof want, "%s/c.csv:2:2: column seq: expected a whole number in [0, 4294967295], "
             "found '4294967296'", t->dir);
    assert_string_equal(e.msg, want);

    /* Donors: fractional days, equal days allowed, going back in time names the line. */
    snprintf(text, sizeof text, "id,abo,age_years,day\nd0,A,40,%.17g\nd1,O,30,%.17g\nd2,B,20,%.17g\n", tx, tx, loss);
    err_clear(&e);
    assert_int_equal(csvin_donors_read(put(state, "d.csv", text), n, CSVIN_DONOR_REPLAY, 0, &d, &nd, &e), 0);
    assert_int_equal(nd, 3);
    assert_true(d[0].day == tx && d[1].day == tx && d[2].day == loss);
    free(d);
    d = (struct donor *)1;
    err_clear(&e);
    assert_int_equal(csvin_donors_read(put(state, "d.csv", "id,abo,age_years,day\nd0,A,40,2.5\nd1,O,30,3\nd2,B,20,2.75\n"),
                                       n, CSVIN_DONOR_REPLAY, 0, &d, &nd, &e), ERR_INPUT);
    assert_null(d);
    snprintf(want, sizeof want, "%s/d.csv:4:4: column day: expected a day on or after 3, the day of the previous donor "
             "(line 3), found '2.75'", t->dir);
    assert_string_equal(e.msg, want);
    csvin_names_free(n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_header_map_lines),
        cmocka_unit_test(test_parse_quotes_newlines_crlf_bom),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_open_unreadable),
        cmocka_unit_test(test_open_hidden_bytes),
        cmocka_unit_test(test_typed_num_whole_bool),
        cmocka_unit_test(test_num_exact),
        cmocka_unit_test(test_typed_required_empty_text_bad),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_cands_read),
        cmocka_unit_test(test_cands_errors),
        cmocka_unit_test(test_history_read_apply),
        cmocka_unit_test(test_history_errors),
        cmocka_unit_test(test_donors),
        cmocka_unit_test(test_cands_heart_columns),
        cmocka_unit_test(test_donors_new_columns),
        cmocka_unit_test(test_replay_fractional_days),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
