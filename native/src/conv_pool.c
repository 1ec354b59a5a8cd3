/*
 * A convolution layer fused with its bias, ReLU and 2×2 max pooling (NHWC, k×k, 'same' padding, stride 1), forward
 * and backward, over chunks of a few images at a time.
 *
 * The unfused layer wrote the whole batch's patch matrix (29 MB for the bench CNN's second layer), its
 * full-resolution activation and, backwards, the full-resolution gradient, each to memory and back; here a chunk's
 * patches and activations stay in cache (~1 MB) and only the pooled map and its argmax leave it. Backwards the
 * gradient of the pre-pool activation is nonzero only at each window's argmax, where ReLU's derivative is that of
 * the pooled value (the window's maximum), so nothing of the full-resolution map needs keeping.
 * (A direct loop over the taps for a first layer's short patches, 3×3×1, measured 2× slower than sgemm on a chunk.)
 */
#include "iunet_native.h"

/* Bytes of a chunk's largest buffer (patches or activations): inside a core's L2. */
#define CHUNK_BYTES ((int64_t)1 << 20)

/* Images per chunk. */
static int64_t chunk_images(int64_t pixels, int64_t kk, int64_t cout, int64_t b) {
  const int64_t widest = kk > cout ? kk : cout;
  int64_t nb = CHUNK_BYTES / (pixels * widest * (int64_t)sizeof(float) + 1);
  if (nb < 1) nb = 1;
  return nb > b ? b : nb;
}

/*
 * y = 2×2 max pool of act(z + bias) for a chunk's activations z [nb, h, w, cout]; am gets each output's flat index
 * into the batch's pre-pool map [b, h, w, cout] (`first` = the chunk's first image). The same arithmetic and
 * tie rule as gemmBiasAct followed by maxPool2 (the first maximum; a NaN wins).
 */
static inline float act(float v, const float b, int relu) {
  v += b;
  return relu ? (v > 0.f ? v : 0.f) : v;
}

/* Branch-free over the channels (selects, not jumps), so the channel loop runs in SIMD lanes. */
VEC_CLONES static void bias_act_pool(const float *restrict z, const float *restrict bias, int relu, int64_t nb, int64_t h, int64_t w,
                                     int64_t cout, int64_t first, float *restrict y, int32_t *restrict am) {
  const int64_t ho = h / 2, wo = w / 2, base = first * h * w * cout;
  const int32_t o1 = (int32_t)cout, o2 = (int32_t)(w * cout), o3 = o1 + o2;
  for (int64_t n = 0; n < nb; n++)
    for (int64_t i = 0; i < ho; i++)
      for (int64_t j = 0; j < wo; j++) {
        const int64_t p00 = ((n * h + 2 * i) * w + 2 * j) * cout;
        const int64_t o = (((first + n) * ho + i) * wo + j) * cout;
        const float *restrict z0 = z + p00, *restrict z1 = z0 + o1, *restrict z2 = z0 + o2, *restrict z3 = z0 + o3;
        float *restrict yo = y + o;
        int32_t *restrict ao = am + o;
        const int32_t a0 = (int32_t)(base + p00);
        for (int64_t co = 0; co < cout; co++) {
          const float b = bias[co];
          float best = act(z0[co], b, relu);
          int32_t at = 0;
          const float v1 = act(z1[co], b, relu), v2 = act(z2[co], b, relu), v3 = act(z3[co], b, relu);
          int c = !(v1 <= best);
          best = c ? v1 : best;
          at = c ? o1 : at;
          c = !(v2 <= best);
          best = c ? v2 : best;
          at = c ? o2 : at;
          c = !(v3 <= best);
          best = c ? v3 : best;
          at = c ? o3 : at;
          yo[co] = best;
          ao[co] = a0 + (int32_t)co + at;
        }
      }
}

/*
 * From the gradient of `windows` pooled outputs (× cout channels): g = dy, or 0 where ReLU was off (y ≤ 0); db += g
 * (in window order) and g scattered to its argmax in dz, a chunk's pre-pool gradient whose map starts at `base`.
 */
VEC_CLONES static void pooled_grad(const float *restrict y, const int32_t *restrict am, const float *restrict dy, int64_t windows, int64_t cout,
                                   int relu, int64_t base, float *restrict db, float *restrict dz) {
  for (int64_t o = 0; o < windows * cout; o += cout) {
    for (int64_t co = 0; co < cout; co++) db[co] += relu && !(y[o + co] > 0.f) ? 0.f : dy[o + co];
    for (int64_t co = 0; co < cout; co++)
      if (!relu || y[o + co] > 0.f) dz[am[o + co] - base] = dy[o + co];
  }
}

