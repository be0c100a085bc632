/* test_branch.c — which variants --branch accepts (branch_check): only policy.*, name and
 * description may differ from variant 0; anything else is ERR_INPUT naming the key. Run from the
 * repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "branch.h"

static const char BASE[] = "name: base\nseed: 3\nhorizon: {warmup_years: 1, years: 2}\n"
                           "population:\n  donors: {per_year: 400}\n";

/* The base scenario with `extra` appended, loaded under `path`. */
static struct scenario *with(const char *path, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", BASE, extra);
    struct scenario *s = NULL;
    struct err e;
    err_clear(&e);
    if (scen_load_text(path, text, &s, &e)) fail_msg("%s", e.msg);
    return s;
}

/* branch_check of (base, a variant with `extra`): the code, and the message in msg. */
static int check(const char *extra, char *msg, size_t len)
{
    struct scenario *a = with("a.yaml", ""), *b = with("b.yaml", extra);
    const struct scenario *v[2] = {a, b};
    struct err e;
    err_clear(&e);
    int rc = branch_check(v, 2, &e);
    snprintf(msg, len, "%s", e.msg);
    scen_free(a);
    scen_free(b);
    return rc;
}

static void test_policy_may_differ(void **state)
{
    (void)state;
    char msg[1024];
    assert_int_equal(check("description: another\npolicy:\n  heart:\n    hu: {renewal_days: 28}\n"
                           "  pancreas:\n    ecd: {age_max: 50}\n", msg, sizeof msg), 0);
}

static void test_other_keys_may_not(void **state)
{
    (void)state;
    char msg[1024];
    assert_int_equal(check("model:\n  heart:\n    removal_per_year: 0.1\n", msg, sizeof msg), ERR_INPUT);
    assert_non_null(strstr(msg, "b.yaml: model.heart.removal_per_year: expected 0.055 as in a.yaml (variant 0) under --branch, found 0.1"));
    assert_non_null(strstr(msg, "only policy.*, name and description may differ"));
    assert_int_equal(check("allocation: {max_offers: 3}\n", msg, sizeof msg), ERR_INPUT);
    assert_non_null(strstr(msg, "allocation.max_offers: expected 8 as in a.yaml"));
    /* Another policy brings another model table: the first key that differs is named. */
    assert_int_equal(check("policy:\n  heart: {rule: simple}\n", msg, sizeof msg), ERR_INPUT);
    assert_non_null(strstr(msg, "b.yaml: model.heart."));
}

static void test_seed_may_not(void **state)
{
    (void)state;
    struct scenario *a = with("a.yaml", ""), *b = with("b.yaml", "");
    b->seed = 4;
    const struct scenario *v[3] = {a, a, b};
    struct err e;
    err_clear(&e);
    assert_int_equal(branch_check(v, 3, &e), ERR_INPUT);
    assert_non_null(strstr(e.msg, "b.yaml: seed: expected 3 as in a.yaml (variant 0) under --branch, found 4"));
    scen_free(a);
    scen_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_may_differ),
        cmocka_unit_test(test_other_keys_may_not),
        cmocka_unit_test(test_seed_may_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
