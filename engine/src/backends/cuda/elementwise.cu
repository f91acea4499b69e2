// Elementwise kernels: broadcast binary ops, activations, casts.
#include <cuda_fp16.h>

#include <algorithm>

#include "backends/cuda/activation.cuh"
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "common/cast_value.h"
#include "common/elementwise_rules.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
constexpr int kThreads = 256;
// Grid-stride kernels: enough blocks of kThreads to fill an H200 (132 SMs x 2048 threads) about twice.
constexpr unsigned kMaxGridStrideBlocks = 2048;
inline unsigned blocksFor(int64_t n) { return static_cast<unsigned>((n + kThreads - 1) / kThreads); }

// Strides of an input as seen from the output shape (0 on broadcast dims), passed by value.
struct Broadcast {
  int rank;
  int64_t outDims[Dims::MAX_DIMS];
  int64_t strideA[Dims::MAX_DIMS];
  int64_t strideB[Dims::MAX_DIMS];
};

// Merges neighbouring dimensions that both inputs walk alike (both contiguous across them, or both
// broadcast), so [64,128,768] + [768] runs as [8192,768] + [768]: fewer divisions per element.
void coalesce(Broadcast& bc) {
  Broadcast out{};
  out.rank = 0;
  for (int d = 0; d < bc.rank; ++d) {
    if (bc.outDims[d] == 1) continue;
    if (out.rank > 0) {
      const int p = out.rank - 1;
      if (bc.strideA[d] * bc.outDims[d] == out.strideA[p] && bc.strideB[d] * bc.outDims[d] == out.strideB[p]) {
        out.outDims[p] *= bc.outDims[d];
        out.strideA[p] = bc.strideA[d];
        out.strideB[p] = bc.strideB[d];
        continue;
      }
    }
    out.outDims[out.rank] = bc.outDims[d];
    out.strideA[out.rank] = bc.strideA[d];
    out.strideB[out.rank] = bc.strideB[d];
    ++out.rank;
  }
  bc = out;
}

template <typename T>
__device__ T applyOp(ElementWiseOperation op, T a, T b) {
  switch (op) {
    case ElementWiseOperation::kSUM:
      return a + b;
    case ElementWiseOperation::kPROD:
      return a * b;
    case ElementWiseOperation::kSUB:
      return a - b;
    case ElementWiseOperation::kDIV:
      if constexpr (std::is_floating_point<T>::value) {
        return a / b;
      } else {
        return b == T(0) ? T(0) : elementwise_rules::truncDivInt(a, b);
      }
    case ElementWiseOperation::kMAX:
    case ElementWiseOperation::kMIN:
      if constexpr (std::is_floating_point<T>::value) {
        if (isnan(a) || isnan(b)) return a + b;  // NaN propagates as in PyTorch
      }
      return (op == ElementWiseOperation::kMAX ? a > b : a < b) ? a : b;
    case ElementWiseOperation::kPOW:
      if constexpr (std::is_integral<T>::value) {
        return elementwise_rules::powInt(a, b);
      } else {
        return static_cast<T>(pow(static_cast<double>(a), static_cast<double>(b)));
      }
    case ElementWiseOperation::kFLOOR_DIV:
      if constexpr (std::is_floating_point<T>::value) {
        return elementwise_rules::floorDivFloat(a, b);
      } else {
        return b == T(0) ? T(0) : elementwise_rules::floorDivInt(a, b);
      }
    case ElementWiseOperation::kFMOD:
      if constexpr (!std::is_floating_point<T>::value) {
        if (b == T(0)) return T(0);
      }
      return elementwise_rules::fmodValue(a, b);
    case ElementWiseOperation::kREMAINDER:
      if constexpr (!std::is_floating_point<T>::value) {
        if (b == T(0)) return T(0);
      }
      return elementwise_rules::remainderValue(a, b);
    case ElementWiseOperation::kATAN2:
      if constexpr (std::is_floating_point<T>::value) return elementwise_rules::atan2Value(a, b);
      return a;
    case ElementWiseOperation::kBITWISE_AND:
    case ElementWiseOperation::kBITWISE_OR:
    case ElementWiseOperation::kBITWISE_XOR:
      if constexpr (std::is_integral<T>::value) {
        return op == ElementWiseOperation::kBITWISE_AND  ? static_cast<T>(a & b)
               : op == ElementWiseOperation::kBITWISE_OR ? static_cast<T>(a | b)
                                                         : static_cast<T>(a ^ b);
      }
      return a;
    case ElementWiseOperation::kAND:
      return static_cast<T>(a && b);
    case ElementWiseOperation::kOR:
      return static_cast<T>(a || b);
    case ElementWiseOperation::kXOR:
      return static_cast<T>((a != 0) != (b != 0));
    default:
      return a;
  }
}

