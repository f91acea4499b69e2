// Attention over short sequences (Sq, Sk <= 64) in FP16 and BF16: one block per (batch, head) holds Q, K and
// V and the whole score matrix in shared memory, and computes Q K^T and P V with tensor cores (WMMA 16x16x16,
// FP32 accumulation) around a softmax in FP32. Swin's window attention (49 tokens, head size 32) ran through
// cuDNN's flash kernel, whose 64x128 tiles and per-tile pipeline cost 3 ms a call at batch 64 (H100, 38% of
// the model) for work that moves ~0.2 ms of bytes. Each warp owns 16 query rows from the scores to the
// output, so the only block-wide barrier is after the loads.
// Numbers as the composed path's: scores in FP32 (scaled, the additive mask added), the softmax in FP32,
// the weights rounded to the storage type before P V, a row without keys 0 or NaN by the layer's rule.
#include <mma.h>

#include "backends/cuda/attention_kernels.cuh"
#include "layers/attention_layout.h"

namespace trt {
namespace cuda {

namespace {

namespace wmma = nvcuda::wmma;

// Element strides of Q, K, V and the output, each read as [B, H, S, D].
struct Operands {
  const void *q, *k, *v;
  void* o;
  AttentionStrides sq, sk, sv, so;
};

// Rows [0, rows) and columns [0, cols) of a [B, H, S, D] tensor's (b, h) slice into a zero-padded
// [SP][DP] tile, in 16-byte vectors (the caller checked cols, the strides and the base are multiples of 8
// elements).
template <typename T, int SP, int DP>
__device__ __forceinline__ void loadTile(T* tile, const T* base, const AttentionStrides& st, int64_t b, int64_t h,
                                         int64_t rows, int64_t cols) {
  constexpr int kVectors = DP / 8;  // per row
  const T* slice = base + b * st.b + h * st.h;
  for (int i = threadIdx.x; i < SP * kVectors; i += blockDim.x) {
    const int r = i / kVectors, c = (i % kVectors) * 8;
    uint4 v = make_uint4(0, 0, 0, 0);
    if (r < rows && c < cols) v = *reinterpret_cast<const uint4*>(slice + r * st.s + c);
    *reinterpret_cast<uint4*>(tile + r * DP + c) = v;
  }
}

// Blocks an SM the kernel is compiled for: what its shared memory allows (227 KB an SM), at most 7 (72 registers a
// thread at SP 64 without spills; 8 would need 64 and spill).
constexpr int smallAttentionBlocks(int SP, int DP) {
  const int bytes = 3 * SP * DP * 2 + SP * (SP > DP ? SP : DP) * 4;
  const int fit = 227 * 1024 / bytes;
  return fit < 7 ? (fit < 1 ? 1 : fit) : 7;
}

template <typename T, int SP, int DP>
__global__ void __launch_bounds__(SP * 2, smallAttentionBlocks(SP, DP))
    smallAttentionKernel(Operands op, MaskView mask, Geometry g, float scale, bool causal, bool zeroEmptyRows,
                         bool vectorOutput) {
  constexpr int kWarps = SP / 16;
  constexpr int LD = SP > DP ? SP : DP;  // the scores' row length: the output's rows (DP) reuse them
  // Q, K, V tiles, then the scores [SP][LD] in FP32; each warp's weights overwrite its own score rows (a row
  // of SP weights in T fits the first half of the row's bytes), then its output rows do.
  __shared__ __align__(128) T qs[SP * DP];
  __shared__ __align__(128) T ks[SP * DP];
  __shared__ __align__(128) T vs[SP * DP];
  __shared__ __align__(128) float scores[SP * LD];
  const int64_t bi = blockIdx.x / g.h, hi = blockIdx.x % g.h;
  loadTile<T, SP, DP>(qs, static_cast<const T*>(op.q), op.sq, bi, hi, g.sq, g.d);
  loadTile<T, SP, DP>(ks, static_cast<const T*>(op.k), op.sk, bi, hi, g.sk, g.d);
  loadTile<T, SP, DP>(vs, static_cast<const T*>(op.v), op.sv, bi, hi, g.sk, g.dv);
  __syncthreads();
  static_assert(kWarps * 32 == SP * 2, "one warp per 16 rows");
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int r0 = warp * 16;
  if (r0 >= g.sq) return;  // no query rows here (rows past Sq are padding)
  // Scores of the warp's 16 rows: Q[r0:r0+16] K^T, K read as the column-major B operand.
  {
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[SP / 16];
    for (int n = 0; n < SP / 16; ++n) wmma::fill_fragment(acc[n], 0.f);
    for (int kk = 0; kk < DP; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
      wmma::load_matrix_sync(a, qs + r0 * DP + kk, DP);
      for (int n = 0; n < SP / 16; ++n) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> bk;
        wmma::load_matrix_sync(bk, ks + n * 16 * DP + kk, DP);
        wmma::mma_sync(acc[n], a, bk, acc[n]);
      }
    }
    for (int n = 0; n < SP / 16; ++n)
      wmma::store_matrix_sync(scores + r0 * LD + n * 16, acc[n], LD, wmma::mem_row_major);
  }
  __syncwarp();
  // The softmax of each row, in place: the row's weights in T over the first half of its bytes. Two lanes a
  // row, each over half its columns (one shuffle joins the halves), so the warp's 16 rows run side by side
  // rather than one after the other. A lane walks its columns from its own starting point so that the 32 lanes
  // read 32 different shared-memory banks at each step.
  constexpr int kCols = SP / 2;
  T* weights = reinterpret_cast<T*>(scores);  // row r at weights + r * 2 * LD
  {
    const int r = r0 + lane / 2, first = (lane % 2) * kCols;
    const int rotation = kCols == 32 ? lane : lane / 2;
    const int64_t maskRow = mask.st.rowOffset(bi, hi, r);
    float v[kCols];
    float mx = -INFINITY;
    bool any = false;
#pragma unroll
    for (int t = 0; t < kCols; ++t) {
      const int j = first + (t + rotation) % kCols;
      float add = 0.f;
      v[t] = -INFINITY;
      if (r < g.sq && j < g.sk && !maskedOut<T>(mask, causal, maskRow, r, j, add))
        v[t] = scores[r * LD + j] * scale + add;
      mx = fmaxf(mx, v[t]);
      any |= v[t] != -INFINITY;
    }
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    // Every lane shuffles (a lane skipping a full-mask shuffle, as `any || shuffle` would, hangs the warp).
    const int otherHalfAny = __shfl_xor_sync(0xffffffffu, static_cast<int>(any), 1);
    any = any || otherHalfAny;
    float sum = 0.f;
#pragma unroll
    for (int t = 0; t < kCols; ++t) {
      v[t] = expf(v[t] - mx);  // NaN for every key of a row without one (mx -inf): the plain softmax's NaN
      sum += first + (t + rotation) % kCols < g.sk ? v[t] : 0.f;
    }
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    const float inv = 1.f / sum;
    __syncwarp();  // every lane has read its row before any lane writes over it
#pragma unroll
    for (int t = 0; t < kCols; ++t) {
      const int j = first + (t + rotation) % kCols;
      // Padding keys (j >= Sk) weigh 0, so the padded rows of V add nothing.
      float w = j < g.sk ? v[t] * inv : 0.f;
      if (!any && zeroEmptyRows) w = 0.f;
      weights[r * 2 * LD + j] = fromFloat<T>(w);
    }
  }
  __syncwarp();
  // Output rows: P[r0:r0+16] V, stored over the same rows as FP32 once every weight fragment is read.
  {
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[DP / 16];
    for (int n = 0; n < DP / 16; ++n) wmma::fill_fragment(acc[n], 0.f);
    for (int kk = 0; kk < SP; kk += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> a;
      wmma::load_matrix_sync(a, weights + r0 * 2 * LD + kk, 2 * LD);
      for (int n = 0; n < DP / 16; ++n) {
        wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> bv;
        wmma::load_matrix_sync(bv, vs + kk * DP + n * 16, DP);
        wmma::mma_sync(acc[n], a, bv, acc[n]);
      }
    }
    __syncwarp();
    for (int n = 0; n < DP / 16; ++n)
      wmma::store_matrix_sync(scores + r0 * LD + n * 16, acc[n], LD, wmma::mem_row_major);
  }
  __syncwarp();
  T* o = static_cast<T*>(op.o) + bi * op.so.b + hi * op.so.h;
  if (vectorOutput) {  // 8 elements (16 bytes) a store
    const int vectors = static_cast<int>(g.dv) / 8;
    for (int i = lane; i < 16 * vectors; i += 32) {
      const int r = r0 + i / vectors, c = (i % vectors) * 8;
      if (r >= g.sq) continue;
      const float* from = scores + r * LD + c;
      alignas(16) T packed[8];
#pragma unroll
      for (int e = 0; e < 8; ++e) packed[e] = fromFloat<T>(from[e]);
      *reinterpret_cast<uint4*>(o + r * op.so.s + c) = *reinterpret_cast<const uint4*>(packed);
    }
    return;
  }
  for (int i = lane; i < 16 * static_cast<int>(g.dv); i += 32) {
    const int r = r0 + i / static_cast<int>(g.dv), c = i % static_cast<int>(g.dv);
    if (r < g.sq) o[r * op.so.s + c] = fromFloat<T>(scores[r * LD + c]);
  }
}

// Whether a [B, H, S, D] tensor's rows start on 16-byte boundaries and hold `cols` contiguous elements in whole
// 16-byte vectors.
bool vectorRows(const void* base, const AttentionStrides& st, int64_t cols) {
  return reinterpret_cast<uintptr_t>(base) % 16 == 0 && cols % 8 == 0 && st.b % 8 == 0 && st.h % 8 == 0 &&
         st.s % 8 == 0 && st.d == 1;
}

template <typename T, int SP, int DP>
void launchSmall(LaunchContext& ctx, const Operands& op, const MaskView& mask, const Geometry& g, float scale,
                 bool causal, bool zeroEmptyRows) {
  smallAttentionKernel<T, SP, DP><<<static_cast<unsigned>(g.b * g.h), SP * 2, 0, ctx.stream>>>(
      op, mask, g, scale, causal, zeroEmptyRows, vectorRows(op.o, op.so, g.dv));
}

template <typename T, int SP>
void launchForHeadSize(LaunchContext& ctx, const Operands& op, const MaskView& mask, const Geometry& g, float scale,
                       bool causal, bool zeroEmptyRows) {
  const int64_t d = g.d > g.dv ? g.d : g.dv;
  if (d <= 16)
    launchSmall<T, SP, 16>(ctx, op, mask, g, scale, causal, zeroEmptyRows);
  else if (d <= 32)
    launchSmall<T, SP, 32>(ctx, op, mask, g, scale, causal, zeroEmptyRows);
  else
    launchSmall<T, SP, 64>(ctx, op, mask, g, scale, causal, zeroEmptyRows);
}

}  // namespace

bool smallSequenceAttention(LaunchContext& ctx, const IAttentionLayer& layer, const std::vector<TensorView>& in,
                            TensorView& out, const Geometry& g) {
  const DataType type = in[0].type;
  if ((type != DataType::kHALF && type != DataType::kBF16) || g.sq > 64 || g.sk > 64 || g.d > 64 || g.dv > 64 ||
      g.d == 0 || g.b * g.h > 0x7fffffff)
    return false;
  const uint32_t major = attentionSequenceMajor(layer);
  Operands op{in[0].data,
              in[1].data,
              in[2].data,
              out.data,
              attentionStrides(in[0].dims, major & kQuerySequenceMajor),
              attentionStrides(in[1].dims, major & kKeySequenceMajor),
              attentionStrides(in[2].dims, major & kValueSequenceMajor),
              attentionStrides(out.dims, major & kOutputSequenceMajor)};
  if (!vectorRows(op.q, op.sq, g.d) || !vectorRows(op.k, op.sk, g.d) || !vectorRows(op.v, op.sv, g.dv)) return false;
  const MaskView mask = maskView(in);
  const float scale = layer.scaleFor(g.d);
  const bool causal = layer.getCausal(), zero = layer.getZeroFullyMaskedRows();
  const bool shortRows = g.sq <= 32 && g.sk <= 32;
  if (type == DataType::kHALF) {
    if (shortRows)
      launchForHeadSize<__half, 32>(ctx, op, mask, g, scale, causal, zero);
    else
      launchForHeadSize<__half, 64>(ctx, op, mask, g, scale, causal, zero);
  } else {
    if (shortRows)
      launchForHeadSize<__nv_bfloat16, 32>(ctx, op, mask, g, scale, causal, zero);
    else
      launchForHeadSize<__nv_bfloat16, 64>(ctx, op, mask, g, scale, causal, zero);
  }
  check(cudaGetLastError(), "small-sequence attention kernel launch");
  return true;
}

}  // namespace cuda
}  // namespace trt
