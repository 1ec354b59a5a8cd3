/*
 * IUNet native kernels: BLAS sgemm and sparse (CSR/CSC) kernels for masked dense layers, working in place on
 * Float32Arrays -- in the engine these are views on the tfjs wasm heap, so nothing is copied.
 *
 * Every entry point validates its shapes against the typed arrays' lengths and throws a JS error on bad input;
 * nothing here may crash the process. Plain C against node_api.h (Node-API 8), context-aware so that each
 * worker_thread gets its own instance data (scratch buffers).
 *
 * Layouts are row-major throughout. Dense layer: X [batch, inputs], W [inputs, units], Y [batch, units].
 */
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

#if defined(IUNET_ACCELERATE)
#include <Accelerate/Accelerate.h>
#define LIBRARY_NAME "Accelerate"
#else
#include <cblas.h>
#include <dlfcn.h>
#include <pthread.h>
#define LIBRARY_NAME "OpenBLAS"
/*
 * OpenBLAS is opened with dlopen, not linked: its DYNAMIC_ARCH build picks its kernels in a library constructor,
 * and 0.3.21 falls back to its slowest (SSE3, "Prescott") kernels on CPUs newer than it knows -- 4x slower here
 * (a recent Xeon with AVX-512). Opening it ourselves lets us name the kernel family from the CPU's features first
 * (OPENBLAS_CORETYPE; an explicit OPENBLAS_CORETYPE from the user always wins).
 */
typedef void (*sgemm_fn)(const enum CBLAS_ORDER, const enum CBLAS_TRANSPOSE, const enum CBLAS_TRANSPOSE, const blasint, const blasint,
                         const blasint, const float, const float *, const blasint, const float *, const blasint, const float, float *,
                         const blasint);
static sgemm_fn p_sgemm;
static void (*p_set_threads)(int);
static int (*p_get_threads)(void);
static int (*p_get_procs)(void);
static char *(*p_get_config)(void);
static char *(*p_get_corename)(void);
static const char *g_coretype_source = "detected by OpenBLAS";
static char g_load_error[512];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void load_openblas(void) {
  if (!getenv("OPENBLAS_CORETYPE")) {
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    const char *core = NULL;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512cd"))
      core = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
      core = "Haswell";
    if (core) {
      setenv("OPENBLAS_CORETYPE", core, 0);
      g_coretype_source = "chosen from the CPU's features";
    }
#endif
  } else g_coretype_source = "OPENBLAS_CORETYPE";
  const char *names[] = {"libopenblas.so.0", "libopenblas.so", "libopenblasp.so.0", NULL};
  void *h = NULL;
  for (int i = 0; names[i] && !h; i++) h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(g_load_error, sizeof g_load_error, "cannot open OpenBLAS (apt-get install libopenblas-dev): %s", dlerror());
    return;
  }
  p_sgemm = (sgemm_fn)dlsym(h, "cblas_sgemm");
  p_set_threads = (void (*)(int))dlsym(h, "openblas_set_num_threads");
  p_get_threads = (int (*)(void))dlsym(h, "openblas_get_num_threads");
  p_get_procs = (int (*)(void))dlsym(h, "openblas_get_num_procs");
  p_get_config = (char *(*)(void))dlsym(h, "openblas_get_config");
  p_get_corename = (char *(*)(void))dlsym(h, "openblas_get_corename");
  if (!p_sgemm || !p_set_threads || !p_get_threads || !p_get_procs || !p_get_config) {
    snprintf(g_load_error, sizeof g_load_error, "OpenBLAS lacks cblas_sgemm or openblas_* symbols");
    p_sgemm = NULL;
  }
}
#define cblas_sgemm p_sgemm
#define openblas_set_num_threads p_set_threads
#define openblas_get_num_threads p_get_threads
#define openblas_get_num_procs p_get_procs
#define openblas_get_config p_get_config
#endif

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
/* The sparse and elementwise loops get an AVX2+FMA clone picked at load time; the build stays portable. */
#define VEC_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VEC_CLONES
#endif

/* ---------- memory accounting (for leak tests) ---------- */

static atomic_llong g_live_bytes = 0;
static atomic_llong g_allocs = 0;
static atomic_llong g_frees = 0;

static void *counted_alloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (p) {
    atomic_fetch_add(&g_live_bytes, (long long)bytes);
    atomic_fetch_add(&g_allocs, 1);
  }
  return p;
}

static void counted_free(void *p, size_t bytes) {
  if (!p) return;
  free(p);
  atomic_fetch_sub(&g_live_bytes, (long long)bytes);
  atomic_fetch_add(&g_frees, 1);
}

/* Per-environment scratch (one per worker thread): two growable float buffers for transposed operands. */
typedef struct {
  float *buf[4];
  size_t cap[4];
} Scratch;

static float *scratch(Scratch *s, int i, size_t n) {
  if (s->cap[i] < n) {
    counted_free(s->buf[i], s->cap[i] * sizeof(float));
    s->buf[i] = (float *)counted_alloc(n * sizeof(float));
    s->cap[i] = s->buf[i] ? n : 0;
  }
  return s->buf[i];
}

static void scratch_finalize(napi_env env, void *data, void *hint) {
  Scratch *s = (Scratch *)data;
  for (int i = 0; i < 4; i++) counted_free(s->buf[i], s->cap[i] * sizeof(float));
  free(s);
}

/* ---------- argument helpers: each returns 0 and throws on failure ---------- */

#define CHECK_NAPI(call)                                                   \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, "IUNET_NATIVE", "internal N-API call failed"); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static int throwf(napi_env env, const char *fmt, const char *a) {
  char msg[256];
  snprintf(msg, sizeof msg, fmt, a);
  napi_throw_type_error(env, "IUNET_NATIVE_ARG", msg);
  return 0;
}

static int get_f32(napi_env env, napi_value v, const char *name, float **data, size_t *len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return throwf(env, "%s must be a Float32Array", name);
  napi_typedarray_type type;
  size_t length, offset;
  void *ptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &offset) != napi_ok || type != napi_float32_array)
    return throwf(env, "%s must be a Float32Array", name);
  if (offset % sizeof(float) != 0) return throwf(env, "%s is not 4-byte aligned", name);
  /* A zero-length array may report a null pointer; callers never touch it then. */
  *data = (float *)ptr;
  *len = length;
  return 1;
}

static int get_f32_opt(napi_env env, napi_value v, const char *name, float **data, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return throwf(env, "%s: bad value", name);
  if (t == napi_null || t == napi_undefined) {
    *data = NULL;
    *len = 0;
    return 1;
  }
  return get_f32(env, v, name, data, len);
}

/* A non-negative integer dimension up to 2^31-1. */
static int get_dim(napi_env env, napi_value v, const char *name, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return throwf(env, "%s must be a number", name);
  if (!(d >= 0 && d <= 2147483647.0) || d != floor(d)) return throwf(env, "%s must be an integer in [0, 2^31)", name);
  *out = (int64_t)d;
  return 1;
}

