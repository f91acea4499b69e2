// INT8 convolution: one kernel quantizes the FP32 input while unfolding it (im2col, each output
// position's patch contiguous and padded to a multiple of 4), int8Gemm sums the INT8 products in INT32
// (cuBLAS's tensor-core GEMM or the own tiled kernel), and the epilogue gives
// y = act(sum * s_in * s_w[c] + bias + residual) with the CPU reference's operation order. The sums
// are exact, so the result equals the CPU's.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "backends/cuda/im2col.cuh"
#include "common/int8.h"
#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

namespace {
// Patch length padded to a multiple of 4 (cuBLAS's INT8 GEMMs need leading dimensions that are).
inline int64_t paddedPatch(int64_t k) { return (k + 3) / 4 * 4; }

constexpr int kTile = 32, kTileRows = 8;

// colT[n][p][k] = quantize(x at output position p, patch element k) for one group (zero for padding
// and for k >= K); images `imageStride` apart. A 32 x 32 tile of (k, p) goes through shared memory:
// a warp reads 32 consecutive output positions of one patch element (adjacent input pixels) and
// writes 32 consecutive patch elements of one position, both coalesced; the index divisions happen
// once per position and once per patch element, not per element. `Pointwise` (1x1 windows,
// stride 1, no padding): element k of position p is x[k][p], a quantizing transpose.
template <typename T, typename I, bool Pointwise>
__global__ void quantizedIm2colKernel(const T* images, int64_t imageStride, ConvGeometry g, float inverseScale,
                                      int8_t* colT, I K, I Kp, I P) {
  __shared__ int8_t tile[kTile][kTile + 1];
  __shared__ PatchElement<I> elements[kTile];  // the tile's patch elements, decomposed once
  const T* image = images + blockIdx.z * imageStride;
  int8_t* col = colT + static_cast<int64_t>(blockIdx.z) * P * Kp;
  const I p0 = static_cast<I>(blockIdx.x) * kTile, k0 = static_cast<I>(blockIdx.y) * kTile;
  const I p = p0 + static_cast<I>(threadIdx.x);
  if (!Pointwise && threadIdx.y == 0) elements[threadIdx.x] = PatchElement<I>(g, k0 + static_cast<I>(threadIdx.x));
  const PatchWindow<I> window(g, Pointwise ? 0 : p);
  if (!Pointwise) __syncthreads();
  for (int j = threadIdx.y; j < kTile; j += kTileRows) {
    const I k = k0 + j;
    int8_t q = 0;
    if (k < K && p < P) {
      const I source = Pointwise ? k * P + p : window.source(g, elements[j]);
      if (source >= 0) q = int8::quantize(load(image, source), inverseScale);
    }
    tile[j][threadIdx.x] = q;
  }
  __syncthreads();
  for (int j = threadIdx.y; j < kTile; j += kTileRows) {
    const I row = p0 + j, k = k0 + static_cast<I>(threadIdx.x);
    if (row < P && k < Kp) col[static_cast<int64_t>(row) * Kp + k] = tile[threadIdx.x][j];
  }
}

template <typename T, typename I>
void launchQuantizedIm2col(bool pointwise, dim3 grid, cudaStream_t stream, const T* images, int64_t imageStride,
                           const ConvGeometry& g, float inverseScale, int8_t* colT, int64_t K, int64_t Kp, int64_t P) {
  const dim3 block(kTile, kTileRows);
  if (pointwise)
    quantizedIm2colKernel<T, I, true><<<grid, block, 0, stream>>>(
        images, imageStride, g, inverseScale, colT, static_cast<I>(K), static_cast<I>(Kp), static_cast<I>(P));
  else
    quantizedIm2colKernel<T, I, false><<<grid, block, 0, stream>>>(
        images, imageStride, g, inverseScale, colT, static_cast<I>(K), static_cast<I>(Kp), static_cast<I>(P));
}

}  // namespace

std::vector<int8_t> quantizedConvolutionWeights(const IConvolutionLayer& conv) {
  if (conv.getChannelsLast()) return quantizedChannelsLastWeights(conv);
  const Weights w = conv.getKernelWeights();
  const int64_t cout = conv.getNbOutputMaps(), K = w.count / cout;
  return int8::quantizeRows(static_cast<const float*>(w.values), cout, K, conv.getInt8WeightScales(), paddedPatch(K));
}

