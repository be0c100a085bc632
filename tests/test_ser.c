/* test_ser.c — result buffers: a round trip keeps every byte, and a short, torn or altered
 * buffer is refused rather than half-read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ser.h"

/* A result with a few rows in every table, built as sim.c builds them (zeroed, then filled). */
static struct rep_result *sample(int variant, int rep, size_t ncand)
{
    struct rep_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->variant = variant;
    r->replication = rep;
    for (int o = 0; o < ORGAN_N; o++) {
        r->summary[o].variant = variant;
        r->summary[o].transplants = 10 * o + rep;
        r->summary[o].median_wait_days = 1.5 * o;
        r->groups[o][3].waiting_years = 0.25 + o;
    }
    r->cands.v = calloc(ncand ? ncand : 1, sizeof *r->cands.v);
    assert_non_null(r->cands.v);
    r->cands.n = r->cands.cap = ncand;
    for (size_t i = 0; i < ncand; i++) {
        r->cands.v[i].seq = (uint32_t)i;
        r->cands.v[i].listed_day = -3.0 + (double)i / 7;
    }
    r->tx.v = calloc(2, sizeof *r->tx.v);
    assert_non_null(r->tx.v);
    r->tx.n = r->tx.cap = 2;
    strcpy(r->tx.v[1].donor, "D-17");
    r->tx.v[1].points = 123.25;
    r->series.v = calloc(1, sizeof *r->series.v);
    assert_non_null(r->series.v);
    r->series.n = r->series.cap = 1;
    r->series.v[0].listed = 715;
    return r;
}

static void test_round_trip(void **state)
{
    (void)state;
    struct rep_result *r = sample(2, 5, 37), *back = NULL;
    void *buf = NULL;
    size_t len = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(ser_pack(r, &buf, &len, &e), 0);
    assert_int_equal(ser_unpack(buf, len, &back, &e), 0);
    assert_int_equal(back->variant, 2);
    assert_int_equal(back->replication, 5);
    assert_memory_equal(back->summary, r->summary, sizeof r->summary);
    assert_memory_equal(back->groups, r->groups, sizeof r->groups);
    assert_int_equal(back->cands.n, 37);
    assert_memory_equal(back->cands.v, r->cands.v, 37 * sizeof *r->cands.v);
    assert_int_equal(back->tx.n, 2);
    assert_string_equal(back->tx.v[1].donor, "D-17");
    assert_int_equal(back->donors.n, 0);
    assert_null(back->donors.v);
    assert_int_equal(back->episodes.n, 0);
    assert_int_equal(back->series.v[0].listed, 715);
    /* Packing the copy gives the same bytes: equal results, equal buffers. */
    void *buf2 = NULL;
    size_t len2 = 0;
    assert_int_equal(ser_pack(back, &buf2, &len2, &e), 0);
    assert_int_equal(len2, len);
    assert_memory_equal(buf2, buf, len);
    free(buf2);
    free(buf);
    sim_result_free(back);
    sim_result_free(r);
}

static void test_refuses_damage(void **state)
{
    (void)state;
    struct rep_result *r = sample(0, 1, 5), *back = NULL;
    void *buf = NULL;
    size_t len = 0;
    struct err e;
    err_clear(&e);
    assert_int_equal(ser_pack(r, &buf, &len, &e), 0);
    unsigned char *b = buf;
    /* Torn: every shorter length is refused. */
    for (size_t cut = 0; cut < len; cut += len / 13 + 1) {
        err_clear(&e);
        assert_int_equal(ser_unpack(buf, cut, &back, &e), ERR_INPUT);
        assert_null(back);
    }
    /* One flipped bit in the payload: the checksum catches it. */
    b[len - 3] ^= 0x10;
    err_clear(&e);
    assert_int_equal(ser_unpack(buf, len, &back, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "checksum"));
    assert_null(back);
    b[len - 3] ^= 0x10;
    /* Wrong magic. */
    b[0] ^= 0xff;
    err_clear(&e);
    assert_int_equal(ser_unpack(buf, len, &back, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "magic"));
    b[0] ^= 0xff;
    /* And intact it still reads. */
    err_clear(&e);
    assert_int_equal(ser_unpack(buf, len, &back, &e), 0);
    sim_result_free(back);
    free(buf);
    sim_result_free(r);
}

static void test_hash(void **state)
{
    (void)state;
    const char a[] = "0123456789abcdefXYZ", b[] = "0123456789abcdefXYz";
    assert_int_equal(ser_hash(SER_HASH_INIT, a, sizeof a), ser_hash(SER_HASH_INIT, a, sizeof a));
    assert_int_not_equal(ser_hash(SER_HASH_INIT, a, sizeof a), ser_hash(SER_HASH_INIT, b, sizeof b));
    /* A difference in the word-wise part, not only in the tail. */
    assert_int_not_equal(ser_hash(SER_HASH_INIT, "aaaaaaaab", 9), ser_hash(SER_HASH_INIT, "aaaaaaabb", 9));
    assert_int_not_equal(ser_hash(SER_HASH_INIT, a, 0), ser_hash(SER_HASH_INIT, a, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refuses_damage),
        cmocka_unit_test(test_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
