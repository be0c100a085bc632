/* fuzz_rank.c — libFuzzer harness of `wlsim rank`'s inputs together: the input is split at
 * lines "%%" into the candidates, the history and the donor file (missing parts are empty),
 * ranked on day 400 with tests/fixtures/rank/simple.yaml; the match list goes to /dev/null. */
#include "fuzz_util.h"
#include "rank.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next part of data[*at..size) up to a line "%%\n"; its length in *len. */
static const uint8_t *part(const uint8_t *data, size_t size, size_t *at, size_t *len)
{
    const uint8_t *start = data + *at;
    size_t i = *at;
    for (; i < size; i++)
        if ((i == *at || data[i - 1] == '\n') && size - i >= 3 && memcmp(data + i, "%%\n", 3) == 0) {
            *len = i - *at;
            *at = i + 3;
            return start;
        }
    *len = size - *at;
    *at = size;
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static FILE *null;
    if (!null && !(null = fopen("/dev/null", "w"))) abort();
    size_t at = 0, lc, lh, ld;
    const uint8_t *c = part(data, size, &at, &lc), *h = part(data, size, &at, &lh), *d = part(data, size, &at, &ld);
    struct rank_args a = {.candidates = fuzz_file(0, "c.csv", c, lc), .history = fuzz_file(1, "h.csv", h, lh),
                          .donor = fuzz_file(2, "d.csv", d, ld), .scenario = "tests/fixtures/rank/simple.yaml",
                          .day = 400, .all = size & 1};
    struct err e;
    err_clear(&e);
    rank_run(&a, null, &e);
    return 0;
}
