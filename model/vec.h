/* vec.h — growing arrays: the one helper every module uses to make room in an array it appends
 * to (results, CSV rows, collected parameters, the policies' list indexes). Pure (no I/O, no
 * state), so it lives in model/ and sim/ uses it from there. */
#ifndef WLSIM_VEC_H
#define WLSIM_VEC_H

#include <stddef.h>

/* An array of T with its length and capacity. Zero-initialised it is empty. */
#define VEC(T) struct { T *v; size_t n, cap; }

/* Makes room for at least `need` elements of `size` bytes in the array *v of capacity *cap: if
 * *cap is smaller, the capacity doubles (from 64) until it suffices and *v is reallocated. Returns
 * 0, or -1 when out of memory or the size would overflow (then *v and *cap are unchanged). */
int vec_grow(void **v, size_t *cap, size_t need, size_t size);

#endif
