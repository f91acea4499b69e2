// Convolution as im2col + cuBLAS GEMM (1-D to 3-D as 3-D), with bias and fused activation.
#include "backends/cuda/cuda_kernels.h"
#include "layers/conv_geometry.h"

namespace trt {
namespace cuda {

namespace {
using Geometry = ConvGeometry;

// col[n][c, kd, kh, kw][od, oh, ow] for `channels` channels of each of `batch` images, the images
// `imageStride` floats apart.
__global__ void im2colKernel(const float* images, int64_t imageStride, int64_t channels, Geometry g, float* col,
                             int64_t perImage, int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  const int64_t n = i / perImage, e = i % perImage;
  const int64_t outPlane = g.out[0] * g.out[1] * g.out[2];
  int64_t p = e % outPlane, row = e / outPlane;
  int64_t ow = p % g.out[2], oh = (p / g.out[2]) % g.out[1], od = p / (g.out[2] * g.out[1]);
  int64_t kw = row % g.k[2], kh = (row / g.k[2]) % g.k[1], kd = (row / (g.k[2] * g.k[1])) % g.k[0];
  int64_t c = row / (g.k[0] * g.k[1] * g.k[2]);
  int64_t id = od * g.stride[0] - g.pad[0] + kd * g.dil[0];
  int64_t ih = oh * g.stride[1] - g.pad[1] + kh * g.dil[1];
  int64_t iw = ow * g.stride[2] - g.pad[2] + kw * g.dil[2];
  float v = 0.f;
  if (id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1] && iw >= 0 && iw < g.in[2])
    v = images[n * imageStride + ((c * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw];
  col[i] = v;
}

__global__ void biasKernel(float* out, const float* bias, int64_t channels, int64_t plane, int64_t total) {
  int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x;
  if (i >= total) return;
  out[i] += bias[(i / plane) % channels];
}
}  // namespace

void launchConvolution(LaunchContext& ctx, const ILayer& layer, const std::vector<TensorView>& in, TensorView& out) {
  const auto& conv = static_cast<const IConvolutionLayer&>(layer);
  cpu::requireFloat32(layer, in[0], "the input");
  const Geometry g = convGeometry(conv, in[0].dims, out.dims);
  const int64_t batch = in[0].dims.d[0], groups = conv.getNbGroups(), cin = in[0].dims.d[1], cout = out.dims.d[1];
  const int64_t cinG = cin / groups, coutG = cout / groups, kVol = g.k[0] * g.k[1] * g.k[2];
  const int64_t inPlane = g.in[0] * g.in[1] * g.in[2], outPlane = g.out[0] * g.out[1] * g.out[2];
  // Weights live on the device beside the layer (uploaded once by the engine).
  const float* weights = static_cast<const float*>(ctx.device(conv.getKernelWeights().values));
  const bool pointwise = kVol == 1 && g.stride[0] == 1 && g.stride[1] == 1 && g.stride[2] == 1 && g.pad[0] == 0 &&
                         g.pad[1] == 0 && g.pad[2] == 0;
  // One im2col for the whole batch, then one strided-batched GEMM per group (weights shared).
  const int64_t colElems = cinG * kVol * outPlane;
  const int64_t colTotal = colElems * batch;
  float* col = pointwise ? nullptr : static_cast<float*>(ctx.scratch(static_cast<size_t>(colTotal) * sizeof(float)));
  for (int64_t grp = 0; grp < groups; ++grp) {
    const float* images = in[0].f32() + grp * cinG * inPlane;
    const float* B = images;
    int64_t strideB = cin * inPlane;
    if (!pointwise) {
      im2colKernel<<<static_cast<unsigned>((colTotal + 255) / 256), 256, 0, ctx.stream>>>(images, cin * inPlane, cinG,
                                                                                          g, col, colElems, colTotal);
      check(cudaGetLastError(), "im2col kernel launch");
      B = col;
      strideB = colElems;
    }
    gemm(ctx, false, false, coutG, outPlane, cinG * kVol, weights + grp * coutG * cinG * kVol, 0, B, strideB,
         out.f32() + grp * coutG * outPlane, cout * outPlane, batch);
  }
  const int64_t total = out.dims.volume();
  const Weights bias = conv.getBiasWeights();
  if (bias.count > 0) {
    biasKernel<<<static_cast<unsigned>((total + 255) / 256), 256, 0, ctx.stream>>>(
        out.f32(), static_cast<const float*>(ctx.device(bias.values)), cout, outPlane, total);
    check(cudaGetLastError(), "bias kernel launch");
  }
  if (conv.getFusedActivation() >= 0)
    activationInPlace(ctx, static_cast<ActivationType>(conv.getFusedActivation()), 0.f, 0.f, out.f32(), total);
}

}  // namespace cuda
}  // namespace trt