// Half and bfloat16 compute in float; every other type in itself.
template <typename T>
struct ComputeType {
  using type = T;
};
template <>
struct ComputeType<__half> {
  using type = float;
};
template <>
struct ComputeType<__nv_bfloat16> {
  using type = float;
};

template <typename T, typename I>
__global__ void binaryKernel(ElementWiseOperation op, const T* a, const T* b, void* out, Broadcast bc, int64_t n,
                             bool compare) {
  using C = typename ComputeType<T>::type;
  const I i = static_cast<I>(blockIdx.x) * static_cast<I>(blockDim.x) + static_cast<I>(threadIdx.x);
  if (i >= static_cast<I>(n)) return;
  // Index math in 32 bits when the tensor allows (64-bit division is several times slower).
  I rem = i, oa = 0, ob = 0;
  for (int d = bc.rank - 1; d >= 0; --d) {
    const I dim = static_cast<I>(bc.outDims[d]);
    I idx = rem % dim;
    rem /= dim;
    oa += idx * static_cast<I>(bc.strideA[d]);
    ob += idx * static_cast<I>(bc.strideB[d]);
  }
  C x = static_cast<C>(a[oa]), y = static_cast<C>(b[ob]);
  if (compare) {
    bool r = op == ElementWiseOperation::kEQUAL ? x == y : op == ElementWiseOperation::kGREATER ? x > y : x < y;
    static_cast<uint8_t*>(out)[i] = r;
  } else {
    static_cast<T*>(out)[i] = static_cast<T>(applyOp<C>(op, x, y));
  }
}

template <typename T>
__global__ void activationKernel(Activate f, const T* src, T* dst, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i < n) store(dst, i, f.as<T>(load(src, i)));
}

// An activation over n elements: 16 bytes per thread when aligned (GELU over BERT's FFN output is
// memory-bound; scalar half loads reached a third of the bandwidth).
// The transformers' and CNNs' usual activations get kernels of their own (ActivateAs).
template <typename T>
void launchActivationKernel(LaunchContext& ctx, Activate f, const T* src, T* dst, int64_t n) {
  if (!allAligned16({src, dst})) {
    activationKernel<<<blocksFor(n), kThreads, 0, ctx.stream>>>(f, src, dst, n);
    return;
  }
  const unsigned blocks = vectorBlocks<T>(n, kThreads);
  auto map = [&](auto fn) { mapVectorKernel<<<blocks, kThreads, 0, ctx.stream>>>(src, dst, n, fn); };
  switch (f.type) {
    case ActivationType::kGELU_ERF:
      return map(ActivateAs<ActivationType::kGELU_ERF, T>{f.alpha, f.beta});
    case ActivationType::kGELU_TANH:
      return map(ActivateAs<ActivationType::kGELU_TANH, T>{f.alpha, f.beta});
    case ActivationType::kSILU:
      return map(ActivateAs<ActivationType::kSILU, T>{f.alpha, f.beta});
    case ActivationType::kRELU:
      return map(ActivateAs<ActivationType::kRELU, T>{f.alpha, f.beta});
    case ActivationType::kSIGMOID:
      return map(ActivateAs<ActivationType::kSIGMOID, T>{f.alpha, f.beta});
    default:
      return map(f);
  }
}

