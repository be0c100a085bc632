/* scoresec.h — the `score:` section of a scenario (`policy.<organ>.rule: score`): reads the YAML
 * node into a compiled program (model/score.h), checking every name against the feature table.
 *
 * The section:
 *   score:
 *     tiers:                                 # in offer order; the last one without `when`
 *       - name: HU                           # unique, at most 31 characters
 *         when: [urgent]                     # conditions that must all hold ("not X" negates)
 *         keys: [immunised, abo_step]        # conditions (true first), abo_step (low first)
 *         points:                            # highest first
 *           - {feature: hu_days, weight: 1}  # weight: a number; optional cap / above
 * Every problem is reported as FILE:LINE:COL: policy.<organ>.score...: expected ..., found ...
 * (the valid names listed) with ERR_INPUT. */
#ifndef WLSIM_SCORESEC_H
#define WLSIM_SCORESEC_H

#include <stdio.h>

#include <yaml.h>

#include "err.h"
#include "score.h"

/* Reads `node` (the value of the key `key`, e.g. "policy.heart.score") of document doc for
 * organ into *g (overwritten) and checks the result (score_prog_finish). `path` names the file
 * in messages. Returns 0, or ERR_INPUT with the message in e. */
int scoresec_parse(const char *path, yaml_document_t *doc, const yaml_node_t *node,
                   const char *key, enum organ organ, struct score_prog *g, struct err *e);

/* Writes g back as YAML under the dotted key `key` (e.g. "policy.heart.score:"), so that
 * scoresec_parse() of the text gives the same program (weights, caps and thresholds with 17
 * significant digits: the same doubles). Used by `wlsim export`. */
void scoresec_write(FILE *f, const char *key, const struct score_prog *g);

#endif
