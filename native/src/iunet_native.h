/*
 * IUNet native kernels: BLAS sgemm and sparse (CSR/CSC) kernels for masked dense layers, working in place on
 * Float32Arrays -- in the engine these are views on the tfjs wasm heap, so nothing is copied.
 *
 * Every entry point validates its shapes against the typed arrays' lengths and throws a JS error on bad input;
 * nothing here may crash the process. Plain C against node_api.h (Node-API 8), context-aware so that each
 * worker_thread gets its own instance data (scratch buffers, kernel call counters).
 *
 * Layouts are row-major throughout. Dense layer: X [batch, inputs], W [inputs, units], Y [batch, units].
 *
 * The files, by concern (this header declares what they share):
 *   module.c         registration (NAPI_MODULE_INIT), memory and kernel call counters
 *   napi_args.c      argument checks, counted allocation, per-thread instance data (scratch, call counts)
 *   blas.c           OpenBLAS loading (dlopen), sgemm and gemmBiasAct, library info, setThreads
 *   threads.c        how many threads a sparse kernel uses, and running a range split over them
 *   sparse_pattern.c the CSR/CSC index of a 0/1 mask (an opaque handle)
 *   sparse.c         SpMM forward and dX, SDDMM for dW, column sums
 *   elementwise.c    masked multiply, AdamW (dense and on a pattern), ReLU backward
 *   conv.c           im2col/col2im and 2×2 max pooling (NHWC)
 *   conv_pool.c      a convolution fused with its bias, ReLU and 2×2 max pooling, forward and backward, in chunks
 */
#ifndef IUNET_NATIVE_H
#define IUNET_NATIVE_H

#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <math.h>
#include <stdatomic.h>
#include <pthread.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

/*
 * Denormals off for the span of one kernel: x86's FTZ + DAZ bits, set and then restored, because the calling thread
 * also runs V8's JS and wasm, which need IEEE denormals. AdamW's second moment of a tiny gradient (ILO's
 * κ^depth-scaled layers give ~1e-20) underflows to denormals, on which the update ran 57× slower (32 ms instead of
 * 0.56 ms for 262k weights) -- half of an IUNet run's time. Flushing them changes an update by far less than
 * float rounding (sqrt(v) ≈ 1e-20 next to eps = 1e-8).
 */
typedef struct {
  unsigned csr;
} FpState;
static inline FpState denormals_off(void) {
  FpState st = {0};
#if defined(__x86_64__) || defined(__i386__)
  st.csr = _mm_getcsr();
  _mm_setcsr(st.csr | 0x8040u); /* FTZ (bit 15) | DAZ (bit 6) */
#endif
  return st;
}
static inline void denormals_restore(FpState st) {
#if defined(__x86_64__) || defined(__i386__)
  _mm_setcsr(st.csr);
#else
  (void)st;
#endif
}

/* ---------- BLAS (blas.c) ---------- */

#if defined(IUNET_ACCELERATE)
#include <Accelerate/Accelerate.h>
#define LIBRARY_NAME "Accelerate"
#else
#include <cblas.h>
#define LIBRARY_NAME "OpenBLAS"
/* OpenBLAS is opened with dlopen, not linked (blas.c says why): its entry points are these pointers. */
typedef void (*sgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE, const blasint, const blasint,
                         const blasint, const float, const float *, const blasint, const float *, const blasint, const float, float *,
                         const blasint);
extern sgemm_fn p_sgemm;
extern void (*p_set_threads)(int);
extern int (*p_get_threads)(void);
extern int (*p_get_procs)(void);
extern char *(*p_get_config)(void);
extern char *(*p_get_corename)(void);
#define cblas_sgemm p_sgemm
#define openblas_set_num_threads p_set_threads
#define openblas_get_num_threads p_get_threads
#define openblas_get_num_procs p_get_procs
#define openblas_get_config p_get_config
#endif

/* Opens the BLAS once per process; NULL when it is usable, else why not. */
const char *blas_load(void);

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
/* The sparse and elementwise loops get an AVX2+FMA clone picked at load time; the build stays portable. */
#define VEC_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VEC_CLONES
#endif

/* ---------- memory accounting, for leak tests (napi_args.c) ---------- */

extern atomic_llong g_live_bytes, g_allocs, g_frees;
void *counted_alloc(size_t bytes);
void counted_free(void *p, size_t bytes);

/* ---------- kernel call counters ---------- */

/*
 * Every compute entry point, by its JS name: each validated call adds one to its counter in the calling thread's
 * instance data (so a training worker reads exactly its own calls; no atomics, no sharing). One table, read by the
 * enum, the counting and the JS object that kernelCalls() returns.
 */
#define IUNET_KERNELS(X)              \
  X(SGEMM, "sgemm")                   \
  X(GEMM_BIAS_ACT, "gemmBiasAct")     \
  X(SPARSE_PATTERN, "sparsePattern")  \
  X(SPMM_FORWARD, "spmmForward")      \
  X(SPMM_BACKWARD, "spmmBackward")    \
  X(COL_SUMS, "colSums")              \
  X(MUL_INTO, "mulInto")              \
  X(ADAMW, "adamw")                   \
  X(ADAMW_SPARSE, "adamwSparse")      \
  X(RELU_BACKWARD, "reluBackward")    \
  X(IM2COL, "im2col")                 \
  X(COL2IM, "col2im")                 \
  X(MAX_POOL2, "maxPool2")            \
  X(MAX_POOL_BACKWARD, "maxPoolBackward")  \
  X(CONV_POOL_FORWARD, "convPoolForward")  \
  X(CONV_POOL_BACKWARD, "convPoolBackward")