struct ApplyOp {
  ElementWiseOperation op;
  __device__ float operator()(float a, float b) const { return applyOp<float>(op, a, b); }
};

// Both inputs of the output's shape (residual adds, most elementwise work in CNNs): no index math.
template <typename T>
__global__ void sameShapeKernel(ElementWiseOperation op, const T* a, const T* b, T* out, int64_t n) {
  using C = typename ComputeType<T>::type;
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  out[i] = static_cast<T>(applyOp<C>(op, static_cast<C>(a[i]), static_cast<C>(b[i])));
}

// One operand of the output's shape (`full`), the other (`part`) broadcast to it such that
// part's element for output i is (i / span) * inner + i % inner: [N, C, H, W] with [N, C, 1, 1]
// (span H*W, inner 1; the SE excitation in NCHW), [N, H, W, C] with [N, 1, 1, C] (span H*W*C,
// inner C; in NHWC), [M, C] with [C] (span M*C, inner C; biases), a scalar (span n, inner 1).
// 16-byte accesses of full and out, part read element by element (small, cache-resident); two
// divisions per vector, then the indices advance by increments. Grid-stride over the vectors;
// the elements after the last whole vector go to the first threads. Same float math and rounding
// as binaryKernel. Swapped: part is the first operand (op(part, full)).
template <typename T, bool Swapped>
__global__ void broadcastVectorKernel(ElementWiseOperation op, const T* full, const T* part, T* out, int64_t n,
                                      int64_t span, int64_t inner) {
  constexpr int V = kVectorElems<T>;
  const int64_t vectors = n / V, stride = static_cast<int64_t>(gridDim.x) * blockDim.x;
  const int64_t tid = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  auto apply = [op](float x, float y) { return Swapped ? applyOp<float>(op, y, x) : applyOp<float>(op, x, y); };
  for (int64_t v = tid; v < vectors; v += stride) {
    const int64_t first = v * V;
    int64_t q = first / span, r = first - q * span, c = r % inner;
    uint4 raw = *reinterpret_cast<const uint4*>(full + first);
    T* e = reinterpret_cast<T*>(&raw);
#pragma unroll
    for (int k = 0; k < V; ++k) {
      e[k] = fromFloat<T>(apply(toFloat(e[k]), toFloat(part[q * inner + c])));
      if (++c == inner) c = 0;
      if (++r == span) {  // span is a multiple of inner: c wrapped to 0 too
        r = 0;
        ++q;
      }
    }
    *reinterpret_cast<uint4*>(out + first) = raw;
  }
  for (int64_t i = vectors * V + tid; i < n; i += stride)
    out[i] = fromFloat<T>(apply(toFloat(full[i]), toFloat(part[(i / span) * inner + i % inner])));
}

// The (span, inner) of broadcastVectorKernel for a broadcast operand's coalesced strides
// ([outer kept][middle broadcast][inner kept], each part optional); false for other patterns.
bool spanPattern(const Broadcast& bc, const int64_t* strides, int64_t& span, int64_t& inner) {
  int d = bc.rank - 1;
  inner = 1;
  if (d >= 0 && strides[d] != 0) {
    if (strides[d] != 1) return false;
    inner = bc.outDims[d--];
  }
  int64_t middle = 1;
  if (d >= 0 && strides[d] == 0) middle = bc.outDims[d--];
  if (d >= 0 && strides[d--] != inner) return false;
  span = middle * inner;
  return d < 0 && span > 0;
}

template <typename S, typename D>
__global__ void castKernel(const S* src, D* dst, int64_t n) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  if constexpr (std::is_same<D, uint8_t>::value) {  // bool
    dst[i] = static_cast<D>(static_cast<float>(src[i]) != 0.f);
  } else if constexpr (std::is_integral<S>::value && std::is_integral<D>::value) {
    dst[i] = static_cast<D>(src[i]);
  } else if constexpr (std::is_integral<D>::value) {
    // Floating to integer: the conversion instructions saturate; NaN gives 0 (as the CPU reference).
    const float f = static_cast<float>(src[i]);
    dst[i] = f != f ? D(0) : static_cast<D>(f);
  } else {
    dst[i] = static_cast<D>(static_cast<float>(src[i]));
  }
}