static int get_num(napi_env env, napi_value v, const char *name, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok || !isfinite(*out)) return throwf(env, "%s must be a finite number", name);
  return 1;
}

static int get_bool(napi_env env, napi_value v, const char *name, bool *out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) return throwf(env, "%s must be a boolean", name);
  return 1;
}

static int need(napi_env env, size_t have, int64_t want, const char *name) {
  if ((int64_t)have < want) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s has %zu elements, the shape needs %lld", name, have, (long long)want);
    napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", msg);
    return 0;
  }
  return 1;
}

static int overlap(const float *a, size_t na, const float *b, size_t nb) {
  if (!a || !b || !na || !nb) return 0;
  return a < b + nb && b < a + na;
}

static napi_value args_of(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < want) {
    char msg[64];
    snprintf(msg, sizeof msg, "expected %zu arguments, got %zu", want, argc);
    napi_throw_type_error(env, "IUNET_NATIVE_ARG", msg);
    return NULL;
  }
  return argv[0];
}

static napi_value undefined_of(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

/* ---------- small vector kernels ---------- */

VEC_CLONES static void bias_act_rows(float *restrict y, const float *restrict bias, int64_t rows, int64_t cols, int relu) {
  for (int64_t r = 0; r < rows; r++) {
    float *restrict row = y + r * cols;
    if (bias)
      for (int64_t c = 0; c < cols; c++) row[c] += bias[c];
    if (relu)
      for (int64_t c = 0; c < cols; c++) row[c] = row[c] > 0.f ? row[c] : 0.f;
  }
}

/*
 * out [c, r] = in [r, c]ᵀ. 16×16 tiles go through a small local tile, so every cache line is read once whole and
 * written once whole: with power-of-two strides (1 KB, 4 KB) a direct strided walk thrashes a few L1 sets.
 */
VEC_CLONES static void transpose(const float *restrict in, float *restrict out, int64_t r, int64_t c) {
  enum { T = 16 };
  float tile[T][T];
  const int64_t r16 = r - r % T, c16 = c - c % T;
  for (int64_t i0 = 0; i0 < r16; i0 += T)
    for (int64_t j0 = 0; j0 < c16; j0 += T) {
      for (int ii = 0; ii < T; ii++) memcpy(tile[ii], in + (i0 + ii) * c + j0, T * sizeof(float));
      for (int jj = 0; jj < T; jj++) {
        float *restrict o = out + (j0 + jj) * r + i0;
        for (int ii = 0; ii < T; ii++) o[ii] = tile[ii][jj];
      }
    }
  /* Ragged edges. */
  for (int64_t i = 0; i < r; i++)
    for (int64_t j = (i < r16 ? c16 : 0); j < c; j++) out[j * r + i] = in[i * c + j];
}

/* ---------- sgemm ---------- */

/*
 * sgemm(transA, transB, m, n, k, alpha, a, b, beta, c): C[m,n] = alpha·op(A)·op(B) + beta·C, row-major;
 * A is [m,k] ([k,m] when transA), B is [k,n] ([n,k] when transB).
 */
static napi_value js_sgemm(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  if (!args_of(env, info, 10, argv)) return NULL;
  bool ta, tb;
  int64_t m, n, k;
  double alpha, beta;
  float *a, *b, *c;
  size_t na, nb, nc;
  if (!get_bool(env, argv[0], "transA", &ta) || !get_bool(env, argv[1], "transB", &tb) || !get_dim(env, argv[2], "m", &m) ||
      !get_dim(env, argv[3], "n", &n) || !get_dim(env, argv[4], "k", &k) || !get_num(env, argv[5], "alpha", &alpha) ||
      !get_f32(env, argv[6], "a", &a, &na) || !get_f32(env, argv[7], "b", &b, &nb) || !get_num(env, argv[8], "beta", &beta) ||
      !get_f32(env, argv[9], "c", &c, &nc))
    return NULL;
  if (!need(env, na, m * k, "a") || !need(env, nb, k * n, "b") || !need(env, nc, m * n, "c")) return NULL;
  if (overlap(c, (size_t)(m * n), a, (size_t)(m * k)) || overlap(c, (size_t)(m * n), b, (size_t)(k * n))) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "c overlaps a or b");
    return NULL;
  }
  if (m == 0 || n == 0) return undefined_of(env);
  if (k == 0) {
    for (int64_t i = 0; i < m * n; i++) c[i] = beta == 0 ? 0.f : (float)beta * c[i];
    return undefined_of(env);
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)m, (int)n, (int)k, (float)alpha, a,
              ta ? (int)m : (int)k, b, tb ? (int)k : (int)n, (float)beta, c, (int)n);
  return undefined_of(env);
}

/* gemmBiasAct(m, n, k, a, b, bias|null, c, relu): C = act(A·B + bias), all untransposed. */
static napi_value js_gemm_bias_act(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args_of(env, info, 8, argv)) return NULL;
  int64_t m, n, k;
  float *a, *b, *bias, *c;
  size_t na, nb, nbias, nc;
  bool relu;
  if (!get_dim(env, argv[0], "m", &m) || !get_dim(env, argv[1], "n", &n) || !get_dim(env, argv[2], "k", &k) ||
      !get_f32(env, argv[3], "a", &a, &na) || !get_f32(env, argv[4], "b", &b, &nb) || !get_f32_opt(env, argv[5], "bias", &bias, &nbias) ||
      !get_f32(env, argv[6], "c", &c, &nc) || !get_bool(env, argv[7], "relu", &relu))
    return NULL;
  if (!need(env, na, m * k, "a") || !need(env, nb, k * n, "b") || !need(env, nc, m * n, "c") || (bias && !need(env, nbias, n, "bias")))
    return NULL;
  if (overlap(c, (size_t)(m * n), a, (size_t)(m * k)) || overlap(c, (size_t)(m * n), b, (size_t)(k * n))) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "c overlaps a or b");
    return NULL;
  }
  if (m == 0 || n == 0) return undefined_of(env);
  if (k == 0) memset(c, 0, (size_t)(m * n) * sizeof(float));
  else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.f, a, (int)k, b, (int)n, 0.f, c, (int)n);
  bias_act_rows(c, bias, m, n, relu);
  return undefined_of(env);
}

/* ---------- sparse pattern of a 0/1 mask (opaque, built once) ---------- */

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

static void pattern_release(Pattern *p) {
  if (p->freed) return;
  p->freed = 1;
  counted_free(p->row_ptr, (size_t)(p->rows + 1) * 4);
  counted_free(p->col_idx, (size_t)p->nnz * 4);
  counted_free(p->col_ptr, (size_t)(p->cols + 1) * 4);
  counted_free(p->row_idx, (size_t)p->nnz * 4);
  counted_free(p->csr_to_csc, (size_t)p->nnz * 4);
}

static void pattern_finalize(napi_env env, void *data, void *hint) {
  Pattern *p = (Pattern *)data;
  pattern_release(p);
  free(p);
}

