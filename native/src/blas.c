/* BLAS: OpenBLAS opened at run time (or Accelerate), the dense products sgemm and gemmBiasAct, library info, threads. */
#include "iunet_native.h"

#if !defined(IUNET_ACCELERATE)
#include <dlfcn.h>
/*
 * OpenBLAS is opened with dlopen, not linked: its DYNAMIC_ARCH build picks its kernels in a library constructor,
 * and 0.3.21 falls back to its slowest (SSE3, "Prescott") kernels on CPUs newer than it knows -- 4x slower here
 * (a recent Xeon with AVX-512). Opening it ourselves lets us name the kernel family from the CPU's features first
 * (OPENBLAS_CORETYPE; an explicit OPENBLAS_CORETYPE from the user always wins).
 */
sgemm_fn p_sgemm;
void (*p_set_threads)(int);
int (*p_get_threads)(void);
int (*p_get_procs)(void);
char *(*p_get_config)(void);
char *(*p_get_corename)(void);
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
#endif

const char *blas_load(void) {
#if defined(IUNET_ACCELERATE)
  return NULL;
#else
  pthread_once(&g_once, load_openblas);
  return p_sgemm ? NULL : g_load_error;
#endif
}

VEC_CLONES static void bias_act_rows(float *restrict y, const float *restrict bias, int64_t rows, int64_t cols, int relu) {
  for (int64_t r = 0; r < rows; r++) {
    float *restrict row = y + r * cols;
    if (bias)
      for (int64_t c = 0; c < cols; c++) row[c] += bias[c];
    if (relu)
      for (int64_t c = 0; c < cols; c++) row[c] = row[c] > 0.f ? row[c] : 0.f;
  }
}

/* ---------- sgemm ---------- */

/*
 * sgemm(transA, transB, m, n, k, alpha, a, b, beta, c): C[m,n] = alpha·op(A)·op(B) + beta·C, row-major;
 * A is [m,k] ([k,m] when transA), B is [k,n] ([n,k] when transB).
 */
napi_value js_sgemm(napi_env env, napi_callback_info info) {
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
  count_call(env, K_SGEMM);
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
napi_value js_gemm_bias_act(napi_env env, napi_callback_info info) {
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
  count_call(env, K_GEMM_BIAS_ACT);
  if (m == 0 || n == 0) return undefined_of(env);
  if (k == 0) memset(c, 0, (size_t)(m * n) * sizeof(float));
  else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1.f, a, (int)k, b, (int)n, 0.f, c, (int)n);
  bias_act_rows(c, bias, m, n, relu);
  return undefined_of(env);
}

napi_value js_info(napi_env env, napi_callback_info info) {
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
napi_value js_set_threads(napi_env env, napi_callback_info info) {
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
