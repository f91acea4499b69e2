// INT8 convolutions of channels-last (NHWC) regions: the FP16 input quantized into INT8 NHWC with its channels
// padded to a multiple of 16 (the rows TMA loads), then CUTLASS's sm_90a implicit GEMM (cutlass_conv.h) sums the
// INT8 products in INT32 and its epilogue writes act(sum * s_in * s_w[k] + bias[k] + residual) in FP16: no
// patch matrix and no INT32 sums in memory, unlike the channels-first path (convolution_int8.cu). Between INT8
// convolutions (builder/passes/int8_convolution_chaining.cpp) the input may be INT8 codes already, and the output
// INT8 codes written by the epilogue (its alpha and bias divided by the output scale at upload).
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/cutlass_conv.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/tactic_timing.cuh"
#include "common/int8.h"
#include "layers/conv_geometry.h"
#include "layers/layer_util.h"

namespace trt {
namespace cuda {

namespace {
constexpr int64_t kChannelAlignment = 16;
inline int64_t paddedChannels(int64_t c) { return (c + kChannelAlignment - 1) / kChannelAlignment * kChannelAlignment; }

// q[pos][c] = quantize(x[pos][c]) for rows of `channels` 16-bit values, padded with zeros to `padded`; four
// channels a thread (one 4-byte store).
template <typename T>
__global__ void quantizeRowsKernel(const T* x, int64_t positions, int32_t channels, int32_t padded, float inverseScale,
                                   char4* q) {
  const int32_t quads = padded / 4;
  const int64_t total = positions * quads, step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total; i += step) {
    const int64_t position = i / quads;
    const int32_t c = static_cast<int32_t>(i - position * quads) * 4;
    const T* row = x + position * channels;
    char4 v;
    v.x = c < channels ? int8::quantize(load(row, c), inverseScale) : 0;
    v.y = c + 1 < channels ? int8::quantize(load(row, c + 1), inverseScale) : 0;
    v.z = c + 2 < channels ? int8::quantize(load(row, c + 2), inverseScale) : 0;
    v.w = c + 3 < channels ? int8::quantize(load(row, c + 3), inverseScale) : 0;
    q[i] = v;
  }
}

// y[i] = half(q[i] * scale): an INT8 residual for a convolution writing FP16 (whose kernels add an FP16 residual).
__global__ void dequantizeToHalfKernel(const int8_t* q, float scale, __half* y, int64_t total) {
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < total; i += step)
    y[i] = __float2half_rn(static_cast<float>(q[i]) * scale);
}

unsigned gridFor(int64_t work) { return static_cast<unsigned>(std::min<int64_t>((work + 255) / 256, 65536)); }

// The CUTLASS problem of `conv` with channels-first input and output dims `in` and `out` (no addresses).
Int8ConvProblem int8Problem(const IConvolutionLayer& conv, const Dims& in, const Dims& out) {
  const ConvGeometry g = convGeometry(conv, in, out);
  Int8ConvProblem p;
  p.N = in.d[0];
  p.C = paddedChannels(in.d[1]);
  p.H = g.in[1];
  p.W = g.in[2];
  p.K = out.d[1];
  p.R = g.k[1];
  p.S = g.k[2];
  p.P = g.out[1];
  p.Q = g.out[2];
  p.padH = static_cast<int32_t>(g.pad[1]);
  p.padW = static_cast<int32_t>(g.pad[2]);
  p.strideH = static_cast<int32_t>(g.stride[1]);
  p.strideW = static_cast<int32_t>(g.stride[2]);
  p.dilationH = static_cast<int32_t>(g.dil[1]);
  p.dilationW = static_cast<int32_t>(g.dil[2]);
  p.relu = conv.getFusedActivation() == static_cast<int32_t>(ActivationType::kRELU);
  return p;
}

// Without a timed choice: a 1x1 convolution of stride 1 is a product, the persistent ping-pong GEMM (128 x 64 tiles
// for 64 output maps); else 64 input channels fill half of a 128-channel stage, the 64-channel one; 64 output maps
// fill half of a 128-wide tile, the 128 x 64 configuration. The preferred one where CUTLASS takes it, else the
// first it takes (0 where none does: the launch then says so).
int32_t configFor(const Int8ConvProblem& p) {
  const int32_t preferred = int8ConvIsPointwise(p) ? (p.K <= 64 ? 4 : 3) : p.C <= 64 ? 2 : p.K <= 64 ? 1 : 0;
  if (int8ConvWorkspace(preferred, p) == 0) return preferred;
  for (int32_t config = 0; config < int8ConvConfigs(); ++config)
    if (int8ConvWorkspace(config, p) == 0) return config;
  return 0;
}

// The tile configuration, as the other tactics: the plan's (the builder timed it), else in the builder's tuning run
// each configuration CUTLASS takes timed (or the timing cache's answer), recorded as {config, kInt8CutlassPath} for
// the plan, else the size rule. Keyed by the input's dims; the timing cache by everything that decides the timing.
constexpr int64_t kInt8CutlassPath = 4;
int32_t chooseConfig(LaunchContext& ctx, const IConvolutionLayer& conv, const TensorView& input,
                     const Int8ConvProblem& p) {
  // Asked only without a plan's or a timed choice (CUTLASS's checks cost host time at every call).
  const auto fallback = [&] { return configFor(p); };
  if (!ctx.timingAllowed && ctx.plannedTactics.empty()) return fallback();
  const std::vector<int64_t> shape(input.dims.d, input.dims.d + input.dims.nbDims);
  auto usable = [&](int64_t config) { return config >= 0 && config < int8ConvConfigs(); };
  if (const auto* planned = ctx.plannedTactic(&conv, shape))
    return planned->size() == 2 && (*planned)[1] == kInt8CutlassPath && usable((*planned)[0])
               ? static_cast<int32_t>((*planned)[0])
               : fallback();
  if (!ctx.timingAllowed) return fallback();
  // Led by the kind and a mark no cuDNN version has (-1: CUTLASS's INT8 convolution, -42: CUTLASS 4.2).
  std::vector<int64_t> signature = {static_cast<int64_t>(LayerType::kCONVOLUTION), -1, -42};
  for (int64_t v : int8ConvExtents(p)) signature.push_back(v);
  signature.insert(signature.end(), {p.bias ? 1 : 0, p.residual ? 1 : 0, p.relu ? 1 : 0, int8ConvConfigs()});
  if (p.codesOut) signature.push_back(8);       // INT8 codes out (the entries of FP16 outputs as before)
  if (p.residualCodes) signature.push_back(9);  // an INT8 residual
  int32_t best = -1;
  if (ctx.timingCache) {
    const auto cached = ctx.timingCache->find(signature);
    if (cached != ctx.timingCache->end() && cached->second.size() == 1 && usable(cached->second[0]))
      best = static_cast<int32_t>(cached->second[0]);
  }
  if (best < 0) {
    float bestMs = -1.f;
    for (int32_t config = 0; config < int8ConvConfigs(); ++config) {
      if (int8ConvWorkspace(config, p) != 0) continue;
      bool ran = true;
      const float ms = timeOnStream(ctx, [&]() { ran = runInt8Conv(config, p, nullptr, ctx.stream) && ran; });
      if (ran && (bestMs < 0.f || ms < bestMs)) {
        bestMs = ms;
        best = config;
      }
    }
    if (best < 0) return fallback();
    if (ctx.timingCache) (*ctx.timingCache)[signature] = {best};
  }
  ctx.recordTactic(&conv, shape, {best, kInt8CutlassPath});
  return best;
}
}  // namespace