static napi_type_tag PATTERN_TAG = {0x69756e6574706174ULL, 0x7465726e00000001ULL};

static Pattern *get_pattern(napi_env env, napi_value v) {
  bool ok = false;
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_external || napi_check_object_type_tag(env, v, &PATTERN_TAG, &ok) != napi_ok || !ok) {
    napi_throw_type_error(env, "IUNET_NATIVE_ARG", "pattern must come from sparsePattern()");
    return NULL;
  }
  void *data;
  if (napi_get_value_external(env, v, &data) != napi_ok) return NULL;
  Pattern *p = (Pattern *)data;
  if (p->freed) {
    napi_throw_error(env, "IUNET_NATIVE_FREED", "sparse pattern was already freed");
    return NULL;
  }
  return p;
}

/* sparsePattern(mask, rows, cols) -> external handle: CSR and CSC of the nonzeros of a [rows, cols] mask. */
static napi_value js_sparse_pattern(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args_of(env, info, 3, argv)) return NULL;
  float *mask;
  size_t nmask;
  int64_t rows, cols;
  if (!get_f32(env, argv[0], "mask", &mask, &nmask) || !get_dim(env, argv[1], "rows", &rows) || !get_dim(env, argv[2], "cols", &cols)) return NULL;
  if (!need(env, nmask, rows * cols, "mask")) return NULL;
  if (rows * cols > 2147483647LL) {
    napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", "mask too large");
    return NULL;
  }
  int64_t nnz = 0;
  for (int64_t i = 0; i < rows * cols; i++) nnz += mask[i] != 0.f;
  Pattern *p = (Pattern *)calloc(1, sizeof(Pattern));
  if (!p) {
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory");
    return NULL;
  }
  p->rows = rows;
  p->cols = cols;
  p->nnz = nnz;
  p->row_ptr = (int32_t *)counted_alloc((size_t)(rows + 1) * 4);
  p->col_idx = (int32_t *)counted_alloc((size_t)nnz * 4);
  p->col_ptr = (int32_t *)counted_alloc((size_t)(cols + 1) * 4);
  p->row_idx = (int32_t *)counted_alloc((size_t)nnz * 4);
  p->csr_to_csc = (int32_t *)counted_alloc((size_t)nnz * 4);
  if (!p->row_ptr || !p->col_idx || !p->col_ptr || !p->row_idx || !p->csr_to_csc) {
    pattern_release(p);
    free(p);
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory");
    return NULL;
  }
  int64_t q = 0;
  memset(p->col_ptr, 0, (size_t)(cols + 1) * 4);
  for (int64_t i = 0; i < rows; i++) {
    p->row_ptr[i] = (int32_t)q;
    for (int64_t j = 0; j < cols; j++)
      if (mask[i * cols + j] != 0.f) {
        p->col_idx[q++] = (int32_t)j;
        p->col_ptr[j + 1]++;
      }
  }
  p->row_ptr[rows] = (int32_t)q;
  for (int64_t j = 0; j < cols; j++) p->col_ptr[j + 1] += p->col_ptr[j];
  /* CSC rows in increasing order: walk CSR row by row. */
  int32_t *fill = (int32_t *)malloc((size_t)(cols > 0 ? cols : 1) * 4);
  if (!fill) {
    pattern_release(p);
    free(p);
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory");
    return NULL;
  }
  memcpy(fill, p->col_ptr, (size_t)cols * 4);
  for (int64_t i = 0; i < rows; i++)
    for (int32_t e = p->row_ptr[i]; e < p->row_ptr[i + 1]; e++) {
      const int32_t q2 = fill[p->col_idx[e]]++;
      p->row_idx[q2] = (int32_t)i;
      p->csr_to_csc[e] = q2;
    }
  free(fill);
  napi_value ext;
  if (napi_create_external(env, p, pattern_finalize, NULL, &ext) != napi_ok || napi_type_tag_object(env, ext, &PATTERN_TAG) != napi_ok) {
    pattern_release(p);
    free(p);
    napi_throw_error(env, "IUNET_NATIVE", "could not create the pattern handle");
    return NULL;
  }
  return ext;
}

/* freePattern(p): releases the index arrays now (the handle's finalizer would do it at GC). */
static napi_value js_free_pattern(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args_of(env, info, 1, argv)) return NULL;
  Pattern *p = get_pattern(env, argv[0]);
  if (!p) return NULL;
  pattern_release(p);
  return undefined_of(env);
}

static napi_value js_pattern_nnz(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (!args_of(env, info, 1, argv)) return NULL;
  Pattern *p = get_pattern(env, argv[0]);
  if (!p) return NULL;
  napi_create_double(env, (double)p->nnz, &out);
  return out;
}

static inline float dot(const float *restrict x, const float *restrict y, int64_t n) {
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (int64_t b = 0; b < n; b++) s += x[b] * y[b];
  return s;
}

/*
 * Threads for the sparse kernels: the BLAS thread count (the pool sets it to cores ÷ busy workers), only for calls
 * big enough to pay for starting threads (~50 µs). Threads are started per call and joined, never left spinning:
 * OpenMP's spin-waiting teams next to OpenBLAS' own threads made a loaded 2-core machine 10x slower.
 */
