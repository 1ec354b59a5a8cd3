/* Elementwise kernels: masked multiply, the AdamW update (dense and on a sparse pattern), ReLU backward. */
#include "iunet_native.h"

VEC_CLONES static void mul_into(const float *restrict a, const float *restrict b, float *restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = a[i] * b[i];
}

/* mulInto(a, b, out): out = a ⊙ b (same lengths). */
napi_value js_mul_into(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args_of(env, info, 3, argv)) return NULL;
  float *a, *b, *out;
  size_t na, nb, nout;
  if (!get_f32(env, argv[0], "a", &a, &na) || !get_f32(env, argv[1], "b", &b, &nb) || !get_f32(env, argv[2], "out", &out, &nout)) return NULL;
  if (!need(env, nb, (int64_t)na, "b") || !need(env, nout, (int64_t)na, "out")) return NULL;
  count_call(env, K_MUL_INTO);
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
napi_value js_adamw(napi_env env, napi_callback_info info) {
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
  count_call(env, K_ADAMW);
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
 *
 * out may be w itself (the same array): the weight is then updated in place at the kept positions, its pruned ones
 * already 0 -- no pass over the whole dense matrix, which at density 1/8 touches nearly every cache line.
 */
VEC_CLONES static void adamw_sparse_kernel(const Pattern *p, const float *w, const float *restrict g, float *restrict m, float *restrict v,
                                           float *out, float b1, float b2, float alpha, float eps_hat, float decay) {
  const float c1 = 1.f - b1, c2 = 1.f - b2;
  const int64_t rows = p->rows, cols = p->cols;
  const int32_t *restrict rp = p->row_ptr, *restrict ci = p->col_idx;
  if (out != w) memset(out, 0, (size_t)(rows * cols) * sizeof(float));
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

napi_value js_adamw_sparse(napi_env env, napi_callback_info info) {
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
  /* out and w: distinct arrays, or one and the same (in place); never a partial overlap. */
  if (overlap(out, (size_t)n, m, (size_t)n) || overlap(out, (size_t)n, v, (size_t)n) || overlap(m, (size_t)n, v, (size_t)n) ||
      (out != w && overlap(out, (size_t)n, w, (size_t)n)) || overlap(out, (size_t)n, g, (size_t)n) || overlap(w, (size_t)n, m, (size_t)n) ||
      overlap(w, (size_t)n, v, (size_t)n)) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "out, w, g, m and v must not overlap (out may be w itself)");
    return NULL;
  }
  count_call(env, K_ADAMW_SPARSE);
  const FpState fp = denormals_off();
  adamw_sparse_kernel(p, w, g, m, v, out, (float)b1, (float)b2, (float)alpha, (float)eps_hat, (float)decay);
  denormals_restore(fp);
  return undefined_of(env);
}

VEC_CLONES static void relu_backward(const float *restrict dy, const float *restrict y, float *restrict out, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = y[i] > 0.f ? dy[i] : 0.f;
}

/* reluBackward(dy, y, out): out = dy where y > 0, else 0 (same lengths). */
napi_value js_relu_backward(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!args_of(env, info, 3, argv)) return NULL;
  float *dy, *y, *out;
  size_t ndy, ny, nout;
  if (!get_f32(env, argv[0], "dy", &dy, &ndy) || !get_f32(env, argv[1], "y", &y, &ny) || !get_f32(env, argv[2], "out", &out, &nout)) return NULL;
  if (!need(env, ny, (int64_t)ndy, "y") || !need(env, nout, (int64_t)ndy, "out")) return NULL;
  count_call(env, K_RELU_BACKWARD);
  relu_backward(dy, y, out, (int64_t)ndy);
  return undefined_of(env);
}