// float32 <-> float16, four elements a thread (one 16-byte float load or store, one 8-byte half one): an FP16
// engine's float32 input and output casts (ResNet-50's 64x3x224x224 input took 33 us at batch 64 on an H100, twice
// its bytes' time, one element a thread). `quads` = n / 4; the first thread also casts the n % 4 last elements.
__global__ void castFloatToHalf4Kernel(const float4* src, uint2* dst, int64_t quads, const float* tailSrc,
                                       __half* tailDst, int tail) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i == 0)
    for (int k = 0; k < tail; ++k) tailDst[k] = __float2half_rn(tailSrc[k]);
  if (i >= quads) return;
  const float4 v = src[i];
  uint2 out;
  __half2* h = reinterpret_cast<__half2*>(&out);
  h[0] = __floats2half2_rn(v.x, v.y);
  h[1] = __floats2half2_rn(v.z, v.w);
  dst[i] = out;
}

__global__ void castHalfToFloat4Kernel(const uint2* src, float4* dst, int64_t quads, const __half* tailSrc,
                                       float* tailDst, int tail) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i == 0)
    for (int k = 0; k < tail; ++k) tailDst[k] = __half2float(tailSrc[k]);
  if (i >= quads) return;
  const uint2 raw = src[i];
  const __half2* h = reinterpret_cast<const __half2*>(&raw);
  const float2 a = __half22float2(h[0]), b = __half22float2(h[1]);
  dst[i] = make_float4(a.x, a.y, b.x, b.y);
}

// The four-a-thread cast where both sides allow it (float side 16-byte, half side 8-byte aligned); false otherwise.
bool castFloatHalfVectors(LaunchContext& ctx, const void* src, DataType from, TensorView& out, int64_t n) {
  const bool toHalf = from == DataType::kFLOAT && out.type == DataType::kHALF;
  const bool toFloat = from == DataType::kHALF && out.type == DataType::kFLOAT;
  if ((!toHalf && !toFloat) || n < 4) return false;
  const uintptr_t floatSide = reinterpret_cast<uintptr_t>(toHalf ? src : out.data),
                  halfSide = reinterpret_cast<uintptr_t>(toHalf ? out.data : src);
  if (floatSide % 16 != 0 || halfSide % 8 != 0) return false;
  const int64_t quads = n / 4;
  const int tail = static_cast<int>(n % 4);
  const unsigned g = blocksFor(quads);
  if (toHalf) {
    const auto* f = static_cast<const float*>(src);
    auto* h = static_cast<__half*>(out.data);
    castFloatToHalf4Kernel<<<g, kThreads, 0, ctx.stream>>>(
        reinterpret_cast<const float4*>(f), reinterpret_cast<uint2*>(h), quads, f + quads * 4, h + quads * 4, tail);
  } else {
    const auto* h = static_cast<const __half*>(src);
    auto* f = static_cast<float*>(out.data);
    castHalfToFloat4Kernel<<<g, kThreads, 0, ctx.stream>>>(
        reinterpret_cast<const uint2*>(h), reinterpret_cast<float4*>(f), quads, h + quads * 4, f + quads * 4, tail);
  }
  return true;
}

// Casts involving bfloat16, uint8 or int8: element by element as the CPU reference (common/cast_value.h).
__global__ void genericCastKernel(const void* src, DataType from, void* dst, DataType to, int64_t n) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= n) return;
  cast_value::castElement(src, from, dst, to, i);
}

bool needsGenericCast(DataType t) { return t == DataType::kBF16 || t == DataType::kUINT8 || t == DataType::kINT8; }

