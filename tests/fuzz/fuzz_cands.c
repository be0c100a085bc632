/* fuzz_cands.c — libFuzzer harness of the candidate reader (C.csv), in both modes: `wlsim rank`
 * (whole days) when the first byte is even, the replay (seq column, fractional days) when odd;
 * the first byte is part of the file either way. */
#include <math.h>

#include "csvin.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct csvin_names *names = csvin_names_alloc();
    struct csvin_cands *cs = NULL;
    struct err e;
    err_clear(&e);
    if (!names) return 0;
    unsigned flags = size && (data[0] & 1) ? CSVIN_CANDS_REPLAY : 0;
    const char *p = fuzz_file(0, "c.csv", data, size);
    if (csvin_cands_read(p, flags ? NAN : 100, flags, names, &cs, &e) == 0) {
        for (size_t i = 0; i < cs->n; i++) /* every id can be found again */
            if (csvin_cands_find(cs, cs->c[i].id) < 0) abort();
    }
    csvin_cands_free(cs);
    csvin_names_free(names);
    return 0;
}