static int kernel_threads(int64_t parts, double work) {
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
static void parallel_ranges(int nt, int64_t n, void (*fn)(void *, int64_t, int64_t), void *ctx) {
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

/* wc[csc position of e] = W at CSR entry e: W is read row by row (streaming), wc written within L2. */
static void gather_csc(const Pattern *p, const float *restrict w, float *restrict wc) {
  const int64_t rows = p->rows, cols = p->cols;
  const int32_t *restrict rp = p->row_ptr, *restrict ci = p->col_idx, *restrict perm = p->csr_to_csc;
  for (int64_t i = 0; i < rows; i++) {
    const float *restrict wrow = w + i * cols;
    for (int32_t e = rp[i]; e < rp[i + 1]; e++) wc[perm[e]] = wrow[ci[e]];
  }
}

/* dW[i, j] = Xt[i, :] · dZt[j, :] at kept (i, j) only (SDDMM); dW is zero elsewhere. */
VEC_CLONES static void sddmm_rows(const Pattern *p, const float *restrict xt, const float *restrict dzt, float *restrict dw, int64_t batch,
                                  int64_t i0, int64_t i1) {
  const int64_t cols = p->cols;
  const int32_t *restrict rp = p->row_ptr, *restrict ci = p->col_idx;
  memset(dw + i0 * cols, 0, (size_t)((i1 - i0) * cols) * sizeof(float));
  for (int64_t i = i0; i < i1; i++) {
    const float *restrict xi = xt + i * batch;
    float *restrict dwrow = dw + i * cols;
    const int32_t e1 = rp[i + 1];
    int32_t e = rp[i];
    for (; e + 4 <= e1; e += 4) {
      const float *restrict d0 = dzt + (int64_t)ci[e] * batch, *restrict d1 = dzt + (int64_t)ci[e + 1] * batch;
      const float *restrict d2 = dzt + (int64_t)ci[e + 2] * batch, *restrict d3 = dzt + (int64_t)ci[e + 3] * batch;
      float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
#pragma omp simd reduction(+ : s0, s1, s2, s3)
      for (int64_t b = 0; b < batch; b++) {
        const float xb = xi[b];
        s0 += xb * d0[b];
        s1 += xb * d1[b];
        s2 += xb * d2[b];
        s3 += xb * d3[b];
      }
      dwrow[ci[e]] = s0;
      dwrow[ci[e + 1]] = s1;
      dwrow[ci[e + 2]] = s2;
      dwrow[ci[e + 3]] = s3;
    }
    for (; e < e1; e++) dwrow[ci[e]] = dot(xi, dzt + (int64_t)ci[e] * batch, batch);
  }
}

typedef struct {
  const Pattern *p;
  const float *xt, *dzt;
  float *dw;
  int64_t batch;
} SddmmJob;

static void sddmm_range(void *arg, int64_t i0, int64_t i1) {
  SddmmJob *j = (SddmmJob *)arg;
  sddmm_rows(j->p, j->xt, j->dzt, j->dw, j->batch, i0, i1);
}

/* dW rows split over threads (each row summed by one thread, in one order: bit-identical for any count). */
static void sddmm_dw(const Pattern *p, const float *xt, const float *dzt, float *dw, int64_t batch) {
  SddmmJob job = {p, xt, dzt, dw, batch};
  parallel_ranges(kernel_threads(p->rows, (double)p->nnz * (double)batch), p->rows, sddmm_range, &job);
}

/*
 * Register-blocked SpMM over batch tiles of TB samples (the forward pass and dX). One call computes, for a tile,
 * out[o, :] = Σ_{e in ptr[o]..ptr[o+1]} val[e] · in[idx[e], :] where in and out are [n, TB] (the tile's samples
 * side by side): each output row's TB sums stay in registers over all its nonzeros, so a nonzero costs one load
 * of TB floats from the packed tile (L1/L2) and TB FMAs, and the output is stored once. Two interleaved partial
 * sums hide the FMA latency. Every output element is summed in the same order whatever the tiling of the batch
 * or the thread count, so results are bit-identical for any number of threads.
 */
#define TB 16
typedef float v8f __attribute__((vector_size(32), aligned(4)));

VEC_CLONES static void spmm_tile(const int32_t *restrict ptr, const int32_t *restrict idx, const float *restrict val, int64_t nout,
                                 const float *restrict in, float *restrict out) {
  for (int64_t o = 0; o < nout; o++) {
    v8f a0 = {0}, a1 = {0}, b0 = {0}, b1 = {0};
    const int32_t e1 = ptr[o + 1];
    int32_t e = ptr[o];
    for (; e + 2 <= e1; e += 2) {
      const v8f *x0 = (const v8f *)(in + (int64_t)idx[e] * TB), *x1 = (const v8f *)(in + (int64_t)idx[e + 1] * TB);
      const float w0 = val[e], w1 = val[e + 1];
      a0 += w0 * x0[0];
      a1 += w0 * x0[1];
      b0 += w1 * x1[0];
      b1 += w1 * x1[1];
    }
    if (e < e1) {
      const v8f *x0 = (const v8f *)(in + (int64_t)idx[e] * TB);
      a0 += val[e] * x0[0];
      a1 += val[e] * x0[1];
    }
    v8f *y = (v8f *)(out + o * TB);
    y[0] = a0 + b0;
    y[1] = a1 + b1;
  }
}

/* tile[i, bb] = src[(b0 + bb), i] for bb < nb (zero for the padding lanes): a [nb, n] block of rows, transposed. */
VEC_CLONES static void pack_tile(const float *restrict src, int64_t n, int64_t b0, int64_t nb, float *restrict tile) {
  /* Tile rows written in order, the nb source rows read as nb sequential streams (stores stay within L1). */
  const float *restrict base = src + b0 * n;
  if (nb == TB) {
    for (int64_t i = 0; i < n; i++)
      for (int bb = 0; bb < TB; bb++) tile[i * TB + bb] = base[bb * n + i];
    return;
  }
  for (int64_t i = 0; i < n; i++) {
    for (int64_t bb = 0; bb < nb; bb++) tile[i * TB + bb] = base[bb * n + i];
    for (int64_t bb = nb; bb < TB; bb++) tile[i * TB + bb] = 0.f;
  }
}

/* dst[(b0 + bb), o] = act(tile[o, bb] + bias[o]) for bb < nb. */
VEC_CLONES static void unpack_tile(const float *restrict tile, int64_t n, int64_t b0, int64_t nb, const float *restrict bias, int relu,
                                   float *restrict dst) {
  /* 16 outputs at a time: a 1 KB block of the tile (in L1) becomes one whole cache line of each destination row
     (writing the rows as nb streams 4 KB apart thrashes a few L1 sets). */
  float *restrict base = dst + b0 * n;
  int64_t o0 = 0;
  for (; o0 + 16 <= n; o0 += 16)
    for (int64_t bb = 0; bb < nb; bb++) {
      float *restrict row = base + bb * n + o0;
      for (int oo = 0; oo < 16; oo++) {
        const float v = tile[(o0 + oo) * TB + bb] + (bias ? bias[o0 + oo] : 0.f);
        row[oo] = relu ? (v > 0.f ? v : 0.f) : v;
      }
    }
  for (int64_t bb = 0; bb < nb; bb++)
    for (int64_t o = o0; o < n; o++) {
      const float v = tile[o * TB + bb] + (bias ? bias[o] : 0.f);
      base[bb * n + o] = relu ? (v > 0.f ? v : 0.f) : v;
    }
}

/*
 * dst[batch, nout] = act(src[batch, nin] · S + bias) where S is given by ptr/idx/val grouped by output (CSC of W for
 * the forward pass, CSR of W for dX = dZ·Wᵀ). Batch tiles are spread over threads. Returns 0 when out of memory.
 */
typedef struct {
  const int32_t *ptr, *idx;
  const float *val, *src, *bias;
  int64_t nin, nout, batch;
  int relu, failed;
  float *dst;
} SpmmJob;

static void spmm_range(void *arg, int64_t t0, int64_t t1) {
  SpmmJob *j = (SpmmJob *)arg;
  float *in = NULL, *out = NULL;
  if (posix_memalign((void **)&in, 64, (size_t)(j->nin * TB) * sizeof(float) + 64) != 0) in = NULL;
  if (posix_memalign((void **)&out, 64, (size_t)(j->nout * TB) * sizeof(float) + 64) != 0) out = NULL;
  if (!in || !out) j->failed = 1; /* a benign race: any writer stores 1 */
  else
    for (int64_t t = t0; t < t1; t++) {
      const int64_t b0 = t * TB, nb = j->batch - b0 < TB ? j->batch - b0 : TB;
      pack_tile(j->src, j->nin, b0, nb, in);
      spmm_tile(j->ptr, j->idx, j->val, j->nout, in, out);
      unpack_tile(out, j->nout, b0, nb, j->bias, j->relu, j->dst);
    }
  free(in);
  free(out);
}

static int spmm_rows(const int32_t *ptr, const int32_t *idx, const float *val, int64_t nin, int64_t nout, const float *src,
                     int64_t batch, const float *bias, int relu, float *dst) {
  const int64_t tiles = (batch + TB - 1) / TB;
  SpmmJob job = {ptr, idx, val, src, bias, nin, nout, batch, relu, 0, dst};
  parallel_ranges(kernel_threads(tiles, (double)ptr[nout] * (double)batch), tiles, spmm_range, &job);
  return !job.failed;
}

/* wr[e] = W at CSR entry e. */
static void gather_csr(const Pattern *p, const float *restrict w, float *restrict wr) {
  const int64_t rows = p->rows, cols = p->cols;
  const int32_t *restrict rp = p->row_ptr, *restrict ci = p->col_idx;
  for (int64_t i = 0; i < rows; i++) {
    const float *restrict wrow = w + i * cols;
    for (int32_t e = rp[i]; e < rp[i + 1]; e++) wr[e] = wrow[ci[e]];
  }
}

VEC_CLONES static void col_sums(const float *restrict v, int64_t rows, int64_t cols, float *restrict out) {
  memset(out, 0, (size_t)cols * sizeof(float));
  for (int64_t r = 0; r < rows; r++) {
    const float *restrict row = v + r * cols;
    for (int64_t c = 0; c < cols; c++) out[c] += row[c];
  }
}

/* spmmForward(pattern, batch, x, w, bias|null, y, relu): Y = act(X·(W restricted to the pattern) + bias). */
static napi_value js_spmm_forward(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args_of(env, info, 7, argv)) return NULL;
  Pattern *p = get_pattern(env, argv[0]);
  if (!p) return NULL;
  int64_t batch;
  float *x, *w, *bias, *y;
  size_t nx, nw, nbias, ny;
  bool relu;
  if (!get_dim(env, argv[1], "batch", &batch) || !get_f32(env, argv[2], "x", &x, &nx) || !get_f32(env, argv[3], "w", &w, &nw) ||
      !get_f32_opt(env, argv[4], "bias", &bias, &nbias) || !get_f32(env, argv[5], "y", &y, &ny) || !get_bool(env, argv[6], "relu", &relu))
    return NULL;
  if (!need(env, nx, batch * p->rows, "x") || !need(env, nw, p->rows * p->cols, "w") || !need(env, ny, batch * p->cols, "y") ||
      (bias && !need(env, nbias, p->cols, "bias")))
    return NULL;
  if (batch == 0) return undefined_of(env);
  Scratch *s;
  if (napi_get_instance_data(env, (void **)&s) != napi_ok || !s) return NULL;
  float *wc = scratch(s, 2, (size_t)(p->nnz > 0 ? p->nnz : 1));
  if (!wc) {
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory");
    return NULL;
  }
  gather_csc(p, w, wc);
  if (!spmm_rows(p->col_ptr, p->row_idx, wc, p->rows, p->cols, x, batch, bias, relu, y)) {
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory");
    return NULL;
  }
  return undefined_of(env);
}

/*
 * spmmBackward(pattern, batch, x, w, dz, dw, dx|null): dW = (Xᵀ·dZ) at kept positions (0 elsewhere),
 * dX = dZ·(W restricted to the pattern)ᵀ when dx is given.
 */
static napi_value js_spmm_backward(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args_of(env, info, 7, argv)) return NULL;
  Pattern *p = get_pattern(env, argv[0]);
  if (!p) return NULL;
  int64_t batch;
  float *x, *w, *dz, *dw, *dx;
  size_t nx, nw, ndz, ndw, ndx;
  if (!get_dim(env, argv[1], "batch", &batch) || !get_f32(env, argv[2], "x", &x, &nx) || !get_f32(env, argv[3], "w", &w, &nw) ||
      !get_f32(env, argv[4], "dz", &dz, &ndz) || !get_f32(env, argv[5], "dw", &dw, &ndw) || !get_f32_opt(env, argv[6], "dx", &dx, &ndx))
    return NULL;
  if (!need(env, nx, batch * p->rows, "x") || !need(env, nw, p->rows * p->cols, "w") || !need(env, ndz, batch * p->cols, "dz") ||
      !need(env, ndw, p->rows * p->cols, "dw") || (dx && !need(env, ndx, batch * p->rows, "dx")))
    return NULL;
  Scratch *s;
  if (napi_get_instance_data(env, (void **)&s) != napi_ok || !s) return NULL;
  float *xt = scratch(s, 0, (size_t)(batch * p->rows)), *dzt = scratch(s, 1, (size_t)(batch * p->cols));
  float *wr = dx ? scratch(s, 3, (size_t)(p->nnz > 0 ? p->nnz : 1)) : NULL;
  if (!xt || !dzt || (dx && !wr)) {
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory");
    return NULL;
  }
  transpose(x, xt, batch, p->rows);
  transpose(dz, dzt, batch, p->cols);
  sddmm_dw(p, xt, dzt, dw, batch);
  if (dx) {
    gather_csr(p, w, wr);
    if (!spmm_rows(p->row_ptr, p->col_idx, wr, p->cols, p->rows, dz, batch, NULL, 0, dx)) {
      napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory");
      return NULL;
    }
  }
  return undefined_of(env);
}