template <typename S>
void castFrom(LaunchContext& ctx, const S* src, TensorView& out, int64_t n, const ILayer& layer) {
  unsigned g = blocksFor(n);
  switch (out.type) {
    case DataType::kFLOAT:
      castKernel<<<g, kThreads, 0, ctx.stream>>>(src, static_cast<float*>(out.data), n);
      return;
    case DataType::kHALF:
      castKernel<<<g, kThreads, 0, ctx.stream>>>(src, static_cast<__half*>(out.data), n);
      return;
    case DataType::kINT32:
      castKernel<<<g, kThreads, 0, ctx.stream>>>(src, static_cast<int32_t*>(out.data), n);
      return;
    case DataType::kINT64:
      castKernel<<<g, kThreads, 0, ctx.stream>>>(src, static_cast<int64_t*>(out.data), n);
      return;
    case DataType::kBOOL:
      castKernel<<<g, kThreads, 0, ctx.stream>>>(src, static_cast<uint8_t*>(out.data), n);
      return;
    default:
      throw Error(layer.describe() + ": the CUDA backend cannot cast to " + dataTypeName(out.type));
  }
}
}  // namespace

void activationInPlace(LaunchContext& ctx, ActivationType type, float alpha, float beta, void* data, DataType dtype,
                       int64_t n) {
  if (n == 0) return;
  dispatchFloating(dtype, "activation", [&](auto tag) {
    using T = decltype(tag);
    launchActivationKernel(ctx, Activate{type, alpha, beta}, static_cast<const T*>(data), static_cast<T*>(data), n);
  });
  check(cudaGetLastError(), "activation kernel launch");
}

void launchActivation(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& act = static_cast<const IActivationLayer&>(layer);
  const int64_t n = out.dims.volume();
  dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    launchActivationKernel(ctx, Activate{act.getActivationType(), act.getAlpha(), act.getBeta()},
                           static_cast<const T*>(in[0].data), static_cast<T*>(out.data), n);
  });
  check(cudaGetLastError(), "activation kernel launch");
}

void launchElementWise(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto op = static_cast<const IElementWiseLayer&>(layer).getOperation();
  Broadcast bc{};
  bc.rank = out.dims.nbDims;
  for (int i = 0; i < bc.rank; ++i) bc.outDims[i] = out.dims.d[i];
  layer_util::broadcastStrides(in[0].dims, out.dims, bc.strideA);
  layer_util::broadcastStrides(in[1].dims, out.dims, bc.strideB);
  const int64_t n = out.dims.volume();
  const bool compare =
      op == ElementWiseOperation::kEQUAL || op == ElementWiseOperation::kGREATER || op == ElementWiseOperation::kLESS;
  unsigned g = blocksFor(n);
  if (!compare && in[0].dims == out.dims && in[1].dims == out.dims && isFloatingStorage(in[0].type)) {
    dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      const T* a = static_cast<const T*>(in[0].data);
      const T* b = static_cast<const T*>(in[1].data);
      T* y = static_cast<T*>(out.data);
      if (allAligned16({a, b, y}))
        zipVectorKernel<<<vectorBlocks<T>(n, kThreads), kThreads, 0, ctx.stream>>>(a, b, y, n, ApplyOp{op});
      else
        sameShapeKernel<<<g, kThreads, 0, ctx.stream>>>(op, a, b, y, n);
    });
    check(cudaGetLastError(), "elementwise kernel launch");
    return;
  }
  coalesce(bc);
  // One operand full and the other broadcast along a pattern broadcastVectorKernel indexes.
  const int fullSide = in[0].dims == out.dims ? 0 : in[1].dims == out.dims ? 1 : -1;
  int64_t span = 0, inner = 0;
  if (!compare && fullSide >= 0 && isFloatingStorage(in[0].type) && n > 0 &&
      spanPattern(bc, fullSide == 0 ? bc.strideB : bc.strideA, span, inner) &&
      allAligned16({in[fullSide].data, out.data})) {
    dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      const T* full = static_cast<const T*>(in[fullSide].data);
      const T* part = static_cast<const T*>(in[1 - fullSide].data);
      T* y = static_cast<T*>(out.data);
      const unsigned blocks = std::min(vectorBlocks<T>(n, kThreads), kMaxGridStrideBlocks);
      if (fullSide == 0)
        broadcastVectorKernel<T, false><<<blocks, kThreads, 0, ctx.stream>>>(op, full, part, y, n, span, inner);
      else
        broadcastVectorKernel<T, true><<<blocks, kThreads, 0, ctx.stream>>>(op, full, part, y, n, span, inner);
    });
    check(cudaGetLastError(), "elementwise kernel launch");
    return;
  }
  auto launch = [&](auto tag) {
    using T = decltype(tag);
    const T* a = static_cast<const T*>(in[0].data);
    const T* b = static_cast<const T*>(in[1].data);
    if (n < (int64_t(1) << 31))
      binaryKernel<T, uint32_t><<<g, kThreads, 0, ctx.stream>>>(op, a, b, out.data, bc, n, compare);
    else
      binaryKernel<T, int64_t><<<g, kThreads, 0, ctx.stream>>>(op, a, b, out.data, bc, n, compare);
  };
  switch (in[0].type) {
    case DataType::kFLOAT:
      launch(float{});
      break;
    case DataType::kHALF:
      launch(__half{});
      break;
    case DataType::kBF16:
      launch(__nv_bfloat16{});
      break;
    case DataType::kINT32:
      launch(int32_t{});
      break;
    case DataType::kINT64:
      launch(int64_t{});
      break;
    case DataType::kBOOL:
    case DataType::kUINT8:  // PyTorch's uint8 arithmetic wraps modulo 256, as uint8_t's does
      launch(uint8_t{});
      break;
    case DataType::kINT8:  // torch.int8 tensors' arithmetic (not quantized codes), wrapping as PyTorch's
      launch(int8_t{});
      break;
    default:
      throw Error(layer.describe() + ": the CUDA backend has no elementwise kernel for " + dataTypeName(in[0].type));
  }
  check(cudaGetLastError(), "elementwise kernel launch");
}