void launchInt8Convolution(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in,
                           TensorView& out) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  if (conv.getChannelsLast()) return launchInt8ConvolutionChannelsLast(ctx, conv, in, out);
  if ((in[0].type != DataType::kFLOAT && in[0].type != DataType::kHALF) || conv.getChannelsLast())
    throw Error(layer.describe() + ": the CUDA INT8 convolution reads a channels-first float32 or float16 input");
  if (out.type == DataType::kINT8)
    throw Error(layer.describe() +
                ": the CUDA INT8 convolution writes INT8 codes channels-last only; leave the "
                "output scale unset (0) on a channels-first one");
  if (in.size() > 1 && in[1].type == DataType::kINT8)
    throw Error(layer.describe() +
                ": the CUDA INT8 convolution reads an INT8 residual channels-last only; leave the "
                "residual scale unset (0) on a channels-first one");
  const ConvGeometry g = convGeometry(conv, in[0].dims, out.dims);
  const int64_t batch = in[0].dims.d[0], groups = conv.getNbGroups(), cin = in[0].dims.d[1], cout = out.dims.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups, kVol = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], P = g.out[0] * g.out[1] * g.out[2];
  const int64_t K = cinG * kVol, Kp = paddedPatch(K), colPerImage = P * Kp, colTotal = colPerImage * batch;
  if (batch == 0 || P == 0) return;
  // Uploaded by the engine: INT8 weights [cout][Kp] under the float weights' key, s_in * s_w[c]
  // under the weight scales' key.
  const auto* weights = static_cast<const int8_t*>(ctx.device(conv.getKernelWeights().values));
  const auto* outScale = static_cast<const float*>(ctx.device(conv.getInt8WeightScales().data()));
  const Weights bias = conv.getBiasWeights();
  const auto* biasData = bias.count > 0 ? static_cast<const float*>(ctx.device(bias.values)) : nullptr;
  const void* residual = in.size() > 1 ? in[1].data : nullptr;
  const int32_t act = conv.getFusedActivation();
  const bool relu = act == static_cast<int32_t>(ActivationType::kRELU);
  const size_t colBytes = (static_cast<size_t>(colTotal) + 255) / 256 * 256;
  auto* scratch = static_cast<uint8_t*>(ctx.scratch(colBytes + static_cast<size_t>(batch * cout * P) * 4));
  auto* colT = reinterpret_cast<int8_t*>(scratch);
  auto* acc = reinterpret_cast<int32_t*>(scratch + colBytes);
  const float inverseScale = int8::inverse(conv.getInt8InputScale());
  // 32-bit index math where the image and one image's patch matrix fit.
  const bool narrow = cin * inPlane < (int64_t(1) << 31) && colPerImage < (int64_t(1) << 31);
  bool pointwise = true;  // 1x1 windows, stride 1, no padding: output positions are input positions
  for (int i = 0; i < 3; ++i) pointwise &= g.k[i] == 1 && g.stride[i] == 1 && g.pad[i] == 0 && g.in[i] == g.out[i];
  const dim3 tiles(static_cast<unsigned>((P + kTile - 1) / kTile), static_cast<unsigned>((Kp + kTile - 1) / kTile),
                   static_cast<unsigned>(batch));
  for (int64_t grp = 0; grp < groups; ++grp) {
    dispatchFloating(in[0].type, layer.describe(), [&](auto tag) {
      using T = decltype(tag);
      const T* images = static_cast<const T*>(in[0].data) + grp * cinG * inPlane;
      if (narrow)
        launchQuantizedIm2col<T, int32_t>(pointwise, tiles, ctx.stream, images, cin * inPlane, g, inverseScale, colT, K,
                                          Kp, P);
      else
        launchQuantizedIm2col<T, int64_t>(pointwise, tiles, ctx.stream, images, cin * inPlane, g, inverseScale, colT, K,
                                          Kp, P);
    });
    check(cudaGetLastError(), "INT8 im2col kernel launch");
    // acc[n][c][p] = sum_k W[c][k] colT[n][p][k], patches Kp apart (zero-padded to a multiple of 4).
    int8Gemm(ctx, coutG, P, Kp, weights + grp * coutG * Kp, Kp, 0, colT, Kp, colPerImage, acc + grp * coutG * P,
             cout * P, batch);
  }
  const int64_t total = batch * cout * P;
  int8Epilogue(ctx, acc, out.data, out.type, outScale, biasData, DataType::kFLOAT, residual, relu, cout, P, total);
  if (act >= 0 && !relu)
    activationInPlace(ctx, static_cast<ActivationType>(act), conv.getFusedActivationAlpha(),
                      conv.getFusedActivationBeta(), out.data, out.type, total);
}

}  // namespace cuda
}  // namespace trt