/* colSums(v, rows, cols, out) */
static napi_value js_col_sums(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args_of(env, info, 4, argv)) return NULL;
  float *v, *out;
  size_t nv, nout;
  int64_t rows, cols;
  if (!get_f32(env, argv[0], "v", &v, &nv) || !get_dim(env, argv[1], "rows", &rows) || !get_dim(env, argv[2], "cols", &cols) ||
      !get_f32(env, argv[3], "out", &out, &nout))
    return NULL;
  if (!need(env, nv, rows * cols, "v") || !need(env, nout, cols, "out")) return NULL;
  col_sums(v, rows, cols, out);
  return undefined_of(env);
}

/* ---------- elementwise: masked multiply and the AdamW update ---------- */

VEC_CLONES static void mul_into(const float *restrict a, const float *restrict b, float *restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = a[i] * b[i];
}

/* mulInto(a, b, out): out = a ⊙ b (same lengths). */
static napi_value js_mul_into(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args_of(env, info, 3, argv)) return NULL;
  float *a, *b, *out;
  size_t na, nb, nout;
  if (!get_f32(env, argv[0], "a", &a, &na) || !get_f32(env, argv[1], "b", &b, &nb) || !get_f32(env, argv[2], "out", &out, &nout)) return NULL;
  if (!need(env, nb, (int64_t)na, "b") || !need(env, nout, (int64_t)na, "out")) return NULL;
  mul_into(a, b, out, (int64_t)na);
  return undefined_of(env);
}

