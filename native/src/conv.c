/* Convolution data movement (im2col, col2im) and 2×2 max pooling, NHWC. */
#include "iunet_native.h"

/* ---------- convolution data movement (NHWC, 'same' padding, stride 1, odd k) ---------- */

/* out[(n,i,j), (dy,dx,ch)] = x[n, i+dy-p, j+dx-p, ch], 0 outside the map. */
void im2col_rows(const float *restrict x, int64_t b, int64_t h, int64_t w, int64_t c, int64_t k, float *restrict out) {
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
VEC_CLONES void col2im_rows(const float *restrict cols, int64_t b, int64_t h, int64_t w, int64_t c, int64_t k, float *restrict out) {
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
napi_value js_im2col(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args_of(env, info, 7, argv)) return NULL;
  float *x, *out;
  int64_t d[5];
  if (!conv_args(env, argv, 1, &x, &out, d)) return NULL;
  count_call(env, K_IM2COL);
  im2col_rows(x, d[0], d[1], d[2], d[3], d[4], out);
  return undefined_of(env);
}

/* col2im(cols, b, h, w, c, k, out): accumulated into out (zero it first for a plain adjoint). */
napi_value js_col2im(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args_of(env, info, 7, argv)) return NULL;
  float *cols, *out;
  int64_t d[5];
  if (!conv_args(env, argv, 0, &cols, &out, d)) return NULL;
  count_call(env, K_COL2IM);
  col2im_rows(cols, d[0], d[1], d[2], d[3], d[4], out);
  return undefined_of(env);
}

/* ---------- 2×2 max pooling (NHWC, stride 2, 'valid') ---------- */

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
napi_value js_max_pool2(napi_env env, napi_callback_info info) {
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
  count_call(env, K_MAX_POOL2);
  max_pool2_kernel(x, b, h, w, c, y, am);
  return undefined_of(env);
}

/* maxPoolBackward(dy, argmax, dx): dx[argmax[o]] += dy[o]; every index is checked against dx. */
napi_value js_max_pool_backward(napi_env env, napi_callback_info info) {
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
  count_call(env, K_MAX_POOL_BACKWARD);
  for (size_t o = 0; o < ndy; o++) dx[am[o]] += dy[o];
  return undefined_of(env);
}
