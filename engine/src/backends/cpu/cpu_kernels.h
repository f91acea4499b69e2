// CPU backend: one kernel per layer kind, run on host memory. The reference every other
// backend is compared with; also what CI runs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "trt/network.h"

namespace trt {
namespace cpu {

//! A tensor in host memory as a kernel sees it.
struct TensorView {
  void* data = nullptr;
  Dims dims;
  DataType type = DataType::kFLOAT;
  float* f32() const { return static_cast<float*>(data); }
};

using Kernel = void (*)(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);

//! The kernel for a layer kind (every kind has one: the table is generated from TRT_LAYER_KINDS).
Kernel kernelFor(LayerType type);

//! Runs a layer: its kernel directly, or, when an input or the output is FP16 or BF16, in FP32 on
//! widened copies with the output rounded back (the CPU's 16-bit types: 16-bit storage, FP32 math).
void runLayer(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);

//! A float32 <-> bfloat16 cast (an Identity layer's) over the cores, bit-identical to the reference's;
//! false for other type pairs.
bool castBf16Parallel(const TensorView& input, TensorView& output);
//! Rounds `n` float32 values to what a tensor of `type` stores (float16, bfloat16; float32 leaves them): a 16-bit
//! layer's output as the widened run rounds it back.
void roundToStorage(DataType type, float* values, int64_t n);
//! Whether runLayer would widen this call (a 16-bit input or output; casts and constants excepted).
bool widensSixteenBit(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output);
//! float32 buffers kept from one widened call to the next (a fresh buffer a call is a fresh mapping:
//! page faults and a zero fill on every call, most of a bfloat16 ViT layer norm's time). One per runner.
class WideningBuffers {
 public:
  //! Buffer `slot`, at least `n` floats, contents unspecified.
  float* get(size_t slot, int64_t n);