VEC_CLONES static void adamw_kernel(const float *restrict w, const float *restrict g, float *restrict m, float *restrict v, const float *restrict k,
                                    float *restrict out, int64_t n, float b1, float b2, float alpha, float eps_hat, float decay) {
  const float c1 = 1.f - b1, c2 = 1.f - b2;
  if (k) {
    for (int64_t i = 0; i < n; i++) {
      const float gi = g[i] * k[i];
      const float mi = b1 * m[i] + c1 * gi;
      const float vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      out[i] = (w[i] * decay - (alpha * mi) / (sqrtf(vi) + eps_hat)) * k[i];
    }
  } else {
    for (int64_t i = 0; i < n; i++) {
      const float gi = g[i];
      const float mi = b1 * m[i] + c1 * gi;
      const float vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      out[i] = w[i] * decay - (alpha * mi) / (sqrtf(vi) + eps_hat);
    }
  }
}

/*
 * adamw(w, g, m, v, mask|null, out, beta1, beta2, alpha, epsHat, decay): one AdamW step (the optimizer's fused
 * formulation: alpha = lr·sqrt(bc2)/bc1, epsHat = eps·sqrt(bc2)); m and v in place, the new weight into out.
 */
static napi_value js_adamw(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!args_of(env, info, 11, argv)) return NULL;
  float *w, *g, *m, *v, *k, *out;
  size_t nw, ng, nm, nv, nk, nout;
  double b1, b2, alpha, eps_hat, decay;
  if (!get_f32(env, argv[0], "w", &w, &nw) || !get_f32(env, argv[1], "g", &g, &ng) || !get_f32(env, argv[2], "m", &m, &nm) ||
      !get_f32(env, argv[3], "v", &v, &nv) || !get_f32_opt(env, argv[4], "mask", &k, &nk) || !get_f32(env, argv[5], "out", &out, &nout) ||
      !get_num(env, argv[6], "beta1", &b1) || !get_num(env, argv[7], "beta2", &b2) || !get_num(env, argv[8], "alpha", &alpha) ||
      !get_num(env, argv[9], "epsHat", &eps_hat) || !get_num(env, argv[10], "decay", &decay))
    return NULL;
  const int64_t n = (int64_t)nw;
  if (!need(env, ng, n, "g") || !need(env, nm, n, "m") || !need(env, nv, n, "v") || (k && !need(env, nk, n, "mask")) || !need(env, nout, n, "out"))
    return NULL;
  if (overlap(out, (size_t)n, m, (size_t)n) || overlap(out, (size_t)n, v, (size_t)n) || overlap(m, (size_t)n, v, (size_t)n)) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "out, m and v must not overlap");
    return NULL;
  }
  const FpState fp = denormals_off();
  adamw_kernel(w, g, m, v, k, out, n, (float)b1, (float)b2, (float)alpha, (float)eps_hat, (float)decay);
  denormals_restore(fp);
  return undefined_of(env);
}

/*
 * adamwSparse(pattern, w, g, m, v, out, beta1, beta2, alpha, epsHat, decay): AdamW for a weight kept masked to the
 * pattern (W ⊙ M = W: setMask, setWeights and every update re-apply the mask): only the kept positions are read and
 * updated, out is 0 elsewhere. The same arithmetic as adamw() with its mask, so the kept weights come out
 * bit-identical; m and v are left untouched at pruned positions (the masked update only decays them there, and
 * they never reach a weight: masks only shrink while an optimizer lives).
 */
VEC_CLONES static void adamw_sparse_kernel(const Pattern *p, const float *restrict w, const float *restrict g, float *restrict m,
                                           float *restrict v, float *restrict out, float b1, float b2, float alpha, float eps_hat,
                                           float decay) {
  const float c1 = 1.f - b1, c2 = 1.f - b2;
  const int64_t rows = p->rows, cols = p->cols;
  const int32_t *restrict rp = p->row_ptr, *restrict ci = p->col_idx;
  memset(out, 0, (size_t)(rows * cols) * sizeof(float));
  for (int64_t i = 0; i < rows; i++) {
    const int64_t base = i * cols;
    for (int32_t e = rp[i]; e < rp[i + 1]; e++) {
      const int64_t k = base + ci[e];
      const float gi = g[k] * 1.f;
      const float mi = b1 * m[k] + c1 * gi;
      const float vi = b2 * v[k] + c2 * gi * gi;
      m[k] = mi;
      v[k] = vi;
      out[k] = (w[k] * decay - (alpha * mi) / (sqrtf(vi) + eps_hat)) * 1.f;
    }
  }
}

static napi_value js_adamw_sparse(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!args_of(env, info, 11, argv)) return NULL;
  Pattern *p = get_pattern(env, argv[0]);
  if (!p) return NULL;
  float *w, *g, *m, *v, *out;
  size_t nw, ng, nm, nv, nout;
  double b1, b2, alpha, eps_hat, decay;
  if (!get_f32(env, argv[1], "w", &w, &nw) || !get_f32(env, argv[2], "g", &g, &ng) || !get_f32(env, argv[3], "m", &m, &nm) ||
      !get_f32(env, argv[4], "v", &v, &nv) || !get_f32(env, argv[5], "out", &out, &nout) || !get_num(env, argv[6], "beta1", &b1) ||
      !get_num(env, argv[7], "beta2", &b2) || !get_num(env, argv[8], "alpha", &alpha) || !get_num(env, argv[9], "epsHat", &eps_hat) ||
      !get_num(env, argv[10], "decay", &decay))
    return NULL;
  const int64_t n = p->rows * p->cols;
  if (!need(env, nw, n, "w") || !need(env, ng, n, "g") || !need(env, nm, n, "m") || !need(env, nv, n, "v") || !need(env, nout, n, "out"))
    return NULL;
  if (overlap(out, (size_t)n, m, (size_t)n) || overlap(out, (size_t)n, v, (size_t)n) || overlap(m, (size_t)n, v, (size_t)n) ||
      overlap(out, (size_t)n, w, (size_t)n) || overlap(out, (size_t)n, g, (size_t)n)) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "out, w, g, m and v must not overlap");
    return NULL;
  }
  const FpState fp = denormals_off();
  adamw_sparse_kernel(p, w, g, m, v, out, (float)b1, (float)b2, (float)alpha, (float)eps_hat, (float)decay);
  denormals_restore(fp);
  return undefined_of(env);
}

VEC_CLONES static void relu_backward(const float *restrict dy, const float *restrict y, float *restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = y[i] > 0.f ? dy[i] : 0.f;
}