std::string describeInt8ConvolutionTactic(const std::vector<int64_t>& choice) {
  return choice.size() == 2 && choice[1] == kInt8CutlassPath && choice[0] >= 0 && choice[0] < int8ConvConfigs()
             ? int8ConvConfigName(static_cast<int32_t>(choice[0]))
             : std::string();
}

namespace {
// Whether CUTLASS takes `conv` in some configuration, asked of a channels-first convolution by the layout pass and of
// a channels-last one (its dims NHWC, its input perhaps INT8 codes) by the INT8 chaining passes; with `codesOut`,
// of the kernels that write INT8 codes after a ReLU.
bool cutlassTakes(const IConvolutionLayer& conv, bool codesOut) {
  const DataType inputType = conv.getInput(0)->getType();
  Dims in = conv.getInput(0)->getDimensions(), out = conv.getOutput(0)->getDimensions();
  if (!int8ConvAvailable() || conv.getKernelSizeNd().nbDims != 2 || conv.getNbGroups() != 1 || in.nbDims != 4 ||
      !in.isStatic() || !out.isStatic() || conv.getNbOutputMaps() % 8 ||
      (inputType != DataType::kHALF && !(inputType == DataType::kINT8 && conv.getChannelsLast())))
    return false;
  if (conv.getChannelsLast()) {
    in = layer_util::channelsFirst(in);
    out = layer_util::channelsFirst(out);
  }
  // CUTLASS's own checks (TMA's im2col limits on padding and window), on stand-in addresses it only checks.
  Int8ConvProblem p = int8Problem(conv, in, out);
  static const int64_t aligned = 256;
  p.input = p.filter = p.output = reinterpret_cast<void*>(aligned);
  p.alpha = reinterpret_cast<const float*>(aligned);
  p.codesOut = codesOut;
  if (codesOut) p.relu = true;
  for (int32_t config = 0; config < int8ConvConfigs(); ++config)
    if (int8ConvWorkspace(config, p) == 0) return true;
  return false;
}
}  // namespace

