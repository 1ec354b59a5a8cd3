/* Sparse kernels of a masked dense layer: SpMM for the forward pass and dX, SDDMM for dW, column sums. */
#include "iunet_native.h"

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

static inline float dot(const float *restrict x, const float *restrict y, int64_t n) {
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (int64_t b = 0; b < n; b++) s += x[b] * y[b];
  return s;
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
napi_value js_spmm_forward(napi_env env, napi_callback_info info) {
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
  count_call(env, K_SPMM_FORWARD);
  if (batch == 0) return undefined_of(env);
  Instance *s = instance_of(env);
  if (!s) return NULL;
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
napi_value js_spmm_backward(napi_env env, napi_callback_info info) {
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
  count_call(env, K_SPMM_BACKWARD);
  Instance *s = instance_of(env);
  if (!s) return NULL;
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
napi_value js_col_sums(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!args_of(env, info, 4, argv)) return NULL;
  float *v, *out;
  size_t nv, nout;
  int64_t rows, cols;
  if (!get_f32(env, argv[0], "v", &v, &nv) || !get_dim(env, argv[1], "rows", &rows) || !get_dim(env, argv[2], "cols", &cols) ||
      !get_f32(env, argv[3], "out", &out, &nout))
    return NULL;
  if (!need(env, nv, rows * cols, "v") || !need(env, nout, cols, "out")) return NULL;
  count_call(env, K_COL_SUMS);
  col_sums(v, rows, cols, out);
  return undefined_of(env);
}