/* reluBackward(dy, y, out): out = dy where y > 0, else 0 (same lengths). */
static napi_value js_relu_backward(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args_of(env, info, 3, argv)) return NULL;
  float *dy, *y, *out;
  size_t ndy, ny, nout;
  if (!get_f32(env, argv[0], "dy", &dy, &ndy) || !get_f32(env, argv[1], "y", &y, &ny) || !get_f32(env, argv[2], "out", &out, &nout)) return NULL;
  if (!need(env, ny, (int64_t)ndy, "y") || !need(env, nout, (int64_t)ndy, "out")) return NULL;
  relu_backward(dy, y, out, (int64_t)ndy);
  return undefined_of(env);
}

/* ---------- convolution data movement (NHWC, 'same' padding, stride 1, odd k) ---------- */

/* out[(n,i,j), (dy,dx,ch)] = x[n, i+dy-p, j+dx-p, ch], 0 outside the map. */
static void im2col_kernel(const float *restrict x, int64_t b, int64_t h, int64_t w, int64_t c, int64_t k, float *restrict out) {
  const int64_t p = (k - 1) / 2;
  float *o = out;
  for (int64_t n = 0; n < b; n++) {
    const float *base = x + n * h * w * c;
    for (int64_t i = 0; i < h; i++)
      for (int64_t j = 0; j < w; j++)
        for (int64_t dy = 0; dy < k; dy++) {
          const int64_t yi = i + dy - p;
          if (yi < 0 || yi >= h) {
            memset(o, 0, (size_t)(k * c) * sizeof(float));
            o += k * c;
            continue;
          }
          /* The columns dx whose xj = j + dx - p lies inside the row: one contiguous run of the source row. */
          const int64_t dx0 = p - j > 0 ? p - j : 0, dx1 = w + p - j < k ? w + p - j : k;
          if (dx0 > 0) memset(o, 0, (size_t)(dx0 * c) * sizeof(float));
          if (dx1 > dx0) memcpy(o + dx0 * c, base + (yi * w + j + dx0 - p) * c, (size_t)((dx1 - dx0) * c) * sizeof(float));
          if (dx1 < k) memset(o + dx1 * c, 0, (size_t)((k - dx1) * c) * sizeof(float));
          o += k * c;
        }
  }
}

/* The adjoint: out[n, yi, xj, ch] += cols[(n,i,j), (dy,dx,ch)], in im2col's order (so sums are order-identical to the JS). */
VEC_CLONES static void col2im_kernel(const float *restrict cols, int64_t b, int64_t h, int64_t w, int64_t c, int64_t k, float *restrict out) {
  const int64_t p = (k - 1) / 2;
  const float *o = cols;
  for (int64_t n = 0; n < b; n++) {
    float *base = out + n * h * w * c;
    for (int64_t i = 0; i < h; i++)
      for (int64_t j = 0; j < w; j++)
        for (int64_t dy = 0; dy < k; dy++) {
          const int64_t yi = i + dy - p;
          if (yi < 0 || yi >= h) {
            o += k * c;
            continue;
          }
          for (int64_t dx = 0; dx < k; dx++, o += c) {
            const int64_t xj = j + dx - p;
            if (xj < 0 || xj >= w) continue;
            float *restrict d = base + (yi * w + xj) * c;
            for (int64_t ch = 0; ch < c; ch++) d[ch] += o[ch];
          }
        }
  }
}

/* Shared argument check of im2col/col2im: (src, b, h, w, c, k, dst); returns 0 after throwing. */
static int conv_args(napi_env env, napi_value *argv, int to_cols, float **src, float **dst, int64_t *d) {
  size_t nsrc, ndst;
  if (!get_f32(env, argv[0], to_cols ? "x" : "cols", src, &nsrc) || !get_dim(env, argv[1], "b", &d[0]) || !get_dim(env, argv[2], "h", &d[1]) ||
      !get_dim(env, argv[3], "w", &d[2]) || !get_dim(env, argv[4], "c", &d[3]) || !get_dim(env, argv[5], "k", &d[4]) ||
      !get_f32(env, argv[6], "out", dst, &ndst))
    return 0;
  if (d[4] < 1 || d[4] % 2 == 0 || d[4] > 63) return throwf(env, "%s must be an odd kernel size in [1, 63]", "k");
  const double px = (double)d[0] * (double)d[1] * (double)d[2] * (double)d[3];
  if (px * (double)(d[4] * d[4]) > 2147483647.0) {
    napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", "map too large");
    return 0;
  }
  const int64_t map = d[0] * d[1] * d[2] * d[3], patches = map * d[4] * d[4];
  if (!need(env, nsrc, to_cols ? map : patches, to_cols ? "x" : "cols") || !need(env, ndst, to_cols ? patches : map, "out")) return 0;
  if (overlap(*src, (size_t)(to_cols ? map : patches), *dst, (size_t)(to_cols ? patches : map))) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "out overlaps the input");
    return 0;
  }
  return 1;
}

/* im2col(x, b, h, w, c, k, out): every element of out is written. */
static napi_value js_im2col(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args_of(env, info, 7, argv)) return NULL;
  float *x, *out;
  int64_t d[5];
  if (!conv_args(env, argv, 1, &x, &out, d)) return NULL;
  im2col_kernel(x, d[0], d[1], d[2], d[3], d[4], out);
  return undefined_of(env);
}

/* col2im(cols, b, h, w, c, k, out): accumulated into out (zero it first for a plain adjoint). */
static napi_value js_col2im(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args_of(env, info, 7, argv)) return NULL;
  float *cols, *out;
  int64_t d[5];
  if (!conv_args(env, argv, 0, &cols, &out, d)) return NULL;
  col2im_kernel(cols, d[0], d[1], d[2], d[3], d[4], out);
  return undefined_of(env);
}

/* ---------- 2×2 max pooling (NHWC, stride 2, 'valid') ---------- */

static int get_i32(napi_env env, napi_value v, const char *name, int32_t **data, size_t *len) {
  bool is_ta = false;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta) return throwf(env, "%s must be an Int32Array", name);
  napi_typedarray_type type;
  size_t length, offset;
  void *ptr;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, &ptr, &ab, &offset) != napi_ok || type != napi_int32_array)
    return throwf(env, "%s must be an Int32Array", name);
  *data = (int32_t *)ptr;
  *len = length;
  return 1;
}

/* y[n,i,j,ch] = max of the 2×2 window, argmax its flat input index (the first maximum; a NaN wins, like tf). */
static void max_pool2_kernel(const float *restrict x, int64_t b, int64_t h, int64_t w, int64_t c, float *restrict y, int32_t *restrict am) {
  const int64_t ho = h / 2, wo = w / 2, row = w * c;
  int64_t o = 0;
  for (int64_t n = 0; n < b; n++)
    for (int64_t i = 0; i < ho; i++)
      for (int64_t j = 0; j < wo; j++) {
        const int64_t p00 = ((n * h + 2 * i) * w + 2 * j) * c;
        for (int64_t ch = 0; ch < c; ch++, o++) {
          int64_t at = p00 + ch;
          float best = x[at];
          const int64_t i01 = at + c, i10 = at + row, i11 = i10 + c;
          if (!(x[i01] <= best)) best = x[at = i01];
          if (!(x[i10] <= best)) best = x[at = i10];
          if (!(x[i11] <= best)) best = x[at = i11];
          y[o] = best;
          am[o] = (int32_t)at;
        }
      }
}

