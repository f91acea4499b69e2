// Max/average pooling (1-D to 3-D) and adaptive pooling: a pooling layer where the input divides
// evenly; otherwise (PyTorch's windows [floor(i*in/out), ceil((i+1)*in/out)) overlap or differ in
// size) averages are products with constant averaging matrices and maxima are per-window reductions.
#include <functional>

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

std::vector<int64_t> expand(std::vector<int64_t> v, int64_t nd, const char* what, const torch::jit::Node* n) {
  if (v.size() == 1) v.assign(nd, v[0]);
  TORCHTRT_CHECK(static_cast<int64_t>(v.size()) == nd,
                 what << " of " << util::node_info(n) << " has " << v.size() << " values, expected " << nd);
  return v;
}

bool pool(ConversionCtx* ctx, const torch::jit::Node* n, args& a, int64_t nd, trt::PoolingType type) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(in) >= nd + 1, "pooling input " << in->getDimensions().str() << " has too few dimensions");
  auto kernel = expand(a[1].unwrapToIntList().vec(), nd, "kernel_size", n);
  auto strideList = a[2].unwrapToIntList().vec();
  auto stride = strideList.empty() ? kernel : expand(strideList, nd, "stride", n);
  auto padding = expand(a[3].unwrapToIntList().vec(), nd, "padding", n);
  bool ceil;
  auto* layer = ctx->net->addPoolingNd(*in, type, util::toDims(kernel));
  layer->setStrideNd(util::toDims(stride));
  layer->setPaddingNd(util::toDims(padding));
  if (type == trt::PoolingType::kMAX) {
    auto dilation = expand(a[4].unwrapToIntList().vec(), nd, "dilation", n);
    for (int64_t d : dilation) TORCHTRT_CHECK(d == 1, "max pooling with dilation " << d << " has no converter yet");
    ceil = a[5].unwrapToBool();
  } else {
    ceil = a[4].unwrapToBool();
    bool countIncludePad = a[5].unwrapToBool();
    layer->setAverageCountExcludesPadding(!countIncludePad);
    if (a.size() > 6) TORCHTRT_CHECK(a[6].isNone(), "avg_pool with divisor_override has no converter yet");
  }
  layer->setPaddingMode(ceil ? trt::PaddingMode::kEXPLICIT_ROUND_UP : trt::PaddingMode::kEXPLICIT_ROUND_DOWN);
  return bindOutput(ctx, n, layer) != nullptr;
}

int64_t windowStart(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
int64_t windowEnd(int64_t i, int64_t in, int64_t out) { return ((i + 1) * in + out - 1) / out; }

// Average over uneven windows of the last `nd` (1 or 2) dims: X A_w^T, then A_h X.
trt::ITensor* adaptiveAverageByProducts(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& dims,
                                        const std::vector<int64_t>& outSize, const std::string& name) {
  const int64_t nd = static_cast<int64_t>(outSize.size()), rank = static_cast<int64_t>(dims.size());
  trt::ITensor* x = in;
  for (int64_t k = nd - 1; k >= 0; --k) {
    const int64_t inSize = dims[rank - nd + k], out = outSize[k];
    at::Tensor avg = at::zeros({out, inSize}, at::kFloat);
    for (int64_t i = 0; i < out; ++i) {
      const int64_t s = windowStart(i, inSize, out), e = windowEnd(i, inSize, out);
      for (int64_t j = s; j < e; ++j) avg[i][j] = 1.0f / static_cast<float>(e - s);
    }
    trt::ITensor* matrix = castTo(ctx, ctx->constantTensor(avg, name + " [averaging]"), x->getType(), name);
    const bool last = k == nd - 1;
    auto* layer =
        last ? ctx->net->addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *matrix, trt::MatrixOperation::kTRANSPOSE)
             : ctx->net->addMatrixMultiply(*matrix, trt::MatrixOperation::kNONE, *x, trt::MatrixOperation::kNONE);
    layer->setName((name + " [average dim " + std::to_string(rank - nd + k) + "]").c_str());
    x = layer->getOutput(0);
  }
  return x;
}

// Maximum over uneven windows: one slice and reduction per output cell, concatenated back.
trt::ITensor* adaptiveMaxBySlices(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& dims,
                                  const std::vector<int64_t>& outSize, const std::string& name) {
  const int64_t nd = static_cast<int64_t>(outSize.size()), rank = static_cast<int64_t>(dims.size());
  int64_t cells = 1;
  for (int64_t o : outSize) cells *= o;
  TORCHTRT_CHECK(cells <= 1024, "adaptive max pooling to " << c10::IntArrayRef(outSize)
                                                           << " with uneven windows needs one slice per output cell; "
                                                              "more than 1024 cells is not supported ("
                                                           << name << ")");
  uint32_t axes = 0;
  for (int64_t k = 0; k < nd; ++k) axes |= 1u << (rank - nd + k);
  // Recursively: for dimension k, concatenate the windows along it.
  std::function<trt::ITensor*(trt::ITensor*, int64_t)> along = [&](trt::ITensor* x, int64_t k) -> trt::ITensor* {
    if (k == nd) return ctx->net->addReduce(*x, trt::ReduceOperation::kMAX, axes, true)->getOutput(0);
    const int64_t d = rank - nd + k, inSize = dims[d];
    std::vector<trt::ITensor*> parts;
    for (int64_t i = 0; i < outSize[k]; ++i) {
      const int64_t start = windowStart(i, inSize, outSize[k]);
      parts.push_back(along(sliceAlong(ctx, x, d, start, windowEnd(i, inSize, outSize[k]) - start, 1, name), k + 1));
    }
    auto* cat = ctx->net->addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
    cat->setAxis(static_cast<int32_t>(d));
    cat->setName((name + " [windows dim " + std::to_string(d) + "]").c_str());
    return cat->getOutput(0);
  };
  return along(in, 0);
}

