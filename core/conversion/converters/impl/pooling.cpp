// Max/average pooling (1-D to 3-D) and adaptive pooling where the input divides evenly.
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

bool adaptivePool(ConversionCtx* ctx, const torch::jit::Node* n, args& a, int64_t nd, trt::PoolingType type) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto outSize = expand(a[1].unwrapToIntList().vec(), nd, "output_size", n);
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  std::vector<int64_t> kernel(nd);
  for (int64_t i = 0; i < nd; ++i) {
    int64_t inSize = dims[rank - nd + i];
    TORCHTRT_CHECK(inSize > 0, "adaptive pooling needs static spatial dimensions, got " << in->getDimensions().str());
    TORCHTRT_CHECK(outSize[i] > 0 && inSize % outSize[i] == 0,
                   "adaptive pooling from " << inSize << " to " << outSize[i] << " (node " << util::node_info(n)
                                            << ") needs the input size to be a multiple of the output size");
    kernel[i] = inSize / outSize[i];
  }
  auto* layer = ctx->net->addPoolingNd(*in, type, util::toDims(kernel));
  layer->setStrideNd(util::toDims(kernel));
  bindOutput(ctx, n, layer);
  // adaptive_max_pool returns (values, indices); indices have no converter.
  TORCHTRT_CHECK(n->outputs().size() == 1 || n->outputs()[1]->uses().empty(),
                 "the indices output of " << util::node_info(n) << " is used, which is not supported");
  return true;
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