 private:
  std::vector<std::pair<std::unique_ptr<float[]>, int64_t>> buffers_;
};
//! The widening of runLayer around another float32 kernel (the fast path's): 16-bit inputs widened
//! over the cores, `floatKernel` run, a 16-bit output rounded back; the float32 copies in `buffers`
//! when given, else allocated for the call.
using FloatKernel = std::function<void(const ILayer&, const std::vector<TensorView>&, TensorView&)>;
void runWidened(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output,
                const FloatKernel& floatKernel, WideningBuffers* buffers = nullptr);

//! C[M,N] = A[M,K] * B[K,N] (+ C when accumulate); element (i,k) of A is A[i*rsA + k*csA].
void gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsA, int64_t csA, const float* B, int64_t rsB,
          int64_t csB, float* C, int64_t ldc, bool accumulate);

//! The fast path's attention (float32): packed GEMMs around the reference's masked softmax, over the
//! cores; false where it does not apply (other types; the reference runs the layer).
bool runAttentionGemm(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);
//! Whether the fast path takes this attention call: query, key, value and output of `type` (float32, or
//! bfloat16 on oneDNN's products), a mask of booleans, float32 or `type`, no empty extent.
bool attentionFastPathApplies(const std::vector<TensorView>& inputs, const TensorView& output,
                              DataType type = DataType::kFLOAT);
//! The reference's scale, mask, causal triangle and softmax over the score rows of (batch, head) pairs
//! [first, last), in place: `scores` holds those pairs' [Sq, Sk] rows, pair `first` at its start.
void attentionSoftmaxRows(const ILayer& layer, const std::vector<TensorView>& inputs, float* scores, int64_t first,
                          int64_t last);
//! Calls fn(first, last) over ranges of [0, count) on up to one thread a core, as the work (about
//! `workPerItem` operations an item) allows.
void forEachRange(int64_t count, int64_t workPerItem, const std::function<void(int64_t, int64_t)>& fn);
//! The fast path's layer norm: normalization over trailing axes of float32 or bfloat16 rows, the
//! reference's arithmetic row by row (bit-identical to it on widened copies) with the rows over the
//! cores; false where it does not apply.
bool runNormalizationRows(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);
//! Whether runNormalizationRows takes this call.
bool normalizationRowsApply(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output);
//! The fast path's softmax over the last axis of float32 rows (with an additive mask contiguous along
//! the rows), expShiftedRowFast's arithmetic, the rows over the cores; false where it does not apply.
bool runSoftMaxRows(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);
//! The fast path's float32 or bfloat16 add, subtract, multiply and divide over the cores (bit-identical
//! to the reference on widened copies) for operands of the output's shape, scalars and trailing-dims
//! broadcasts; false elsewhere.
bool runElementWiseParallel(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);
//! Whether runElementWiseParallel takes this call.
bool elementWiseParallelApplies(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output);
//! The fast path's activation: the reference's routine over chunks on the cores (bit-identical); false
//! where it does not apply (not float32).
bool runActivationChunks(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);

//! The fast path's transpose: the reference's Shuffle data movement in contiguous runs over the cores
//! (bit-identical); false where it does not apply (no transpose, or two).
bool runShuffleParallel(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output);

//! y = activation(x) over chunks of the n values on the cores (applyActivation's arithmetic, bit for bit);
//! y may be x.
void applyActivationInChunks(ActivationType type, float alpha, float beta, const float* x, float* y, int64_t n);
//! The same in place on bfloat16 values: each computed in float32 as the reference does, rounded once.
void applyActivationInChunksBf16(ActivationType type, float alpha, float beta, uint16_t* y, int64_t n);

//! Applies an activation in place over n values.
void applyActivation(ActivationType type, float alpha, float beta, float* data, int64_t n);

//! Whether perm's first `rank` entries are 0, 1, ..., rank - 1.
bool isIdentity(const int32_t* perm, int rank);

//! Copies src (dims, elemSize) into dst permuted so that dst dim i is src dim perm[i].
void permuteCopy(const void* src, const Dims& dims, const int32_t* perm, void* dst, size_t elemSize);

// One kernel per layer kind, cpu::run<Stem>, declared from TRT_LAYER_KINDS (trt/types.h): a kind
// without its kernel fails to link. runNonZero gets the output's count already set
// (out.dims = [rank, countNonZero(input)]).
#define TRT_CPU_KERNEL_DECLARATION(name, stem, cpu16, cuda16) \
  void run##stem(const ILayer&, const std::vector<TensorView>&, TensorView&);
TRT_LAYER_KINDS(TRT_CPU_KERNEL_DECLARATION)
#undef TRT_CPU_KERNEL_DECLARATION
//! How many elements of `in` are nonzero (the data-dependent size of a NonZero output).
int64_t countNonZero(const TensorView& in);
//! An INT8 convolution (IConvolutionLayer::isInt8), channels-first.
void runInt8Convolution(const ILayer&, const std::vector<TensorView>&, TensorView&);
//! An INT8 matrix multiply (IMatrixMultiplyLayer::isInt8).
void runInt8MatrixMultiply(const ILayer&, const std::vector<TensorView>&, TensorView&);
//! An FP8 matrix multiply (IMatrixMultiplyLayer::isFp8), emulated: E4M3 operands, float32 sums.
void runFp8MatrixMultiply(const ILayer&, const std::vector<TensorView>&, TensorView&);

//! Throws Error when a kernel that only handles float32 gets another type.
void requireFloat32(const ILayer& layer, const TensorView& t, const char* what);

//! Runs `kernel` for a channels-last (NHWC) float32 layer on channels-first copies of its rank-4
//! inputs, writing the result back in NHWC: the CPU reference for the CUDA backend's NHWC kernels.
void runChannelsLastAsChannelsFirst(Kernel kernel, const ILayer& layer, const std::vector<TensorView>& inputs,
                                    TensorView& output);

}  // namespace cpu
}  // namespace trt