/* maxPool2(x, b, h, w, c, y, argmax) */
static napi_value js_max_pool2(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args_of(env, info, 7, argv)) return NULL;
  float *x, *y;
  int32_t *am;
  size_t nx, ny, nam;
  int64_t b, h, w, c;
  if (!get_f32(env, argv[0], "x", &x, &nx) || !get_dim(env, argv[1], "b", &b) || !get_dim(env, argv[2], "h", &h) || !get_dim(env, argv[3], "w", &w) ||
      !get_dim(env, argv[4], "c", &c) || !get_f32(env, argv[5], "y", &y, &ny) || !get_i32(env, argv[6], "argmax", &am, &nam))
    return NULL;
  if ((double)b * (double)h * (double)w * (double)c > 2147483647.0) {
    napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", "map too large");
    return NULL;
  }
  const int64_t outs = b * (h / 2) * (w / 2) * c;
  if (!need(env, nx, b * h * w * c, "x") || !need(env, ny, outs, "y") || !need(env, nam, outs, "argmax")) return NULL;
  if (overlap(x, (size_t)(b * h * w * c), y, (size_t)outs)) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "y overlaps x");
    return NULL;
  }
  max_pool2_kernel(x, b, h, w, c, y, am);
  return undefined_of(env);
}

/* maxPoolBackward(dy, argmax, dx): dx[argmax[o]] += dy[o]; every index is checked against dx. */
static napi_value js_max_pool_backward(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args_of(env, info, 3, argv)) return NULL;
  float *dy, *dx;
  int32_t *am;
  size_t ndy, nam, ndx;
  if (!get_f32(env, argv[0], "dy", &dy, &ndy) || !get_i32(env, argv[1], "argmax", &am, &nam) || !get_f32(env, argv[2], "dx", &dx, &ndx)) return NULL;
  if (!need(env, nam, (int64_t)ndy, "argmax")) return NULL;
  for (size_t o = 0; o < ndy; o++)
    if (am[o] < 0 || (size_t)am[o] >= ndx) {
      napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", "argmax index outside dx");
      return NULL;
    }
  for (size_t o = 0; o < ndy; o++) dx[am[o]] += dy[o];
  return undefined_of(env);
}

/* ---------- library info, threads, counters ---------- */

static napi_value js_info(napi_env env, napi_callback_info info) {
  napi_value obj, v;
  CHECK_NAPI(napi_create_object(env, &obj));
  CHECK_NAPI(napi_create_string_utf8(env, LIBRARY_NAME, NAPI_AUTO_LENGTH, &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "library", v));
#if defined(IUNET_ACCELERATE)
  CHECK_NAPI(napi_create_string_utf8(env, "Accelerate", NAPI_AUTO_LENGTH, &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "config", v));
  CHECK_NAPI(napi_create_int32(env, 0, &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "threads", v));
  CHECK_NAPI(napi_set_named_property(env, obj, "cores", v));
#else
  const char *cfg = openblas_get_config();
  CHECK_NAPI(napi_create_string_utf8(env, cfg ? cfg : "", NAPI_AUTO_LENGTH, &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "config", v));
  CHECK_NAPI(napi_create_int32(env, openblas_get_num_threads(), &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "threads", v));
  CHECK_NAPI(napi_create_int32(env, openblas_get_num_procs(), &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "cores", v));
  const char *core = p_get_corename ? p_get_corename() : NULL;
  CHECK_NAPI(napi_create_string_utf8(env, core ? core : "", NAPI_AUTO_LENGTH, &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "kernels", v));
  CHECK_NAPI(napi_create_string_utf8(env, g_coretype_source, NAPI_AUTO_LENGTH, &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "kernelsSource", v));
#endif
  return obj;
}

/* setThreads(n): BLAS threads for the whole process (OpenBLAS' setting is process-wide). Returns the new count. */
static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (!args_of(env, info, 1, argv)) return NULL;
  int64_t n;
  if (!get_dim(env, argv[0], "threads", &n)) return NULL;
  if (n < 1 || n > 1024) {
    napi_throw_range_error(env, "IUNET_NATIVE_ARG", "threads must be in [1, 1024]");
    return NULL;
  }
#if defined(IUNET_ACCELERATE)
  napi_create_int32(env, 0, &out);
#else
  openblas_set_num_threads((int)n);
  napi_create_int32(env, openblas_get_num_threads(), &out);
#endif
  return out;
}

static napi_value js_counters(napi_env env, napi_callback_info info) {
  napi_value obj, v;
  CHECK_NAPI(napi_create_object(env, &obj));
  CHECK_NAPI(napi_create_double(env, (double)atomic_load(&g_live_bytes), &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "liveBytes", v));
  CHECK_NAPI(napi_create_double(env, (double)atomic_load(&g_allocs), &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "allocations", v));
  CHECK_NAPI(napi_create_double(env, (double)atomic_load(&g_frees), &v));
  CHECK_NAPI(napi_set_named_property(env, obj, "frees", v));
  return obj;
}

NAPI_MODULE_INIT() {
#if !defined(IUNET_ACCELERATE)
  pthread_once(&g_once, load_openblas);
  if (!p_sgemm) {
    napi_throw_error(env, "IUNET_NATIVE_LOAD", g_load_error);
    return NULL;
  }
#endif
  Scratch *s = (Scratch *)calloc(1, sizeof(Scratch));
  if (!s || napi_set_instance_data(env, s, scratch_finalize, NULL) != napi_ok) return NULL;
  napi_property_descriptor props[] = {
      {"sgemm", NULL, js_sgemm, NULL, NULL, NULL, napi_enumerable, NULL},
      {"gemmBiasAct", NULL, js_gemm_bias_act, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sparsePattern", NULL, js_sparse_pattern, NULL, NULL, NULL, napi_enumerable, NULL},
      {"freePattern", NULL, js_free_pattern, NULL, NULL, NULL, napi_enumerable, NULL},
      {"patternNnz", NULL, js_pattern_nnz, NULL, NULL, NULL, napi_enumerable, NULL},
      {"spmmForward", NULL, js_spmm_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"spmmBackward", NULL, js_spmm_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"colSums", NULL, js_col_sums, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mulInto", NULL, js_mul_into, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adamw", NULL, js_adamw, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adamwSparse", NULL, js_adamw_sparse, NULL, NULL, NULL, napi_enumerable, NULL},
      {"reluBackward", NULL, js_relu_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"im2col", NULL, js_im2col, NULL, NULL, NULL, napi_enumerable, NULL},
      {"col2im", NULL, js_col2im, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxPool2", NULL, js_max_pool2, NULL, NULL, NULL, napi_enumerable, NULL},
      {"maxPoolBackward", NULL, js_max_pool_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"counters", NULL, js_counters, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
