/* score.h — score policies: an allocation order declared in the scenario file
 * (`policy.<organ>.rule: score` with a `score:` section), for the heart and the pancreas.
 *
 * Only the ORDER of the eligible candidates is declared. Everything else stays the guideline
 * policy's and stays on: who is eligible at all (ABO by its steps, size / TLC filters, NT never
 * offered, HLA and crossmatch), extended-criteria donors to the accelerated procedure (its
 * stages applied to the declared order), the disease model, the acceptance model and graft
 * loss. A score policy therefore delegates every hook of struct policy_ops to the organ's
 * guideline policy (heart_bak2021_ops, pancreas_bak2026_ops) except match, reason and
 * group_name; its parameter struct begins with the guideline's (struct heart_par or struct
 * pancreas_par at offset 0), so the guideline's tables and hooks read it unchanged.
 *
 * The order (documented in docs/rules.md, "Score policies"):
 *   tier:   the first tier whose conditions (`when`, all must hold) hold; earlier tiers first.
 *           The last tier has no conditions, so every eligible candidate has a tier.
 *   keys:   inside a tier, discrete keys in turn: a condition ranks those for whom it holds first
 *           ("not X": those for whom it does not), abo_step ranks the lower step first.
 *   points: the sum of the tier's terms, weight x feature (the feature first limited to the part
 *           above `above` and to at most `cap`), highest first.
 *   then the tie-break every policy shares (model/match.h): earlier listing, then lower seq.
 * Tier and keys are packed into match.tier (tier index in the high bits, each key's bits
 * below), points into match.points, so the shared comparison is the declared order and the
 * engine's heap, selection and sorts work unchanged. Features with an unknown input (a donor
 * without an age, ...) count 0, except survival_1y, which takes such a donor as the outcomes model
 * does (younger than 40).
 *
 * The program is compiled once per scenario into fixed arrays inside the parameter struct (no
 * pointers: a sweep copies the struct with memcpy), and match() is one pass over the list.
 *
 * Every feature and condition comes from one table (score_features), printed by
 * `wlsim check --list` (docs/parameters.md). This is model/ code: pure, no I/O. */
#ifndef WLSIM_SCORE_H
#define WLSIM_SCORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "heart.h"
#include "pancreas.h"
#include "policy.h"

#define SCORE_NAME_LEN 32
#define SCORE_MAX_TIERS 16
#define SCORE_MAX_WHEN 8
#define SCORE_MAX_KEYS 8
#define SCORE_MAX_TERMS 16
#define SCORE_TABLE_BITS 10 /* conditions in tiers and keys up to which they become a table */

/* Which organs a feature exists for (bits). */
#define SCORE_HEART (1u << ORGAN_HEART)
#define SCORE_PANCREAS (1u << ORGAN_PANCREAS)

enum score_kind {
    SCORE_COND = 0, /* a condition: 1 when it holds, else 0 (usable in when, keys and points) */
    SCORE_NUM       /* a number (points only; abo_step also as a key) */
};

/* One row of the feature table. */
struct score_feature {
    const char *name;
    enum score_kind kind;
    unsigned organs;      /* SCORE_HEART | SCORE_PANCREAS */
    int key_bits;         /* bits as an ordering key (1 for conditions, 2 for abo_step, 0: not a key) */
    const char *unit;
    const char *meaning;
    const char *source;   /* the guideline section it mirrors, or why it exists */
};

extern const struct score_feature score_features[];
extern const size_t score_n_features;

/* A condition or key: feature index, and whether it is negated ("not X"). */
struct score_lit {
    uint8_t f;
    uint8_t neg;
};

/* One points term: weight x min(max(feature - above, 0), cap), each limit when present. */
struct score_term {
    uint8_t f;
    uint8_t has_cap, has_above;
    uint8_t cond;         /* f is a condition (finish): its value is a bit of the mask */
    uint8_t bit;          /* that bit (prog.pos[f]) */
    double weight, cap, above;
    double lim;           /* cap when has_cap, else +inf (finish) */
};

struct score_tier {
    char name[SCORE_NAME_LEN];
    uint64_t when_pos, when_neg; /* the conditions as masks over the candidate's bits (finish) */
    uint8_t key_shift[SCORE_MAX_KEYS]; /* where each key's bits sit in match.tier (finish) */
    int n_when, n_keys, n_terms;
    struct score_lit when[SCORE_MAX_WHEN];
    struct score_lit key[SCORE_MAX_KEYS];
    struct score_term term[SCORE_MAX_TERMS];
};

/* A compiled score: the tiers in order, and where the tier index sits in match.tier. */
struct score_prog {
    int organ;            /* enum organ the program was built for */
    int n_tiers;
    int tier_shift;       /* bits below the tier index (the widest tier's keys) */
    unsigned need;        /* SCORE_NEED_* bits: what match() must compute per candidate */
    uint64_t uses;        /* bit f set when the program reads feature f */
    /* Tier and keys as one table look-up (finish): the n_sel conditions the tiers and keys read,
     * in the low bits of an index, the ABO step - 1 above them; table[index] is the packed
     * match.tier. n_sel < 0: too many conditions, evaluated tier by tier instead. */
    int n_sel;
    uint8_t pos[64];      /* the bit of each condition in a candidate's mask (finish): the n_sel
                           * of the tiers and keys first, so that they are the index's low bits */
    uint32_t table[1u << (SCORE_TABLE_BITS + 2)];
    struct score_tier tier[SCORE_MAX_TIERS];
};

/* The parameter structs of the two score policies: the guideline's first (its tables' offsets
 * and its hooks stay valid), then the compiled program. */
struct score_heart_par {
    struct heart_par g;
    struct score_prog prog;
};
struct score_pancreas_par {
    struct pancreas_par g;
    struct score_prog prog;
};

/* The policies (name "score"). */
extern const struct policy_ops score_heart_ops;
extern const struct policy_ops score_pancreas_ops;

/* 1 when ops is one of the score policies. */
int score_is(const struct policy_ops *ops);

/* The program inside a score policy's parameter struct (organ selects the struct). */
struct score_prog *score_prog_of(void *par, enum organ organ);

/* Index of feature `name` in score_features, or -1. */
int score_feature_find(const char *name);

/* Writes the names of the features usable for organ in the role asked ("when": conditions;
 * "keys": conditions and discrete features; "points": all), comma-separated, into buf. */
const char *score_feature_names(enum organ organ, const char *role, char *buf, size_t len);

/* Checks a program for organ after it was filled in: at least one tier, the last one without
 * conditions, tier names unique, keys within 31 bits; sets tier_shift and need. Returns 0, or
 * -1 with a message in msg naming the tier. */
int score_prog_finish(struct score_prog *g, enum organ organ, char *msg, size_t len);

/* Prints the feature table as Markdown (`wlsim check --list`). */
void score_list(FILE *out);

#endif
