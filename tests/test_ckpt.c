/* test_ckpt.c — the resume side file: records come back in order, a torn tail is cut off and
 * appends continue after the last good record, and every refusal (existing file without resume,
 * another run's fingerprint, a foreign file, a locked file) leaves the file as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ckpt.h"

struct fx {
    char dir[64];
    char out[128], side[140];
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_ckpt.XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->out, sizeof f->out, "%s/out.h5", f->dir);
    snprintf(f->side, sizeof f->side, "%s.resume", f->out);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    unlink(f->side);
    rmdir(f->dir);
    free(f);
    return 0;
}

static struct rep_result *result(int variant, int rep)
{
    struct rep_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->variant = variant;
    r->replication = rep;
    r->summary[0].transplants = 100 + rep;
    return r;
}

static off_t size_of(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 ? st.st_size : -1;
}

/* Writes n records (variant 0, replications 0..n-1) and closes, keeping the file. */
static void write_n(const struct fx *f, uint64_t fp, int n)
{
    struct ckpt *c = NULL;
    long stale = -1;
    struct err e;
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, fp, 0, &c, &stale, &e), 0);
    assert_int_equal(stale, 0);
    for (int i = 0; i < n; i++) {
        struct rep_result *r = result(0, i);
        assert_int_equal(ckpt_append(c, r, &e), 0);
        sim_result_free(r);
    }
    assert_int_equal(ckpt_count(c), (size_t)n);
    ckpt_close(c);
}

/* Reads every record back with resume; returns their number. */
static int read_back(const struct fx *f, uint64_t fp, int *dropped, struct ckpt **keep)
{
    struct ckpt *c = NULL;
    long stale = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, fp, 1, &c, &stale, &e), 0);
    assert_int_equal(stale, (long)getpid());
    struct rep_result *r = NULL;
    int n = 0, got;
    *dropped = 0;
    while ((got = ckpt_next(c, &r, dropped, &e)) == 1) {
        assert_int_equal(r->replication, n);
        assert_int_equal(r->summary[0].transplants, 100 + n);
        sim_result_free(r);
        n++;
    }
    assert_int_equal(got, 0);
    if (keep) *keep = c;
    else ckpt_close(c);
    return n;
}

static void test_round_trip_and_torn_tail(void **state)
{
    struct fx *f = *state;
    write_n(f, 42, 3);
    int dropped = 0;
    assert_int_equal(read_back(f, 42, &dropped, NULL), 3);
    assert_int_equal(dropped, 0);
    /* Tear the last record: two come back, the tail is cut off, and appending continues. */
    off_t full = size_of(f->side);
    assert_int_equal(truncate(f->side, full - 5), 0);
    struct ckpt *c = NULL;
    assert_int_equal(read_back(f, 42, &dropped, &c), 2);
    assert_int_equal(dropped, 1);
    struct err e;
    err_clear(&e);
    struct rep_result *r = result(0, 2);
    assert_int_equal(ckpt_append(c, r, &e), 0);
    sim_result_free(r);
    ckpt_close(c);
    assert_int_equal(size_of(f->side), full);
    assert_int_equal(read_back(f, 42, &dropped, NULL), 3);
    assert_int_equal(dropped, 0);
    /* Remove deletes the file. */
    long stale;
    assert_int_equal(ckpt_open(f->out, 42, 1, &c, &stale, &e), 0);
    ckpt_remove(c);
    assert_int_equal(access(f->side, F_OK), -1);
}

