/* test_cand.c — waiting-time accounting, name tables, ABO compatibility, the match order, what a
 * relisting carries, and the organ tables (model/organ.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include <stdio.h>

#include "cand.h"
#include "match.h"
#include "registry.h"

/* T 0..10, HU 10..40, NT 40..50, HU 50..60 (asked on day 60): HU 40 days, NT 10, listed 60. */
static void test_hu_spells_accumulate(void **state)
{
    (void)state;
    struct cand c;
    cand_init(&c, 0, PROG_HEART, 0.0);
    cand_set_status(&c, 10, ST_HU, 0);
    cand_set_status(&c, 40, ST_NT, 0);
    cand_set_status(&c, 50, ST_HU, 0);
    assert_float_equal(cand_hu_days(&c, 60), 40.0, 1e-12);
    assert_float_equal(cand_nt_days(&c, 60), 10.0, 1e-12);
    assert_float_equal(cand_listed_days(&c, 60), 60.0, 1e-12);
    assert_int_equal(c.w.hu_spells, 2);
    assert_float_equal(cand_spell_days(&c, 60), 10.0, 1e-12);
}

/* A renewal (same status again) keeps the spell start but the day counts stay continuous. */
static void test_renewal_keeps_spell(void **state)
{
    (void)state;
    struct cand c;
    cand_init(&c, 0, PROG_PANCREAS, 5.0);
    cand_set_status(&c, 10, ST_SU, 0);
    cand_set_status(&c, 101, ST_SU, 0);
    assert_float_equal(cand_spell_days(&c, 120), 110.0, 1e-12);
    assert_int_equal(c.w.su_spells, 1);
}

/* Only NT spells flagged with a waiting-time application count as credited. */
static void test_nt_credit(void **state)
{
    (void)state;
    struct cand c;
    cand_init(&c, 0, PROG_PANCREAS, 0.0);
    cand_set_status(&c, 10, ST_NT, 1);
    cand_set_status(&c, 30, ST_NT, 0);
    cand_set_status(&c, 50, ST_T, 0);
    cand_set_status(&c, 60, ST_NT, 1);
    assert_float_equal(cand_nt_days(&c, 70), 50.0, 1e-12);
    assert_float_equal(cand_nt_credit_days(&c, 70), 30.0, 1e-12);
}

static void test_names_roundtrip(void **state)
{
    (void)state;
    for (int a = 0; a < ABO_N; a++) {
        enum abo x;
        assert_int_equal(abo_parse(abo_name((enum abo)a), &x), 0);
        assert_int_equal(x, a);
    }
    enum abo o;
    assert_int_equal(abo_parse("0", &o), 0);
    assert_int_equal(o, ABO_O);
    assert_int_equal(abo_parse("C", &o), -1);
    for (int p = 0; p < PROG_N; p++) {
        enum prog x;
        assert_int_equal(prog_parse(prog_name((enum prog)p), &x), 0);
        assert_int_equal(x, p);
    }
    enum status s;
    assert_int_equal(status_parse("HU", &s), 0);
    assert_int_equal(s, ST_HU);
    assert_int_equal(status_parse("XX", &s), -1);
    assert_int_equal(prog_organ(PROG_HEART_LUNG), ORGAN_HEART);
    assert_int_equal(prog_organ(PROG_PANCREAS_KIDNEY), ORGAN_PANCREAS);
}

/* Ordinary compatibility table: 16 pairs, 9 allowed. */
static void test_abo_table(void **state)
{
    (void)state;
    static const int expect[ABO_N][ABO_N] = {
        /* recipient: O A B AB */
        {1, 1, 1, 1}, /* donor O */
        {0, 1, 0, 1}, /* donor A */
        {0, 0, 1, 1}, /* donor B */
        {0, 0, 0, 1}, /* donor AB */
    };
    for (int d = 0; d < ABO_N; d++)
        for (int r = 0; r < ABO_N; r++)
            assert_int_equal(abo_compatible((enum abo)d, (enum abo)r), expect[d][r]);
}

/* Tier first, then points (high first), then listing day, then seq; heap pops the same order
 * as the full sort. */
static void test_match_order(void **state)
{
    (void)state;
    struct cand c[6];
    struct match m[6], h[6];
    const uint32_t tiers[6] = {2, 1, 1, 1, 0, 1};
    const double points[6] = {900, 10, 20, 20, 1, 20};
    const double listed[6] = {0, 0, 5, 3, 0, 3};
    for (int i = 0; i < 6; i++) {
        cand_init(&c[i], (uint32_t)i, PROG_HEART, listed[i]);
        m[i] = (struct match){.c = &c[i], .eligible = 1, .tier = tiers[i], .points = points[i]};
    }
    for (int i = 0; i < 6; i++) h[i] = m[i];
    match_sort(m, 6);
    const uint32_t expect_seq[6] = {4, 3, 5, 2, 1, 0};
    for (int i = 0; i < 6; i++) assert_int_equal(m[i].c->seq, expect_seq[i]);
    size_t n = 6;
    match_heap_build(h, n);
    struct match out;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(match_heap_pop(h, &n, &out), 0);
        assert_int_equal(out.c->seq, expect_seq[i]);
    }
    assert_int_equal(match_heap_pop(h, &n, &out), -1);
}

