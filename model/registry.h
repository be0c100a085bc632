/* registry.h — the policies wlsim knows, by organ and name (`policy.<organ>.rule`). */
#ifndef WLSIM_REGISTRY_H
#define WLSIM_REGISTRY_H

#include "policy.h"

/* The policy named `name` for `organ`, or NULL if there is none. */
const struct policy_ops *registry_find(enum organ organ, const char *name);

/* The i-th policy for `organ` (i from 0), or NULL past the end. Index 0 is the default. */
const struct policy_ops *registry_get(enum organ organ, size_t i);

/* "|"-separated names of the policies for organ, written into buf. */
const char *registry_names(enum organ organ, char *buf, size_t len);

/* The organ programme `organ` (never NULL for organ < ORGAN_N). */
const struct organ_def *registry_organ(enum organ organ);

/* The k-th organ (k from 0) in the order a donor's organs are allocated: thoracic organs before
 * the pancreas (§II.2 of both guidelines). NULL past the last organ. */
const struct organ_def *registry_organ_at(size_t k);

/* At most this many optional candidate columns. */
#define REGISTRY_CAND_COLS_MAX 64

/* Stores pointers to every optional candidate column into out[0..REGISTRY_CAND_COLS_MAX) and
 * returns how many: the columns every organ has, then each organ's own, organs in enum order.
 * The candidate file's reader and `wlsim export`'s writer both take this order. */
size_t registry_cand_cols(const struct cand_col **out);

#endif
