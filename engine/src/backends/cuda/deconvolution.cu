// Transposed convolution as GEMM + col2im: one strided-batched GEMM per group gives
// col[image, group][map, tap][input position] = W^T x (FP32 accumulation, TF32 when allowed), then
// one kernel sums, for each output element, the column entries that land on it (a gather, so no
// atomics and the same order every run) and adds the bias in FP32.
#include "backends/cuda/cuda_kernels.h"
#include "backends/cuda/float_types.cuh"
#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

namespace {

// Output element i = (n, map, o0, o1, o2): input position p along a dim feeds it through tap t when
// o + pad = p * stride + t * dilation.
template <typename T>
__global__ void col2imKernel(const T* col, const float* bias, T* out, ConvGeometry g, int64_t groups, int64_t coutG,
                             int64_t total) {
  const int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int64_t o2 = i % g.out[2], o1 = (i / g.out[2]) % g.out[1], o0 = (i / (g.out[2] * g.out[1])) % g.out[0];
  const int64_t outPlane = g.out[0] * g.out[1] * g.out[2];
  const int64_t map = (i / outPlane) % (groups * coutG), n = i / (outPlane * groups * coutG);
  const int64_t kVol = g.k[0] * g.k[1] * g.k[2], inPlane = g.in[0] * g.in[1] * g.in[2];
  // Rows of this map: col[(n * groups + grp) * coutG + mapInGroup][tap][position] = col[(n * cout + map) * kVol ...].
  const T* rows = col + (n * groups * coutG + map) * kVol * inPlane;
  float sum = bias ? bias[map] : 0.f;
  for (int64_t t0 = 0; t0 < g.k[0]; ++t0) {
    const int64_t a0 = o0 + g.pad[0] - t0 * g.dil[0];
    if (a0 < 0 || a0 % g.stride[0] != 0 || a0 / g.stride[0] >= g.in[0]) continue;
    for (int64_t t1 = 0; t1 < g.k[1]; ++t1) {
      const int64_t a1 = o1 + g.pad[1] - t1 * g.dil[1];
      if (a1 < 0 || a1 % g.stride[1] != 0 || a1 / g.stride[1] >= g.in[1]) continue;
      for (int64_t t2 = 0; t2 < g.k[2]; ++t2) {
        const int64_t a2 = o2 + g.pad[2] - t2 * g.dil[2];
        if (a2 < 0 || a2 % g.stride[2] != 0 || a2 / g.stride[2] >= g.in[2]) continue;
        const int64_t tap = (t0 * g.k[1] + t1) * g.k[2] + t2;
        const int64_t position = ((a0 / g.stride[0]) * g.in[1] + a1 / g.stride[1]) * g.in[2] + a2 / g.stride[2];
        sum += load(rows, tap * inPlane + position);
      }
    }
  }
  store(out, i, sum);
}

}  // namespace

void launchDeconvolution(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& deconv = static_cast<const IDeconvolutionLayer&>(layer);
  if (!isFloatingStorage(in[0].type))
    throw Error(layer.describe() + ": the CUDA backend deconvolves float32, float16 or bfloat16, not " +
                dataTypeName(in[0].type));
  if (out.dims.volume() == 0) return;  // an empty batch: no kernel may launch with zero blocks
  const ConvGeometry g = convGeometry(deconv, in[0].dims, out.dims);
  const int64_t batch = in[0].dims.d[0], groups = deconv.getNbGroups(), cin = in[0].dims.d[1], cout = out.dims.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups, kVol = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2];
  const size_t elem = dataTypeSize(in[0].type);
  const int64_t colPerImage = cout * kVol * inPlane;
  const size_t colBytes = static_cast<size_t>(batch * colPerImage) * elem;
  if (ctx.workspaceLimit > 0 && colBytes > ctx.workspaceLimit)
    throw Error(layer.describe() + ": its column buffer needs " + std::to_string(colBytes) +
                " bytes, more than the workspace limit of " + std::to_string(ctx.workspaceLimit) +
                " bytes; raise workspace_size");
  void* col = ctx.scratch(colBytes);
  // Weights live on the device beside the layer (uploaded once by the engine, in the layer's type).
  const auto* weights = static_cast<const uint8_t*>(ctx.device(deconv.getKernelWeights().values));
  auto* colBase = static_cast<uint8_t*>(col);
  const auto* inBase = static_cast<const uint8_t*>(in[0].data);
  for (int64_t grp = 0; grp < groups; ++grp) {
    // The group's weights [cinG, coutG * kVol] transposed, times its input planes [cinG, inPlane].
    gemm(ctx, in[0].type, true, false, coutG * kVol, inPlane, cinG, weights + grp * cinG * coutG * kVol * elem, 0,
         inBase + grp * cinG * inPlane * elem, cin * inPlane, colBase + grp * coutG * kVol * inPlane * elem,
         colPerImage, batch);
  }
  const Weights bias = deconv.getBiasWeights();
  const float* biasData = bias.count > 0 ? static_cast<const float*>(ctx.device(bias.values)) : nullptr;
  const int64_t total = out.dims.volume();
  dispatchFloating(out.type, layer.describe(), [&](auto tag) {
    using T = decltype(tag);
    col2imKernel<<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
        static_cast<const T*>(col), biasData, static_cast<T*>(out.data), g, groups, coutG, total);
  });
  check(cudaGetLastError(), "col2im kernel launch");
}

}  // namespace cuda
}  // namespace trt
