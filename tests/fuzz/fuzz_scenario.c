/* fuzz_scenario.c — libFuzzer harness of the scenario loader: any bytes as a scenario file
 * (scen_load, so the file checks run too), then the sweep expansion. Replay files named by an
 * input are confined to the scratch folder (SCEN_CONFINE_PATHS on the text). */
#include "fuzz_util.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct scenario *s = NULL, **v = NULL;
    struct err e;
    int n = 0;
    err_clear(&e);
    const char *p = fuzz_file(0, "s.yaml", data, size);
    /* Loaded once from the file (size, NUL and regular-file checks) ... */
    if (scen_load(p, &s, &e) == 0) {
        scen_free(s);
        s = NULL;
        /* ... and once from its text as verify does, with the paths confined. */
        char *text = malloc(size + 1);
        if (!text) return 0;
        memcpy(text, data, size);
        text[size] = '\0';
        err_clear(&e);
        if (scen_load_text_opts(p, text, SCEN_CONFINE_PATHS, &s, &e) == 0 && scen_expand(s, &v, &n, &e) == 0) {
            for (int i = 0; i < n; i++) scen_free(v[i]);
            free(v);
        }
        free(text);
        scen_free(s);
    }
    return 0;
}
