/* organ.h — the organ programmes as the engine and the files see them (struct organ_def in
 * policy.h): heart and pancreas, and the candidate attribute columns every organ has. The
 * engine reaches them through model/registry.h (registry_organ, registry_organ_at,
 * registry_cand_cols), which also fixes the allocation order. */
#ifndef WLSIM_ORGAN_H
#define WLSIM_ORGAN_H

#include "policy.h"

extern const struct organ_def organ_heart;
extern const struct organ_def organ_pancreas;

/* The optional candidate columns of every organ (before each organ's own). */
extern const struct cand_col cand_cols_common[];
extern const size_t n_cand_cols_common;

#endif