/* match_top keeps exactly the k best in order, for every k, on lists with many ties. */
static void test_match_top(void **state)
{
    (void)state;
    enum { N = 200 };
    static struct cand c[N];
    static struct match a[N], b[N];
    unsigned x = 12345;
    for (int i = 0; i < N; i++) {
        x = x * 1103515245u + 12345u;
        cand_init(&c[i], (uint32_t)i, PROG_HEART, (double)(x >> 28));
        a[i] = (struct match){.c = &c[i], .eligible = 1, .tier = (x >> 8) % 3, .points = (double)((x >> 12) % 7)};
    }
    for (size_t k = 0; k <= N + 5; k += (k < 10 ? 1 : 37)) {
        for (int i = 0; i < N; i++) b[i] = a[i];
        size_t got = match_top(b, N, k);
        assert_int_equal(got, k < N ? k : N);
        struct match s[N];
        for (int i = 0; i < N; i++) s[i] = a[i];
        match_sort(s, N);
        for (size_t i = 0; i < got; i++) assert_int_equal(b[i].c->seq, s[i].c->seq);
    }
}

/* The marked day's totals (cand_mark_days): listed on 0, HU 10..40, NT 40..60, T from 60, mark
 * on 50: HU 30, NT 10 up to it, whatever the rows after it; before the rows pass the mark the
 * open row is cut at it; a mark at or before the listing gives 0; no mark gives NaN. */
static void test_mark_days(void **state)
{
    (void)state;
    struct cand c;
    double hu, nt;
    cand_init(&c, 0, PROG_HEART, 0);
    cand_mark_days(&c, &hu, &nt);
    assert_true(isnan(hu) && isnan(nt));
    c.mark_day = 50;
    cand_set_status(&c, 10, ST_HU, 0);
    cand_mark_days(&c, &hu, &nt); /* open HU row from 10 contains the mark */
    assert_float_equal(hu, 40, 1e-12);
    assert_float_equal(nt, 0, 1e-12);
    cand_set_status(&c, 40, ST_NT, 0);
    cand_mark_days(&c, &hu, &nt);
    assert_float_equal(hu, 30, 1e-12);
    assert_float_equal(nt, 10, 1e-12);
    cand_set_status(&c, 60, ST_T, 0);
    cand_set_status(&c, 90, ST_HU, 0);
    cand_mark_days(&c, &hu, &nt);
    assert_float_equal(hu, 30, 1e-12);
    assert_float_equal(nt, 10, 1e-12);
    cand_init(&c, 0, PROG_HEART, 100);
    c.mark_day = 80;
    cand_set_status(&c, 100, ST_HU, 0);
    cand_mark_days(&c, &hu, &nt);
    assert_float_equal(hu, 0, 0);
    assert_float_equal(nt, 0, 0);
}

/* The members a relisting takes from a new listing instead of the person (cand_relist's
 * contract). Listed here on purpose, apart from cand.c: a member may join this list only by a
 * decision made in both places. */
#define M(f) {offsetof(struct cand, f), sizeof((struct cand *)0)->f, #f}
static const struct {
    size_t off, size;
    const char *name;
} RELIST_RESET[] = {
    M(seq),     M(w),       M(outcome),  M(end_day),  M(list_pos),     M(draws),
    M(slot),    M(id),      M(expiry),   M(renewals), M(mstate),       M(mday),
    M(mark_day), M(mark_hu_days), M(mark_nt_days), M(dmcs), M(dmcs_day), M(diag),
    M(inpatient), M(hla_ok), M(combined_audited), M(prior_wait_days), M(prior_tx_day),
    M(graft_loss_day),
};
#undef M

/* The member RELIST_RESET names at byte `at` of struct cand, or NULL when none does. */
static const char *relist_reset_at(size_t at)
{
    for (size_t k = 0; k < sizeof RELIST_RESET / sizeof RELIST_RESET[0]; k++)
        if (at >= RELIST_RESET[k].off && at < RELIST_RESET[k].off + RELIST_RESET[k].size)
            return RELIST_RESET[k].name;
    return NULL;
}

/* A relisting carries every byte of the old candidate but the members of RELIST_RESET (so a
 * member added to struct cand, or one dropped from the copy, fails here), and those are exactly
 * as a new listing has them, but for the relisting fields taken from the old listing. The old
 * candidate is filled with a byte pattern, so no member can pass by holding its default. */