#define IUNET_KERNEL_ENUM(id, name) K_##id,
typedef enum { IUNET_KERNELS(IUNET_KERNEL_ENUM) K_COUNT } Kernel;
#undef IUNET_KERNEL_ENUM
extern const char *const KERNEL_NAMES[K_COUNT];

/* Per-environment data (one per worker thread): growable float buffers for transposed operands, call counts. */
typedef struct {
  float *buf[4];
  size_t cap[4];
  double calls[K_COUNT]; /* doubles: exact to 2^53 and handed to JS as numbers */
} Instance;

float *scratch(Instance *s, int i, size_t n);
void instance_finalize(napi_env env, void *data, void *hint);
/* The calling thread's instance data, or NULL (after throwing). */
Instance *instance_of(napi_env env);
/* One more call of kernel k in this thread. */
void count_call(napi_env env, Kernel k);

/* ---------- argument helpers: each returns 0 and throws on failure (napi_args.c) ---------- */

#define CHECK_NAPI(call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, "IUNET_NATIVE", "internal N-API call failed"); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

int throwf(napi_env env, const char *fmt, const char *a);
int get_f32(napi_env env, napi_value v, const char *name, float **data, size_t *len);
/* null or undefined gives data = NULL, len = 0. */
int get_f32_opt(napi_env env, napi_value v, const char *name, float **data, size_t *len);
int get_i32(napi_env env, napi_value v, const char *name, int32_t **data, size_t *len);
/* A non-negative integer dimension up to 2^31-1. */
int get_dim(napi_env env, napi_value v, const char *name, int64_t *out);
int get_num(napi_env env, napi_value v, const char *name, double *out);
int get_bool(napi_env env, napi_value v, const char *name, bool *out);
int need(napi_env env, size_t have, int64_t want, const char *name);
int overlap(const float *a, size_t na, const float *b, size_t nb);
/* Reads exactly `want` arguments into argv; NULL (after throwing) when fewer came. */
napi_value args_of(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
napi_value undefined_of(napi_env env);

/* ---------- sparse pattern of a 0/1 mask (sparse_pattern.c) ---------- */

typedef struct {
  int64_t rows, cols, nnz; /* W is [rows = inputs, cols = units] */
  int32_t *row_ptr;        /* CSR: rows + 1 */
  int32_t *col_idx;        /* CSR: nnz, column of each kept weight */
  int32_t *col_ptr;        /* CSC: cols + 1 */
  int32_t *row_idx;        /* CSC: nnz, row of each kept weight */
  int32_t *csr_to_csc;     /* nnz: CSC position of each CSR entry */
  size_t bytes;
  int freed;
} Pattern;

/* The live pattern behind a handle from sparsePattern(), or NULL (after throwing). */
Pattern *get_pattern(napi_env env, napi_value v);

/* ---------- threads for the sparse kernels (threads.c) ---------- */

int kernel_threads(int64_t parts, double work);
void parallel_ranges(int nt, int64_t n, void (*fn)(void *, int64_t, int64_t), void *ctx);

/* ---------- convolution data movement shared by conv.c and conv_pool.c ---------- */

/* 'same'-padded k×k patches of b NHWC images, rows = pixels, columns (dy, dx, ch); every element written. */
void im2col_rows(const float *restrict x, int64_t b, int64_t h, int64_t w, int64_t c, int64_t k, float *restrict out);
/* The adjoint of im2col_rows, accumulated into out. */
void col2im_rows(const float *restrict cols, int64_t b, int64_t h, int64_t w, int64_t c, int64_t k, float *restrict out);

/* ---------- JS entry points, registered in module.c ---------- */

napi_value js_sgemm(napi_env env, napi_callback_info info);
napi_value js_gemm_bias_act(napi_env env, napi_callback_info info);
napi_value js_info(napi_env env, napi_callback_info info);
napi_value js_set_threads(napi_env env, napi_callback_info info);
napi_value js_sparse_pattern(napi_env env, napi_callback_info info);
napi_value js_free_pattern(napi_env env, napi_callback_info info);
napi_value js_pattern_nnz(napi_env env, napi_callback_info info);
napi_value js_spmm_forward(napi_env env, napi_callback_info info);
napi_value js_spmm_backward(napi_env env, napi_callback_info info);
napi_value js_col_sums(napi_env env, napi_callback_info info);
napi_value js_mul_into(napi_env env, napi_callback_info info);
napi_value js_adamw(napi_env env, napi_callback_info info);
napi_value js_adamw_sparse(napi_env env, napi_callback_info info);
napi_value js_relu_backward(napi_env env, napi_callback_info info);
napi_value js_im2col(napi_env env, napi_callback_info info);
napi_value js_col2im(napi_env env, napi_callback_info info);
napi_value js_max_pool2(napi_env env, napi_callback_info info);
napi_value js_max_pool_backward(napi_env env, napi_callback_info info);
napi_value js_conv_pool_forward(napi_env env, napi_callback_info info);
napi_value js_conv_pool_backward(napi_env env, napi_callback_info info);

#endif