static void test_refusals(void **state)
{
    struct fx *f = *state;
    write_n(f, 7, 2);
    off_t size = size_of(f->side);
    struct ckpt *c = NULL;
    long stale;
    struct err e;
    /* An existing side file without resume. */
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, 7, 0, &c, &stale, &e), ERR_INPUT);
    assert_null(c);
    assert_non_null(strstr(e.msg, "--resume"));
    /* Another run's fingerprint. */
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, 8, 1, &c, &stale, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "different run"));
    assert_int_equal(size_of(f->side), size);
    /* Locked by another process: a child holds it while the parent tries. */
    int to_child[2], to_parent[2];
    assert_int_equal(pipe(to_child), 0);
    assert_int_equal(pipe(to_parent), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct ckpt *cc = NULL;
        long s2;
        struct err e2;
        char go = ckpt_open(f->out, 7, 1, &cc, &s2, &e2) == 0 ? 'y' : 'n';
        (void)!write(to_parent[1], &go, 1);
        (void)!read(to_child[0], &go, 1);
        ckpt_close(cc);
        _exit(0);
    }
    char go = 0;
    assert_int_equal(read(to_parent[0], &go, 1), 1);
    assert_int_equal(go, 'y');
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, 7, 1, &c, &stale, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "locked"));
    assert_int_equal(write(to_child[1], &go, 1), 1);
    int status;
    waitpid(pid, &status, 0);
    /* A foreign file. */
    FILE *x = fopen(f->side, "w");
    assert_non_null(x);
    fputs("hello, I am not a side file, but long enough to have a header", x);
    fclose(x);
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, 7, 1, &c, &stale, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "expected a wlsim resume file"));
    /* A folder that does not exist. */
    err_clear(&e);
    assert_int_equal(ckpt_open("/nonexistent-dir/x.h5", 7, 0, &c, &stale, &e), ERR_INPUT);
    assert_null(c);
}

/* An empty side file counts as none; a locked one is another run's, said so even without
 * --resume (never "delete it"); removing the side file removes only the file this run opened. */
static void test_empty_locked_ours(void **state)
{
    struct fx *f = *state;
    struct ckpt *c = NULL;
    long stale;
    struct err e;
    FILE *x = fopen(f->side, "w");
    assert_non_null(x);
    fclose(x);
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, 7, 0, &c, &stale, &e), 0);
    assert_int_equal(ckpt_count(c), 0);
    assert_true(size_of(f->side) > 0);
    /* The path replaced while the run goes on: the new file is not ours to remove. */
    char moved[200];
    snprintf(moved, sizeof moved, "%s.moved", f->side);
    assert_int_equal(rename(f->side, moved), 0);
    x = fopen(f->side, "w");
    assert_non_null(x);
    fputs("someone else's", x);
    fclose(x);
    ckpt_remove(c);
    assert_int_equal(size_of(f->side), 14);
    unlink(moved);
    unlink(f->side);
    /* Locked by a running run, asked without --resume. */
    int to_child[2], to_parent[2];
    assert_int_equal(pipe(to_child), 0);
    assert_int_equal(pipe(to_parent), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct ckpt *cc = NULL;
        long s2;
        struct err e2;
        char go = ckpt_open(f->out, 7, 0, &cc, &s2, &e2) == 0 ? 'y' : 'n';
        (void)!write(to_parent[1], &go, 1);
        (void)!read(to_child[0], &go, 1);
        ckpt_remove(cc);
        _exit(0);
    }
    char go = 0;
    assert_int_equal(read(to_parent[0], &go, 1), 1);
    assert_int_equal(go, 'y');
    err_clear(&e);
    assert_int_equal(ckpt_open(f->out, 7, 0, &c, &stale, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "locked by a running run"));
    assert_null(strstr(e.msg, "delete"));
    assert_int_equal(write(to_child[1], &go, 1), 1);
    int status;
    waitpid(pid, &status, 0);
}

static void test_fingerprint(void **state)
{
    (void)state;
    struct sim_opts a = {.seed = 1, .entity_tables = 1}, b = a;
    const struct scenario *none[1] = {NULL};
    assert_int_equal(ckpt_fingerprint(none, 0, &a, 10), ckpt_fingerprint(none, 0, &b, 10));
    b.seed = 2;
    assert_int_not_equal(ckpt_fingerprint(none, 0, &a, 10), ckpt_fingerprint(none, 0, &b, 10));
    b = a;
    b.entity_tables = 0;
    assert_int_not_equal(ckpt_fingerprint(none, 0, &a, 10), ckpt_fingerprint(none, 0, &b, 10));
    b = a;
    b.warmup_rows = 1; /* the tables differ, so a side file of one must not resume the other */
    assert_int_not_equal(ckpt_fingerprint(none, 0, &a, 10), ckpt_fingerprint(none, 0, &b, 10));
    assert_int_not_equal(ckpt_fingerprint(none, 0, &a, 10), ckpt_fingerprint(none, 0, &a, 11));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip_and_torn_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_locked_ours, setup, teardown),
        cmocka_unit_test(test_fingerprint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
