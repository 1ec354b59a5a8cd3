/* Argument checks for the entry points, counted allocation (for leak tests) and the per-thread instance data. */
#include "iunet_native.h"

/* ---------- memory accounting (for leak tests) ---------- */

atomic_llong g_live_bytes = 0;
atomic_llong g_allocs = 0;
atomic_llong g_frees = 0;

void *counted_alloc(size_t bytes) {
  void *p = malloc(bytes ? bytes : 1);
  if (p) {
    atomic_fetch_add(&g_live_bytes, (long long)bytes);
    atomic_fetch_add(&g_allocs, 1);
  }
  return p;
}

void counted_free(void *p, size_t bytes) {
  if (!p) return;
  free(p);
  atomic_fetch_sub(&g_live_bytes, (long long)bytes);
  atomic_fetch_add(&g_frees, 1);
}

/* ---------- per-environment data ---------- */

float *scratch(Instance *s, int i, size_t n) {
  if (s->cap[i] < n) {
    counted_free(s->buf[i], s->cap[i] * sizeof(float));
    s->buf[i] = (float *)counted_alloc(n * sizeof(float));
    s->cap[i] = s->buf[i] ? n : 0;
  }
  return s->buf[i];
}

void instance_finalize(napi_env env, void *data, void *hint) {
  Instance *s = (Instance *)data;
  for (int i = 0; i < 4; i++) counted_free(s->buf[i], s->cap[i] * sizeof(float));
  free(s);
}

void count_call(napi_env env, Kernel k) {
  Instance *s = NULL;
  if (napi_get_instance_data(env, (void **)&s) == napi_ok && s) s->calls[k] += 1;
}

Instance *instance_of(napi_env env) {
  Instance *s = NULL;
  if (napi_get_instance_data(env, (void **)&s) != napi_ok || !s) {
    napi_throw_error(env, "IUNET_NATIVE", "no instance data");
    return NULL;
  }
  return s;
}

/* ---------- argument helpers: each returns 0 and throws on failure ---------- */

int throwf(napi_env env, const char *fmt, const char *a) {
  char msg[256];
  snprintf(msg, sizeof msg, fmt, a);
  napi_throw_type_error(env, "IUNET_NATIVE_ARG", msg);
  return 0;
}

int get_f32(napi_env env, napi_value v, const char *name, float **data, size_t *len) {
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

int get_f32_opt(napi_env env, napi_value v, const char *name, float **data, size_t *len) {
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
int get_dim(napi_env env, napi_value v, const char *name, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) return throwf(env, "%s must be a number", name);
  if (!(d >= 0 && d <= 2147483647.0) || d != floor(d)) return throwf(env, "%s must be an integer in [0, 2^31)", name);
  *out = (int64_t)d;
  return 1;
}

int get_num(napi_env env, napi_value v, const char *name, double *out) {
  if (napi_get_value_double(env, v, out) != napi_ok || !isfinite(*out)) return throwf(env, "%s must be a finite number", name);
  return 1;
}

int get_bool(napi_env env, napi_value v, const char *name, bool *out) {
  if (napi_get_value_bool(env, v, out) != napi_ok) return throwf(env, "%s must be a boolean", name);
  return 1;
}

int need(napi_env env, size_t have, int64_t want, const char *name) {
  if ((int64_t)have < want) {
    char msg[256];
    snprintf(msg, sizeof msg, "%s has %zu elements, the shape needs %lld", name, have, (long long)want);
    napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", msg);
    return 0;
  }
  return 1;
}

int overlap(const float *a, size_t na, const float *b, size_t nb) {
  if (!a || !b || !na || !nb) return 0;
  return a < b + nb && b < a + na;
}

napi_value args_of(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
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

napi_value undefined_of(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

int get_i32(napi_env env, napi_value v, const char *name, int32_t **data, size_t *len) {
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
