/* fuzz_donors.c — libFuzzer harness of the donor reader (D.csv): `wlsim rank`'s single donor
 * when the first byte is even, the replay's donor stream (day column, non-decreasing) when odd. */
#include "csvin.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csvin_names *names = csvin_names_alloc();
    struct donor *d = NULL;
    size_t n = 0;
    struct err e;
    err_clear(&e);
    if (!names) return 0;
    int replay = size && (data[0] & 1);
    const char *p = fuzz_file(0, "d.csv", data, size);
    if (csvin_donors_read(p, names, replay ? CSVIN_DONOR_REPLAY : 0, replay ? 0 : 1, &d, &n, &e) == 0 && replay)
        for (size_t i = 1; i < n; i++)
            if (d[i].day < d[i - 1].day) abort(); /* the reader's promise */
    free(d);
    csvin_names_free(names);
    return 0;
}