bool adaptivePool(ConversionCtx* ctx, const torch::jit::Node* n, args& a, int64_t nd, trt::PoolingType type) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto outSize = expand(a[1].unwrapToIntList().vec(), nd, "output_size", n);
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  TORCHTRT_CHECK(rank >= nd + 1, "adaptive pooling input " << in->getDimensions().str() << " has too few dimensions");
  const std::string name = util::node_info(n);
  // A dynamic spatial dim pooled to 1 (global pooling) is a reduction over whatever its run-time size;
  // other output sizes of a dynamic dim would need run-time windows.
  uint32_t globalAxes = 0;
  bool allGlobal = true;
  for (int64_t i = 0; i < nd; ++i) {
    const int64_t d = rank - nd + i;
    if (dims[d] < 0) {
      TORCHTRT_CHECK(outSize[i] == 1, "adaptive pooling of dynamic dimension "
                                          << d << " of " << in->getDimensions().str() << " to " << outSize[i]
                                          << " has no converter (only to 1, a global pooling): " << name);
      globalAxes |= 1u << d;
      dims[d] = 1;
    } else {
      allGlobal = false;
    }
  }
  if (globalAxes) {
    auto* reduce = ctx->net->addReduce(
        *in, type == trt::PoolingType::kMAX ? trt::ReduceOperation::kMAX : trt::ReduceOperation::kAVG, globalAxes,
        true);
    reduce->setName((name + " [global]").c_str());
    in = reduce->getOutput(0);
    if (allGlobal) {
      TORCHTRT_CHECK(n->outputs().size() == 1 || n->outputs()[1]->uses().empty(),
                     "the indices output of " << name << " is used, which is not supported");
      return bindTensor(ctx, n, in) != nullptr;
    }
  }
  std::vector<int64_t> kernel(nd);
  bool even = true;
  for (int64_t i = 0; i < nd; ++i) {
    int64_t inSize = dims[rank - nd + i];
    TORCHTRT_CHECK(inSize > 0, "adaptive pooling needs static spatial dimensions, got " << in->getDimensions().str());
    TORCHTRT_CHECK(outSize[i] > 0, "adaptive pooling output size must be positive: " << util::node_info(n));
    even &= inSize % outSize[i] == 0;
    kernel[i] = inSize / std::max<int64_t>(outSize[i], 1);
  }
  // adaptive_max_pool returns (values, indices); indices have no converter.
  TORCHTRT_CHECK(n->outputs().size() == 1 || n->outputs()[1]->uses().empty(),
                 "the indices output of " << name << " is used, which is not supported");
  if (even) {
    auto* layer = ctx->net->addPoolingNd(*in, type, util::toDims(kernel));
    layer->setStrideNd(util::toDims(kernel));
    bindOutput(ctx, n, layer);
    return true;
  }
  if (type == trt::PoolingType::kAVERAGE) {
    TORCHTRT_CHECK(nd <= 2, "adaptive average pooling in 3-D with uneven windows is not supported: " << name);
    return bindTensor(ctx, n, adaptiveAverageByProducts(ctx, in, dims, outSize, name)) != nullptr;
  }
  return bindTensor(ctx, n, adaptiveMaxBySlices(ctx, in, dims, outSize, name)) != nullptr;
}

#define TORCHTRT_POOL_PATTERNS(nd)                                                                            \
  .pattern({"aten::max_pool" #nd "d(Tensor self, int[" #nd "] kernel_size, int[" #nd "] stride=[], int[" #nd  \
            "] padding=0, int[" #nd "] dilation=1, bool ceil_mode=False) -> (Tensor)",                        \
            [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {                              \
              return pool(ctx, n, a, nd, trt::PoolingType::kMAX);                                             \
            }})                                                                                               \
      .pattern({"aten::adaptive_avg_pool" #nd "d(Tensor self, int[" #nd "] output_size) -> (Tensor)",         \
                [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {                          \
                  return adaptivePool(ctx, n, a, nd, trt::PoolingType::kAVERAGE);                             \
                }})                                                                                           \
      .pattern({"aten::adaptive_max_pool" #nd "d(Tensor self, int[" #nd "] output_size) -> (Tensor, Tensor)", \
                [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {                          \
                  return adaptivePool(ctx, n, a, nd, trt::PoolingType::kMAX);                                 \
                }})

auto poolingRegistrations = RegisterNodeConversionPatterns() TORCHTRT_POOL_PATTERNS(1) TORCHTRT_POOL_PATTERNS(2)
                                TORCHTRT_POOL_PATTERNS(3)
                                    .pattern({"aten::avg_pool1d(Tensor self, int[1] kernel_size, int[1] stride=[], "
                                              "int[1] padding=0, bool ceil_mode=False, "
                                              "bool count_include_pad=True) -> (Tensor)",
                                              [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                                return pool(ctx, n, a, 1, trt::PoolingType::kAVERAGE);
                                              }})
                                    .pattern({"aten::avg_pool2d(Tensor self, int[2] kernel_size, int[2] stride=[], "
                                              "int[2] padding=0, bool ceil_mode=False, "
                                              "bool count_include_pad=True, int? divisor_override=None) -> (Tensor)",
                                              [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                                return pool(ctx, n, a, 2, trt::PoolingType::kAVERAGE);
                                              }})
                                    .pattern({"aten::avg_pool3d(Tensor self, int[3] kernel_size, int[3] stride=[], "
                                              "int[3] padding=0, bool ceil_mode=False, "
                                              "bool count_include_pad=True, int? divisor_override=None) -> (Tensor)",
                                              [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                                                return pool(ctx, n, a, 3, trt::PoolingType::kAVERAGE);
                                              }});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
