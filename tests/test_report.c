/* test_report.c — the end-of-run summary: means and 95 % t intervals, hand-computed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

/* Two replications with 10 and 20 heart transplants in one year: mean 15, sd 7.071,
 * t(0.975, 1) = 12.706, half-width 12.706 x 7.071 / sqrt(2) = 63.5. One replication alone has
 * no interval. A NaN median (no transplants) is left out, so the pancreas median is n/a. */
static void test_mean_and_ci(void **state)
{
    (void)state;
    const char *names[1] = {"base"};
    struct report *r = report_alloc(1, names);
    assert_non_null(r);
    struct rep_result a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    for (int o = 0; o < ORGAN_N; o++) {
        a.summary[o].years = b.summary[o].years = 1;
        a.summary[o].median_wait_days = b.summary[o].median_wait_days = o == ORGAN_HEART ? 100 : 0.0 / 0.0;
    }
    a.summary[ORGAN_HEART].transplants = 10;
    b.summary[ORGAN_HEART].transplants = 20;
    report_add(r, &a);
    report_add(r, &b);
    char buf[4096] = "";
    FILE *f = fmemopen(buf, sizeof buf - 1, "w");
    report_print(r, f);
    fclose(f);
    assert_non_null(strstr(buf, "mean over 2 replications"));
    const char *line = strstr(buf, "transplants per year");
    assert_non_null(line);
    assert_non_null(strstr(line, "15.0 ± 63.5"));
    const char *med = strstr(buf, "median wait");
    assert_non_null(strstr(med, "100.0 ± 0.0"));
    assert_non_null(strstr(med, "n/a"));
    report_free(r);
    report_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mean_and_ci)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
