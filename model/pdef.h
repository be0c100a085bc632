/* pdef.h — parameter definitions: the one table per module that drives scenario parsing,
 * range checks, `wlsim check --list`, docs and the HDF5 metadata.
 *
 * A module (a policy, a population model) owns a parameter struct and exports a table of
 * `struct pdef` rows describing its fields by offset. sim/scenario.c mounts each table under a
 * dotted prefix (e.g. "policy.heart") and does all parsing and validation; the module only
 * declares. Values are stored as int (PD_INT, PD_BOOL, PD_ENUM: the index into `choices`) or
 * double (PD_DOUBLE). */
#ifndef WLSIM_PDEF_H
#define WLSIM_PDEF_H

#include <stddef.h>

enum pdef_type { PD_INT, PD_DOUBLE, PD_BOOL, PD_ENUM };

struct pdef {
    const char *name;     /* key inside its section, may contain dots: "hu.initial_days" */
    enum pdef_type type;
    size_t offset;        /* offsetof(struct module_params, field) */
    double def;           /* default (enum: index into choices) */
    double min, max;      /* inclusive bounds (ignored for BOOL/ENUM) */
    const char *unit;     /* "days", "1/year", "%", "" ... */
    const char *choices;  /* PD_ENUM: "|"-separated names, e.g. "within|across" */
    const char *help;     /* one sentence: what it does */
    const char *source;   /* guideline section, docs/calibration.md figure or literature */
};

/* Writes every default of defs[0..n) into the struct at base. */
void pdef_defaults(const struct pdef *defs, size_t n, void *base);

/* Name of enum choice `idx` of d written into buf (size len); returns buf, or "?" text if out
 * of range. */
const char *pdef_choice(const struct pdef *d, int idx, char *buf, size_t len);

/* Index of `name` among d->choices, or -1. */
int pdef_choice_index(const struct pdef *d, const char *name);

/* 1 if s is a plain decimal number: [+-] digits [. digits] [e [+-] digits], with digits on at
 * least one side of the point; else 0. The scenario and CSV readers check this before strtod(),
 * which alone would also take hex ("0x1p3"), "inf" and "nan". Pure. */
int pdef_decimal_syntax(const char *s);

#endif
