/* Threads for the sparse kernels: how many, and a range of work split over them. */
#include "iunet_native.h"

/*
 * Threads for the sparse kernels: the BLAS thread count (the pool sets it to cores ÷ busy workers), only for calls
 * big enough to pay for starting threads (~50 µs). Threads are started per call and joined, never left spinning:
 * OpenMP's spin-waiting teams next to OpenBLAS' own threads made a loaded 2-core machine 10x slower.
 */
int kernel_threads(int64_t parts, double work) {
#if !defined(IUNET_ACCELERATE)
  if (work < 4e6) return 1;
  int n = openblas_get_num_threads();
  if (n > parts) n = (int)parts;
  if (n > 16) n = 16;
  return n < 1 ? 1 : n;
#else
  return 1;
#endif
}

typedef struct {
  void (*fn)(void *ctx, int64_t begin, int64_t end);
  void *ctx;
  int64_t begin, end;
} Chunk;

static void *run_chunk(void *arg) {
  Chunk *c = (Chunk *)arg;
  c->fn(c->ctx, c->begin, c->end);
  return NULL;
}

/* fn over [0, n) split into nt contiguous ranges, the first on the calling thread (serially if a thread fails to start). */
void parallel_ranges(int nt, int64_t n, void (*fn)(void *, int64_t, int64_t), void *ctx) {
  if (nt <= 1 || n <= 1) {
    fn(ctx, 0, n);
    return;
  }
  Chunk chunks[16];
  pthread_t tids[16];
  int started[16] = {0};
  for (int t = 0; t < nt; t++) chunks[t] = (Chunk){fn, ctx, n * t / nt, n * (t + 1) / nt};
  for (int t = 1; t < nt; t++) started[t] = pthread_create(&tids[t], NULL, run_chunk, &chunks[t]) == 0;
  fn(ctx, chunks[0].begin, chunks[0].end);
  for (int t = 1; t < nt; t++) {
    if (started[t]) pthread_join(tids[t], NULL);
    else fn(ctx, chunks[t].begin, chunks[t].end);
  }
}
