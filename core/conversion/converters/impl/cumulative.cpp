// cumsum and cumprod: the engine's Cumulative layer along the dimension. As PyTorch: integer and
// bool inputs accumulate into int64 unless `dtype` says otherwise; `dtype` casts the input first.
// bfloat16 accumulates in float32 with each output rounded, as PyTorch's CPU kernel (acc_type).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool cumulative(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::CumulativeOperation op) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  trt::DataType target = x->getType();
  if (!a[2].isNone()) {
    target = util::ScalarTypeToTRTDataType(static_cast<at::ScalarType>(a[2].unwrapToInt()));
  } else if (target == trt::DataType::kINT32 || target == trt::DataType::kBOOL || target == trt::DataType::kINT8 ||
             target == trt::DataType::kUINT8) {
    target = trt::DataType::kINT64;  // PyTorch promotes integral running sums and products to int64
  }
  x = castTo(ctx, x, target, name + " [dtype]");
  const int64_t rank = rankOf(x);
  if (rank == 0) return bindTensor(ctx, n, x) != nullptr;
  const int64_t d = util::normalizeDim(a[1].unwrapToInt(), rank, n);
  if (target == trt::DataType::kBF16) {
    trt::ITensor* sums = castTo(ctx, x, trt::DataType::kFLOAT, name + " [as float]");
    {
      PinFloat32 pin(ctx);  // not half in FP16 builds: float32 is PyTorch's accumulator
      auto* layer = ctx->net->addCumulative(*sums, static_cast<int32_t>(d), op);
      layer->setName(name.c_str());
      sums = layer->getOutput(0);
    }
    return bindTensor(ctx, n, castTo(ctx, sums, target, name + " [rounded]")) != nullptr;
  }
  auto* layer = ctx->net->addCumulative(*x, static_cast<int32_t>(d), op);
  layer->setName(name.c_str());
  return bindTensor(ctx, n, layer->getOutput(0)) != nullptr;
}

auto cumulativeRegistrations = RegisterNodeConversionPatterns()
                                   .pattern({"aten::cumsum(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
                                             [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
                                               return cumulative(ctx, n, a, trt::CumulativeOperation::kSUM);
                                             }})
                                   .pattern({"aten::cumprod(Tensor self, int dim, *, ScalarType? dtype=None) -> Tensor",
                                             [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
                                               return cumulative(ctx, n, a, trt::CumulativeOperation::kPROD);
                                             }});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