static void test_relist_carries_the_person(void **state)
{
    (void)state;
    static const unsigned char PATTERN[] = {0x41, 0x5a, 0x3c, 0x77, 0x19};
    struct cand old, c, fresh;
    for (size_t i = 0; i < sizeof old; i++) ((unsigned char *)&old)[i] = PATTERN[i % sizeof PATTERN];
    old.prog = PROG_PANCREAS_KIDNEY;
    old.w.listed = 100.25;
    old.end_day = 400.5;
    memset(&c, 0xee, sizeof c);
    cand_relist(&c, &old, 77, 500.75);
    const unsigned char *pc = (const unsigned char *)&c, *po = (const unsigned char *)&old;
    for (size_t i = 0; i < sizeof c; i++) {
        if (relist_reset_at(i)) continue;
        if (pc[i] != po[i]) fail_msg("byte %zu of struct cand was not carried to the relisting", i);
    }
    cand_init(&fresh, 77, PROG_PANCREAS_KIDNEY, 500.75);
    fresh.prior_wait_days = 400.5 - 100.25;
    fresh.prior_tx_day = 400.5;
    fresh.graft_loss_day = 500.75;
    const unsigned char *pf = (const unsigned char *)&fresh;
    for (size_t i = 0; i < sizeof c; i++) {
        const char *name = relist_reset_at(i);
        if (name && pc[i] != pf[i]) fail_msg("member %s of the relisting is not a new listing's (byte %zu)", name, i);
    }
    assert_int_equal(c.prog, PROG_PANCREAS_KIDNEY);
    assert_int_equal(c.w.status, ST_T);
    assert_float_equal(c.w.listed, 500.75, 0);
}

/* The organ tables: one organ_def per organ, each once in the allocation order (heart first),
 * distinct urgent statuses; the candidate columns have unique names apart from the reader's own
 * columns, text columns their parse, format and expected text, the others a member inside
 * struct cand; a text column's format reads back through its parse. */
static void test_organ_tables(void **state)
{
    (void)state;
    int seen[ORGAN_N] = {0};
    const struct organ_def *od;
    size_t k;
    for (k = 0; (od = registry_organ_at(k)); k++) {
        assert_true(od->organ >= 0 && od->organ < ORGAN_N);
        assert_ptr_equal(registry_organ(od->organ), od);
        seen[od->organ]++;
        assert_int_equal(prog_organ(od->prog), od->organ);
        assert_true(od->offer_off + sizeof(int) <= sizeof(struct donor));
        for (size_t j = 0; j < k; j++) assert_int_not_equal(registry_organ_at(j)->urgent, od->urgent);
    }
    assert_int_equal(k, ORGAN_N);
    assert_int_equal(registry_organ_at(0)->organ, ORGAN_HEART); /* thoracic first (§II.2) */
    for (int o = 0; o < ORGAN_N; o++) assert_int_equal(seen[o], 1);

    static const char *const CORE[] = {"id", "seq", "program", "abo", "age_years", "listed_day", "region", "center"};
    const struct cand_col *cols[REGISTRY_CAND_COLS_MAX];
    size_t n = registry_cand_cols(cols);
    assert_true(n > 0 && n < REGISTRY_CAND_COLS_MAX);
    for (size_t i = 0; i < n; i++) {
        const struct cand_col *c = cols[i];
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cols[j]->name, c->name)) fail_msg("candidate column %s twice", c->name);
        for (size_t j = 0; j < sizeof CORE / sizeof CORE[0]; j++)
            if (!strcmp(CORE[j], c->name)) fail_msg("candidate column %s is one of the reader's own", c->name);
        if (c->kind == CAND_COL_TEXT) {
            assert_non_null(c->parse);
            assert_non_null(c->format);
            assert_non_null(c->expected);
            struct cand x;
            cand_init(&x, 0, PROG_PANCREAS, 0);
            assert_int_equal(c->parse("", &x), 0); /* an empty cell is "not known" */
            char back[64];
            snprintf(back, sizeof back, "%s", c->format(&x));
            assert_int_equal(c->parse(back, &x), 0);
            assert_string_equal(c->format(&x), back);
        } else {
            size_t size = c->kind == CAND_COL_NUM || c->kind == CAND_COL_DAY ? sizeof(double) : sizeof(int);
            assert_true(c->off + size <= sizeof(struct cand));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hu_spells_accumulate),
        cmocka_unit_test(test_renewal_keeps_spell),
        cmocka_unit_test(test_nt_credit),
        cmocka_unit_test(test_names_roundtrip),
        cmocka_unit_test(test_abo_table),
        cmocka_unit_test(test_match_order),
        cmocka_unit_test(test_match_top),
        cmocka_unit_test(test_mark_days),
        cmocka_unit_test(test_relist_carries_the_person),
        cmocka_unit_test(test_organ_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
