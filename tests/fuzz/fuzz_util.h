/* fuzz_util.h — shared by the libFuzzer harnesses of tests/fuzz/ (see docs/testing.md): the
 * readers take file paths, so each input is written to a file in a private scratch folder
 * first. The harnesses run from the repository root (make fuzz). */
#ifndef WLSIM_FUZZ_UTIL_H
#define WLSIM_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir_name[64];

/* Removes the scratch folder and its files at exit. */
static void fuzz_dir_remove(void)
{
    static const char *const names[] = {"s.yaml", "c.csv", "h.csv", "d.csv"};
    char p[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", fuzz_dir_name, names[i]);
        unlink(p);
    }
    rmdir(fuzz_dir_name);
}

/* The scratch folder, created on first use and removed at exit. */
static const char *fuzz_dir(void)
{
    if (!fuzz_dir_name[0]) {
        /* /dev/shm where there is one: each input is written to a file, and memory is faster. */
        snprintf(fuzz_dir_name, sizeof fuzz_dir_name, "%s/wlsim-fuzz.XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
        if (!mkdtemp(fuzz_dir_name)) abort();
        atexit(fuzz_dir_remove);
    }
    return fuzz_dir_name;
}

/* Writes data[0..size) to the scratch file `name` and returns its path (static storage, one
 * per name slot 0..3). */
static const char *fuzz_file(int slot, const char *name, const uint8_t *data, size_t size)
{
    static char path[4][128];
    snprintf(path[slot], sizeof path[slot], "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path[slot], "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    if (fclose(f) != 0) abort();
    return path[slot];
}

#endif
