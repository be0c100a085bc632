/* simple.h — the first, rule-light policy of the foundation: ABO identical before compatible,
 * then waiting time since listing; constant death and removal hazards; a constant acceptance
 * probability. Selected with `policy.<organ>.rule: simple`. It stays as a baseline and as the
 * limiting case the guideline policies are tested against. */
#ifndef WLSIM_SIMPLE_H
#define WLSIM_SIMPLE_H

#include "policy.h"

struct simple_par {
    int abo_identical_first;   /* 1: identical before compatible; 0: compatible pooled */
    double death_per_year;     /* constant hazard of death on the list */
    double removal_per_year;   /* constant hazard of removal from the list */
    double accept_prob;        /* probability an offer is accepted */
};

enum simple_excl { SIMPLE_EXCL_NONE = 0, SIMPLE_EXCL_NT, SIMPLE_EXCL_ABO };

extern const struct policy_ops simple_heart_ops;
extern const struct policy_ops simple_pancreas_ops;

#endif
