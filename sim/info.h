/* info.h — `wlsim info OUT.h5`: what a results file holds, for a reader without HDF5 tools.
 *
 * Prints the program version and commit that wrote it, when, the master seed, replications and
 * RNG; each variant with its policies and the parameters in which it differs from variant 0;
 * and each table with its rows, its size on disk and its title (docs/output.md describes them). */
#ifndef WLSIM_INFO_H
#define WLSIM_INFO_H

#include <stdio.h>

#include "err.h"

/* Writes the description of the results file at `path` to f. Returns 0, or ERR_INPUT (not a
 * wlsim results file: message in e) or ERR_INTERNAL. */
int info_print(const char *path, FILE *f, struct err *e);

/* Writes the field reference of every table of the results file to f, from the registry of
 * sim/rec.h: per table a heading `### /NAME`, its title, and a Markdown table of its fields (name,
 * type, unit, meaning and, for a code column, its codes). `make docs` splices each into
 * docs/output.md (scripts/output_fields.py). */
void info_fields(FILE *f);

/* The `wlsim info` command: argv[0] is "info". Returns the exit code. */
int info_main(int argc, char **argv);

#endif