void launchIdentity(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const int64_t n = out.dims.volume();
  if (in[0].type == out.type) {
    if (out.data != in[0].data)
      check(cudaMemcpyAsync(out.data, in[0].data, n * dataTypeSize(out.type), cudaMemcpyDeviceToDevice, ctx.stream),
            "copy");
    return;
  }
  if (needsGenericCast(in[0].type) || needsGenericCast(out.type)) {
    if (in[0].type == DataType::kFP8 || out.type == DataType::kFP8)
      throw Error(layer.describe() + ": the CUDA backend cannot cast between " + dataTypeName(in[0].type) + " and " +
                  dataTypeName(out.type));
    if (n > 0)
      genericCastKernel<<<blocksFor(n), kThreads, 0, ctx.stream>>>(in[0].data, in[0].type, out.data, out.type, n);
    check(cudaGetLastError(), "cast kernel launch");
    return;
  }
  if (castFloatHalfVectors(ctx, in[0].data, in[0].type, out, n)) {
    check(cudaGetLastError(), "cast kernel launch");
    return;
  }
  switch (in[0].type) {
    case DataType::kFLOAT:
      castFrom(ctx, static_cast<const float*>(in[0].data), out, n, layer);
      break;
    case DataType::kHALF:
      castFrom(ctx, static_cast<const __half*>(in[0].data), out, n, layer);
      break;
    case DataType::kINT32:
      castFrom(ctx, static_cast<const int32_t*>(in[0].data), out, n, layer);
      break;
    case DataType::kINT64:
      castFrom(ctx, static_cast<const int64_t*>(in[0].data), out, n, layer);
      break;
    case DataType::kBOOL:
      castFrom(ctx, static_cast<const uint8_t*>(in[0].data), out, n, layer);
      break;
    default:
      throw Error(layer.describe() + ": the CUDA backend cannot cast from " + dataTypeName(in[0].type));
  }
  check(cudaGetLastError(), "cast kernel launch");
}

}  // namespace cuda
}  // namespace trt