bool int8ConvolutionRunsChannelsLast(const IConvolutionLayer& conv) { return cutlassTakes(conv, false); }

bool int8ConvolutionPays(const IConvolutionLayer& conv) {
  // The INT8 kernels read 16 channels a tap (the tensor cores' K step): an RGB stem's 3 channels padded to 16 did
  // 5x the work, and ResNet-50's 7x7 stem took 1.82 of the INT8 engine's 3.39 ms at batch 64 on an H100 (its input
  // quantization, 51 MB of padded codes, 0.07 more) where the FP16 engine's whole network took 2.17. Grouped and
  // depthwise convolutions of fewer channels a group would run channels-first, a GEMM per group (CUTLASS's INT8
  // kernels take one group), where their float form has the own channels-last kernels.
  const Dims in = conv.getInput(0)->getDimensions();
  const int64_t groups = conv.getNbGroups();
  if (in.nbDims < 3 || in.d[1] < 0 || groups <= 0) return true;
  return in.d[1] / groups >= 16;
}

bool int8ConvolutionReadsCodes(const IConvolutionLayer& conv) {
  // Channels a multiple of 16: the codes' rows are what TMA loads, unpadded.
  const Dims in = conv.getInput(0)->getDimensions();
  return conv.getChannelsLast() && in.nbDims == 4 && in.d[3] % 16 == 0 && cutlassTakes(conv, false);
}

bool int8ConvolutionWritesCodes(const IConvolutionLayer& conv) {
  // The one requantizing epilogue built: after a ReLU (with an FP16 or INT8 residual or none); 16 codes a vector.
  return conv.getChannelsLast() && conv.getFusedActivation() == static_cast<int32_t>(ActivationType::kRELU) &&
         conv.getNbOutputMaps() % 16 == 0 && cutlassTakes(conv, true);
}

bool int8ConvolutionReadsResidualCodes(const IConvolutionLayer& conv) {
  // Into codes out the epilogue reads them (16 a vector); into FP16 out the launch turns them into FP16 first.
  return conv.getChannelsLast() && conv.getNbInputs() == 2 && conv.getNbOutputMaps() % 16 == 0 &&
         cutlassTakes(conv, false);
}

std::vector<int8_t> quantizedChannelsLastWeights(const IConvolutionLayer& conv) {
  // Float [K][C][R][S] (one group) -> INT8 [K][R][S][Cp], each output map with its own scale.
  const Weights w = conv.getKernelWeights();
  const int64_t K = conv.getNbOutputMaps(), R = conv.getKernelSizeNd().d[0], S = conv.getKernelSizeNd().d[1];
  const int64_t C = w.count / (K * R * S), Cp = paddedChannels(C);
  const auto* values = static_cast<const float*>(w.values);
  const std::vector<float>& scales = conv.getInt8WeightScales();
  std::vector<int8_t> q(static_cast<size_t>(K * R * S * Cp), 0);
  for (int64_t k = 0; k < K; ++k) {
    const float inverse = int8::inverse(scales[k]);
    for (int64_t c = 0; c < C; ++c)
      for (int64_t r = 0; r < R; ++r)
        for (int64_t s = 0; s < S; ++s)
          q[((k * R + r) * S + s) * Cp + c] = int8::quantize(values[((k * C + c) * R + r) * S + s], inverse);
  }
  return q;
}

