/* The sparse pattern of a 0/1 mask: CSR and CSC index arrays built once, behind an opaque, type-tagged handle. */
#include "iunet_native.h"

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

Pattern *get_pattern(napi_env env, napi_value v) {
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
napi_value js_sparse_pattern(napi_env env, napi_callback_info info) {
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
  count_call(env, K_SPARSE_PATTERN);
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
napi_value js_free_pattern(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!args_of(env, info, 1, argv)) return NULL;
  Pattern *p = get_pattern(env, argv[0]);
  if (!p) return NULL;
  pattern_release(p);
  return undefined_of(env);
}

napi_value js_pattern_nnz(napi_env env, napi_callback_info info) {
  napi_value argv[1], out;
  if (!args_of(env, info, 1, argv)) return NULL;
  Pattern *p = get_pattern(env, argv[0]);
  if (!p) return NULL;
  napi_create_double(env, (double)p->nnz, &out);
  return out;
}