typedef struct {
  int64_t b, h, w, c, k, cout, kk, pooled;
} Dims;

/* The shared checks of both directions; returns 0 after throwing. */
static int conv_pool_dims(napi_env env, napi_value *argv, Dims *d, float **x, float **wt, size_t *nx, size_t *nwt) {
  if (!get_f32(env, argv[0], "x", x, nx) || !get_dim(env, argv[1], "b", &d->b) || !get_dim(env, argv[2], "h", &d->h) ||
      !get_dim(env, argv[3], "w", &d->w) || !get_dim(env, argv[4], "c", &d->c) || !get_dim(env, argv[5], "k", &d->k) ||
      !get_f32(env, argv[6], "weight", wt, nwt) || !get_dim(env, argv[7], "cout", &d->cout))
    return 0;
  if (d->k < 1 || d->k % 2 == 0 || d->k > 63) return throwf(env, "%s must be an odd kernel size in [1, 63]", "k");
  if ((double)d->b * (double)d->h * (double)d->w * (double)(d->c > d->cout ? d->c : d->cout) > 2147483647.0) {
    napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", "map too large");
    return 0;
  }
  d->kk = d->k * d->k * d->c;
  d->pooled = d->b * (d->h / 2) * (d->w / 2) * d->cout;
  return need(env, *nx, d->b * d->h * d->w * d->c, "x") && need(env, *nwt, d->kk * d->cout, "weight");
}

/*
 * convPoolForward(x, b, h, w, c, k, weight, cout, bias|null, relu, y, argmax): y [b, h/2, w/2, cout] = 2×2 max pool
 * of act(conv(x, weight) + bias); argmax: each output's flat index into the pre-pool map [b, h, w, cout].
 */
napi_value js_conv_pool_forward(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!args_of(env, info, 12, argv)) return NULL;
  Dims d;
  float *x, *wt, *bias, *y;
  int32_t *am;
  size_t nx, nwt, nbias, ny, nam;
  bool relu;
  if (!conv_pool_dims(env, argv, &d, &x, &wt, &nx, &nwt) || !get_f32_opt(env, argv[8], "bias", &bias, &nbias) ||
      !get_bool(env, argv[9], "relu", &relu) || !get_f32(env, argv[10], "y", &y, &ny) || !get_i32(env, argv[11], "argmax", &am, &nam))
    return NULL;
  if ((bias && !need(env, nbias, d.cout, "bias")) || !need(env, ny, d.pooled, "y") || !need(env, nam, d.pooled, "argmax")) return NULL;
  if (overlap(y, (size_t)d.pooled, x, nx) || overlap(y, (size_t)d.pooled, wt, nwt)) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "y overlaps x or weight");
    return NULL;
  }
  Instance *s = instance_of(env);
  if (!s) return NULL;
  count_call(env, K_CONV_POOL_FORWARD);
  if (d.pooled == 0) return undefined_of(env);
  const int64_t pix = d.h * d.w, nb = chunk_images(pix, d.kk, d.cout, d.b);
  float *cols = scratch(s, 0, (size_t)(nb * pix * d.kk));
  float *z = scratch(s, 1, (size_t)(nb * pix * d.cout));
  /* A layer without bias adds zeros (-0 becomes +0, nothing else changes). */
  float *zero = bias ? NULL : scratch(s, 3, (size_t)d.cout);
  if (!cols || !z || (!bias && !zero)) {
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory for the convolution's chunk buffers");
    return NULL;
  }
  const FpState fp = denormals_off();
  for (int64_t n0 = 0; n0 < d.b; n0 += nb) {
    const int64_t cnt = d.b - n0 < nb ? d.b - n0 : nb;
    const float *xc = x + n0 * pix * d.c;
    im2col_rows(xc, cnt, d.h, d.w, d.c, d.k, cols);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(cnt * pix), (int)d.cout, (int)d.kk, 1.f, cols, (int)d.kk, wt, (int)d.cout, 0.f, z,
                (int)d.cout);
    if (zero) memset(zero, 0, (size_t)d.cout * sizeof(float));
    bias_act_pool(z, bias ? bias : zero, relu, cnt, d.h, d.w, d.cout, n0, y, am);
  }
  denormals_restore(fp);
  return undefined_of(env);
}

/*
 * convPoolBackward(x, b, h, w, c, k, weight, cout, y, argmax, dy, relu, dw, db, dx|null): the gradients of
 * convPoolForward's output y (and its argmax) given dL/dy: dw = Σ patchesᵀ·dz, db = Σ dz, dx = col2im(dz·weightᵀ),
 * where dz, the pre-pool gradient, is dy at each argmax (times ReLU's derivative there, y > 0) and 0 elsewhere.
 * dw and db are overwritten, dx too (when given).
 */
