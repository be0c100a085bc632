/* fuzz_history.c — libFuzzer harness of the status-history reader (H.csv) against fixed
 * candidate files: the rank fixture's (whole days) when the first byte is even, the replay
 * test's (final statuses, fractional days) when odd; accepted rows are then applied. */
#include <math.h>

#include "csvin.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct csvin_cands *cs[2];
    static struct csvin_names *names;
    struct err e;
    err_clear(&e);
    if (!names) {
        if (!(names = csvin_names_alloc()) ||
            csvin_cands_read("tests/fixtures/rank/base/cands.csv", 100, 0, names, &cs[0], &e) ||
            csvin_cands_read("tests/scenarios/replay/candidates.csv", NAN, CSVIN_CANDS_REPLAY, names, &cs[1], &e)) {
            fprintf(stderr, "fuzz_history: run from the repository root: %s\n", e.msg);
            abort();
        }
    }
    int replay = size && (data[0] & 1);
    struct csvin_hist *h = NULL;
    size_t n = 0;
    const char *p = fuzz_file(0, "h.csv", data, size);
    unsigned flags = replay ? CSVIN_HIST_FINAL | CSVIN_HIST_FRACTIONAL : 0;
    if (csvin_history_read(p, cs[replay], flags, &h, &n, &e) == 0 && !replay) {
        /* Applying changes the candidates: on a copy, so that every input sees the same list. */
        struct csvin_cands copy = *cs[0];
        struct cand *c = malloc((copy.n ? copy.n : 1) * sizeof *c);
        if (c) {
            memcpy(c, cs[0]->c, copy.n * sizeof *c);
            copy.c = c;
            csvin_history_apply(&copy, h, n, 1e7);
            free(c);
        }
    }
    free(h);
    return 0;
}
