/* Registration of the entry points (NAPI_MODULE_INIT), the memory counters and the kernel call counters. */
#include "iunet_native.h"

#define IUNET_KERNEL_NAME(id, name) name,
const char *const KERNEL_NAMES[K_COUNT] = {IUNET_KERNELS(IUNET_KERNEL_NAME)};
#undef IUNET_KERNEL_NAME

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

/* kernelCalls(): {sgemm: n, spmmForward: n, ...}, the validated calls of each kernel made by this thread. */
static napi_value js_kernel_calls(napi_env env, napi_callback_info info) {
  Instance *s = instance_of(env);
  if (!s) return NULL;
  napi_value obj, v;
  CHECK_NAPI(napi_create_object(env, &obj));
  for (int k = 0; k < K_COUNT; k++) {
    CHECK_NAPI(napi_create_double(env, s->calls[k], &v));
    CHECK_NAPI(napi_set_named_property(env, obj, KERNEL_NAMES[k], v));
  }
  return obj;
}

/* resetKernelCalls(): this thread's call counts back to zero. */
static napi_value js_reset_kernel_calls(napi_env env, napi_callback_info info) {
  Instance *s = instance_of(env);
  if (!s) return NULL;
  memset(s->calls, 0, sizeof s->calls);
  return undefined_of(env);
}

NAPI_MODULE_INIT() {
  const char *why = blas_load();
  if (why) {
    napi_throw_error(env, "IUNET_NATIVE_LOAD", why);
    return NULL;
  }
  Instance *s = (Instance *)calloc(1, sizeof(Instance));
  if (!s || napi_set_instance_data(env, s, instance_finalize, NULL) != napi_ok) return NULL;
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
      {"convPoolForward", NULL, js_conv_pool_forward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"convPoolBackward", NULL, js_conv_pool_backward, NULL, NULL, NULL, napi_enumerable, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_enumerable, NULL},
      {"counters", NULL, js_counters, NULL, NULL, NULL, napi_enumerable, NULL},
      {"kernelCalls", NULL, js_kernel_calls, NULL, NULL, NULL, napi_enumerable, NULL},
      {"resetKernelCalls", NULL, js_reset_kernel_calls, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