napi_value js_conv_pool_backward(napi_env env, napi_callback_info info) {
  napi_value argv[15];
  if (!args_of(env, info, 15, argv)) return NULL;
  Dims d;
  float *x, *wt, *y, *dy, *dw, *db, *dx;
  int32_t *am;
  size_t nx, nwt, ny, nam, ndy, ndw, ndb, ndx;
  bool relu;
  if (!conv_pool_dims(env, argv, &d, &x, &wt, &nx, &nwt) || !get_f32(env, argv[8], "y", &y, &ny) || !get_i32(env, argv[9], "argmax", &am, &nam) ||
      !get_f32(env, argv[10], "dy", &dy, &ndy) || !get_bool(env, argv[11], "relu", &relu) || !get_f32(env, argv[12], "dw", &dw, &ndw) ||
      !get_f32(env, argv[13], "db", &db, &ndb) || !get_f32_opt(env, argv[14], "dx", &dx, &ndx))
    return NULL;
  if (!need(env, ny, d.pooled, "y") || !need(env, nam, d.pooled, "argmax") || !need(env, ndy, d.pooled, "dy") || !need(env, ndw, d.kk * d.cout, "dw") ||
      !need(env, ndb, d.cout, "db") || (dx && !need(env, ndx, d.b * d.h * d.w * d.c, "dx")))
    return NULL;
  const int64_t pix = d.h * d.w, map = pix * d.cout, per_image = (d.h / 2) * (d.w / 2) * d.cout;
  /* Every argmax inside its own image's pre-pool map: the scatter below writes a chunk buffer at those places. */
  int bad = 0;
  for (int64_t n = 0; n < d.b; n++) {
    const int32_t *restrict a = am + n * per_image;
    const int64_t lo = n * map, hi = lo + map;
    for (int64_t o = 0; o < per_image; o++) bad |= a[o] < lo || a[o] >= hi;
  }
  if (bad) {
    napi_throw_range_error(env, "IUNET_NATIVE_SHAPE", "argmax index outside its image's map");
    return NULL;
  }
  if (overlap(dw, (size_t)(d.kk * d.cout), dx, dx ? (size_t)(d.b * pix * d.c) : 0) || overlap(dw, (size_t)(d.kk * d.cout), x, nx) ||
      (dx && overlap(dx, (size_t)(d.b * pix * d.c), x, nx))) {
    napi_throw_range_error(env, "IUNET_NATIVE_ALIAS", "dw, dx and x must not overlap");
    return NULL;
  }
  Instance *s = instance_of(env);
  if (!s) return NULL;
  count_call(env, K_CONV_POOL_BACKWARD);
  memset(dw, 0, (size_t)(d.kk * d.cout) * sizeof(float));
  memset(db, 0, (size_t)d.cout * sizeof(float));
  if (dx) memset(dx, 0, (size_t)(d.b * pix * d.c) * sizeof(float));
  if (d.pooled == 0) return undefined_of(env);
  const int64_t nb = chunk_images(pix, d.kk, d.cout, d.b);
  float *cols = scratch(s, 0, (size_t)(nb * pix * d.kk));
  float *dz = scratch(s, 1, (size_t)(nb * map));
  float *dcols = dx ? scratch(s, 2, (size_t)(nb * pix * d.kk)) : NULL;
  if (!cols || !dz || (dx && !dcols)) {
    napi_throw_error(env, "IUNET_NATIVE_OOM", "out of memory for the convolution's chunk buffers");
    return NULL;
  }
  const FpState fp = denormals_off();
  for (int64_t n0 = 0, first = 1; n0 < d.b; n0 += nb, first = 0) {
    const int64_t cnt = d.b - n0 < nb ? d.b - n0 : nb, rows = cnt * pix;
    memset(dz, 0, (size_t)(rows * d.cout) * sizeof(float));
    pooled_grad(y + n0 * per_image, am + n0 * per_image, dy + n0 * per_image, cnt * per_image / d.cout, d.cout, relu, n0 * map, db, dz);
    im2col_rows(x + n0 * pix * d.c, cnt, d.h, d.w, d.c, d.k, cols);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)d.kk, (int)d.cout, (int)rows, 1.f, cols, (int)d.kk, dz, (int)d.cout, first ? 0.f : 1.f,
                dw, (int)d.cout);
    if (dx) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)d.kk, (int)d.cout, 1.f, dz, (int)d.cout, wt, (int)d.cout, 0.f, dcols,
                  (int)d.kk);
      col2im_rows(dcols, cnt, d.h, d.w, d.c, d.k, dx + n0 * pix * d.c);
    }
  }
  denormals_restore(fp);
  return undefined_of(env);
}
