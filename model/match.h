/* match.h — one candidate's place on the match list for one donor, and the single ordering
 * every policy shares.
 *
 * A policy makes one pass over the waiting list and fills a `struct match` per candidate:
 * whether the candidate is eligible, the guideline's group and ABO step, the points, and a
 * composite `tier` that encodes every lexicographic preference of that policy before points
 * (urgency group, heart-lung before heart, ABO step, ...). The order is then the same for all
 * policies: tier ascending, points descending, listing day ascending, candidate seq ascending
 * (a total order, so the same inputs always give the same list).
 *
 * The engine does not sort the whole list for a donor (sim/sim.c, allocate()): with an offer
 * limit of k and no switch to the accelerated procedure possible, match_top() selects the k best
 * in O(n log k); when the policy may switch procedures part-way, match_heap_build() arranges the
 * matches in O(n) and match_heap_pop() yields them best first until the switch; the accelerated
 * order of what is left is the policy's (accel_order). `wlsim rank` sorts fully with
 * match_sort(). */
#ifndef WLSIM_MATCH_H
#define WLSIM_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "cand.h"

/* 32 bytes: the engine writes one per eligible candidate for every donor and orders them, so
 * the small codes are bytes. */
struct match {
    struct cand *c;
    double points;    /* waiting-time points incl. bonuses; higher is better */
    uint32_t tier;    /* composite key, lower is better; fully decides the order before points */
    unsigned flags;   /* policy-specific bits that explain the tier (for reasons) */
    int8_t eligible;  /* 1 ranked; 0 excluded for reason `excl` */
    int8_t excl;      /* policy-specific exclusion code when not eligible (0 when eligible) */
    int8_t group;     /* allocation group as the guideline numbers it (policy-specific codes) */
    int8_t abo_step;  /* 1 identical, 2 and 3 the compatible steps; 0 when excluded on ABO */
};

/* <0 if a ranks before b, >0 after, 0 only if both name the same candidate. */
int match_cmp(const struct match *a, const struct match *b);

/* Sorts m[0..n) into rank order (match_cmp). */
void match_sort(struct match *m, size_t n);

/* Moves the k best matches of m[0..n) to m[0..k), sorted best first, in O(n log k); returns
 * min(n, k). The rest of the array is left in unspecified order. For an organ offered to at
 * most k candidates this is all the ordering the allocation needs. */
size_t match_top(struct match *m, size_t n, size_t k);

/* Arranges m[0..n) as a binary heap on match_cmp in O(n). */
void match_heap_build(struct match *m, size_t n);

/* Removes the best match from the heap m[0..*n) into *out, decrements *n.
 * Returns 0, or -1 when the heap is empty. */
int match_heap_pop(struct match *m, size_t *n, struct match *out);

/* Points as `wlsim rank` shows them, in the points column and in every reason alike: rounded to
 * two decimals, trailing zeros dropped ("150", "116.67", "0.5"), "" when not finite. Returns buf. */
const char *match_points_text(double points, char *buf, size_t len);

#endif