void launchInt8ConvolutionChannelsLast(LaunchContext& ctx, const IConvolutionLayer& conv,
                                       const std::vector<TensorView>& in, TensorView& out) {
  const bool codesIn = in[0].type == DataType::kINT8, codesOut = out.type == DataType::kINT8;
  if ((in[0].type != DataType::kHALF && !codesIn) || (out.type != DataType::kHALF && !codesOut))
    throw Error(conv.describe() +
                ": the CUDA channels-last INT8 convolution reads float16 or int8 codes and writes "
                "float16 or int8 codes");
  // A grouped one set channels-last through the API: CUTLASS's kernel and the packed weights are for one group.
  if (conv.getNbGroups() != 1 || conv.getKernelSizeNd().nbDims != 2)
    throw Error(conv.describe() + ": the CUDA channels-last INT8 convolution is 2-D with one group (this one has " +
                std::to_string(conv.getNbGroups()) + " groups); leave it channels-first");
  const Dims inDims = layer_util::channelsFirst(in[0].dims), outDims = layer_util::channelsFirst(out.dims);
  Int8ConvProblem p = int8Problem(conv, inDims, outDims);
  const int64_t positions = p.N * p.H * p.W, channels = inDims.d[1];
  if (positions == 0 || p.P * p.Q == 0) return;
  if (codesIn && (channels != p.C || reinterpret_cast<uintptr_t>(in[0].data) % 16 != 0))
    throw Error(conv.describe() + ": int8 codes in need channels in multiples of 16 at a 16-byte aligned address (" +
                std::to_string(channels) + " channels); rebuild the engine");
  if (codesOut && (conv.getInt8OutputScale() <= 0.f || !p.relu || p.K % 16 != 0))
    throw Error(conv.describe() +
                ": int8 codes out need an output scale, a ReLU and output maps in multiples of 16; rebuild the engine");
  const bool residualCodes = in.size() > 1 && in[1].type == DataType::kINT8;
  if (in.size() > 1 && in[1].type != DataType::kHALF && !residualCodes)
    throw Error(conv.describe() + ": the CUDA channels-last INT8 convolution adds a float16 or int8 residual, got " +
                dataTypeName(in[1].type));
  if (residualCodes && (conv.getInt8ResidualScale() <= 0.f || p.K % 16 != 0))
    throw Error(conv.describe() +
                ": an int8 residual needs a residual scale and output maps in multiples of 16; rebuild the engine");
  p.codesOut = codesOut;
  // Codes out: the epilogue divides by the output scale (alpha and bias were at upload), the residual's factor too.
  const float outputInverse = codesOut ? int8::inverse(conv.getInt8OutputScale()) : 1.f;
  // An INT8 residual into FP16 out is turned into FP16 first (the FP16 kernels add an FP16 residual).
  const bool residualToHalf = residualCodes && !codesOut;
  p.residualCodes = residualCodes && codesOut;
  p.residualScale = p.residualCodes ? conv.getInt8ResidualScale() * outputInverse : outputInverse;
  const size_t outputElementBytes = codesOut ? 1 : 2;
  // The quantized input (none when codes come in), then CUTLASS's workspace (none for these kernels), each
  // 256-byte aligned.
  const size_t quantizedBytes = codesIn ? 0 : (static_cast<size_t>(positions * p.C) + 255) / 256 * 256;
  // TMA needs 16-byte aligned tensors: a residual or output bound at another address (a user's binding read or
  // written in place) goes through aligned scratch after the quantized input.
  const size_t outputBytes = (static_cast<size_t>(out.dims.volume()) * outputElementBytes + 255) / 256 * 256;
  // An INT8 residual turned into FP16 goes to scratch too.
  const bool residualMoved = in.size() > 1 && (residualToHalf || reinterpret_cast<uintptr_t>(in[1].data) % 16 != 0);
  const size_t residualElementBytes = residualCodes && !residualToHalf ? 1 : 2;
  const size_t residualBytes = (static_cast<size_t>(out.dims.volume()) * residualElementBytes + 255) / 256 * 256;
  const bool outputMoved = reinterpret_cast<uintptr_t>(out.data) % 16 != 0;
  const size_t scratchBytes = quantizedBytes + (residualMoved ? residualBytes : 0) + (outputMoved ? outputBytes : 0);
  auto* scratch = scratchBytes > 0 ? static_cast<int8_t*>(ctx.scratch(scratchBytes)) : nullptr;
  void* residualCopy = residualMoved ? scratch + quantizedBytes : nullptr;
  void* outputCopy = outputMoved ? scratch + quantizedBytes + (residualMoved ? residualBytes : 0) : nullptr;
  if (residualToHalf) {
    const int64_t total = out.dims.volume();
    dequantizeToHalfKernel<<<gridFor(total), 256, 0, ctx.stream>>>(
        static_cast<const int8_t*>(in[1].data), conv.getInt8ResidualScale(), static_cast<__half*>(residualCopy), total);
    check(cudaGetLastError(), "INT8 residual to float16 kernel launch");
  } else if (residualMoved) {
    check(cudaMemcpyAsync(residualCopy, in[1].data, static_cast<size_t>(out.dims.volume()) * residualElementBytes,
                          cudaMemcpyDeviceToDevice, ctx.stream),
          "cudaMemcpyAsync (INT8 convolution residual)");
  }
  const float inverseScale = int8::inverse(conv.getInt8InputScale());
  if (codesIn) {
    // Quantized by the Quantize (or the convolution) that wrote them.
  } else if (channels == p.C && reinterpret_cast<uintptr_t>(in[0].data) % 16 == 0) {
    quantizeHalfVectors(ctx.stream, in[0].data, positions * p.C / 8, inverseScale, scratch);
  } else {
    quantizeRowsKernel<<<gridFor(positions * p.C / 4), 256, 0, ctx.stream>>>(
        static_cast<const __half*>(in[0].data), positions, static_cast<int32_t>(channels), static_cast<int32_t>(p.C),
        inverseScale, reinterpret_cast<char4*>(scratch));
  }
  check(cudaGetLastError(), "INT8 channels-last quantize kernel launch");
  p.input = codesIn ? in[0].data : scratch;
  p.filter = ctx.device(conv.getKernelWeights().values);
  p.alpha = static_cast<const float*>(ctx.device(conv.getInt8WeightScales().data()));
  const Weights bias = conv.getBiasWeights();
  p.bias = bias.count > 0 ? static_cast<const float*>(ctx.device(bias.values)) : nullptr;
  p.residual = residualMoved ? residualCopy : in.size() > 1 ? in[1].data : nullptr;
  p.output = outputMoved ? outputCopy : out.data;
  if (!runInt8Conv(chooseConfig(ctx, conv, in[0], p), p, nullptr, ctx.stream))
    throw Error(conv.describe() +
                ": the channels-last INT8 convolution (CUTLASS, sm_90) could not run this problem here (an sm_90 GPU "
                "and the builder's extents are needed); rebuild the engine on this GPU");
  check(cudaGetLastError(), "CUTLASS INT8 convolution launch");
  if (outputMoved)
    check(cudaMemcpyAsync(out.data, outputCopy, static_cast<size_t>(out.dims.volume()) * outputElementBytes,
                          cudaMemcpyDeviceToDevice, ctx.stream),
          "cudaMemcpyAsync (INT8 convolution output)");
  const int32_t act = conv.getFusedActivation();
  if (act >= 0 && !p.relu)
    activationInPlace(ctx, static_cast<ActivationType>(act), conv.getFusedActivationAlpha(),
                      conv.getFusedActivationBeta(), out.data, out.type, out.dims.volume());
}

}  // namespace cuda
}  // namespace trt
