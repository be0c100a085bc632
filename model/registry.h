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

#endif
