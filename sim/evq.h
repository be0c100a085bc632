/* evq.h — the event queue of one replication.
 *
 * The engine keeps every future happening of a replication (a listing, a donor, a status
 * change, an expiry, a death, a graft loss) as an event in one `struct evq` and advances the
 * clock by popping the next one. An event is a small value: its time (days), a priority, and
 * a payload of a type code and two integers that the engine interprets (e.g. candidate index
 * and a per-candidate counter); the queue never looks at the payload.
 *
 * Order (docs/design.md: results bit-identical for any thread count). Events pop in a strict total order:
 *   1. time ascending (compared with `<` on doubles; -0.0 and +0.0 are the same time,
 *      +INFINITY is a legal time and pops last),
 *   2. then priority ascending (a smaller `prio` pops first at the same time),
 *   3. then insertion sequence ascending: events with equal time and priority pop in the order
 *      they were pushed (FIFO).
 * The insertion order counts from evq_alloc() and from evq_clear() (evq.c keeps it in 32 bits
 * and renumbers the pending events when it would overflow, which changes no order), so the same
 * pushes in the same order give the same pops on every machine and in every thread. NaN is not
 * a time: pushing one is a programming error and aborts (the check is an assert that stays on in
 * every build).
 *
 * Cancellation. evq_push() returns a handle that names the event until it is popped,
 * cancelled or cleared; after that the handle is stale and evq_cancel() on it safely returns
 * 0. A handle is (slot index + 1) in its low 32 bits and the slot's generation in its high
 * 32 bits; 0 is never a handle. A handle can only be mistaken for a newer event after its slot
 * has been reused 2^32 times, which the engine never comes near.
 *
 * Memory. Events live in a pool of slots that grows by doubling and never shrinks; a 4-ary
 * heap of (key, slot) entries orders them, and each slot remembers its heap position so that a
 * cancel is O(log n). After the pool has reached the largest number of events pending at once,
 * push/pop/cancel allocate nothing, but for a scratch array at each renumbering (once per 2^32
 * pushes; if it cannot be allocated, the push fails and changes nothing). Handles stay valid
 * across growth.
 *
 * Threads. A queue belongs to one replication context; functions on different queues may run
 * concurrently, functions on the same queue may not. The module has no global state. */
#ifndef WLSIM_EVQ_H
#define WLSIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

/* Names one pending event. 0 is never a valid handle (use it for "nothing scheduled"). */
typedef uint64_t evq_handle;

/* A popped event: exactly what was pushed. */
struct evq_event {
    double time;   /* when it happens (days) */
    int prio;      /* tie-break at equal time: smaller first */
    int type;      /* engine-defined event type */
    uint32_t a;    /* engine-defined payload */
    uint32_t b;    /* engine-defined payload */
};

struct evq;

/* Creates an empty queue with room for `capacity_hint` pending events before its first growth
 * (0 picks a small default). Returns the queue, owned by the caller and released with
 * evq_free(), or NULL if memory could not be allocated (nothing is leaked). */
struct evq *evq_alloc(size_t capacity_hint);

/* Frees q and all its memory; every handle of q becomes meaningless. NULL is a no-op. */
void evq_free(struct evq *q);

/* A new queue that is an exact copy of q: the same pending events, the same insertion sequence
 * and the same slots and generations, so every handle of q names the same event in the copy, and
 * the same pushes, pops and cancels on both give the same results. Returns NULL when memory
 * could not be allocated. (Used to branch a replication into policy variants, sim.h.) */
struct evq *evq_clone(const struct evq *q);

/* Schedules the event (time, prio, type, a, b) and returns its handle (never 0). If the pool
 * is full it doubles; if that allocation fails (or the scratch array of a renumbering, or the
 * queue already holds the maximum of 2^32 - 1 events) it returns 0 and the pending events are
 * unchanged. `time` must not be NaN (assert). */
evq_handle evq_push(struct evq *q, double time, int prio, int type, uint32_t a, uint32_t b);

/* Cancels the pending event named by h: it is removed and will never pop, and h becomes stale.
 * Returns 1 if h named a pending event, 0 if it did not (0, already popped, already
 * cancelled, dropped by evq_clear(), or never issued by q); a 0 return changes nothing. */
int evq_cancel(struct evq *q, evq_handle h);

/* Removes the next event in the order above and copies it into *ev; its handle becomes stale.
 * Returns 1, or 0 if the queue is empty (then *ev is untouched). */
int evq_pop(struct evq *q, struct evq_event *ev);

/* Stores the time of the next event in *t and returns 1, or returns 0 if the queue is empty
 * (then *t is untouched). The queue is not changed. */
int evq_peek_time(const struct evq *q, double *t);

/* The number of pending events. */
size_t evq_size(const struct evq *q);

/* Drops every pending event and makes every handle issued so far stale; keeps the memory
 * (no allocation or freeing) and restarts the insertion sequence, so later pushes pop in
 * exactly the order they would in a fresh queue (only the handle values differ). */
void evq_clear(struct evq *q);

#endif
