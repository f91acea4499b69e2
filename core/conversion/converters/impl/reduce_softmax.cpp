// Softmax and reductions over dims (mean, sum, amax, amin, prod).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool softmax(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  if (n->kind() == c10::Symbol::fromQualString("aten::_softmax")) {
    // _softmax(self, dim, half_to_float): a half input gives a float result when asked.
    if (a[2].unwrapToBool()) in = castTo(ctx, in, trt::DataType::kFLOAT, util::node_info(n) + " [to float]");
  } else {
    in = castToDtypeArg(ctx, n, in, a[2]);
  }
  const int64_t rank = rankOf(in);
  if (rank == 0) {
    trt::ITensor* one = scalarConstant(ctx, 1.0, in->getType(), util::node_info(n));
    return bindTensor(ctx, n, one) != nullptr;
  }
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rank, n);
  auto* layer = ctx->net->addSoftMax(*in);
  layer->setAxes(1u << dim);
  return bindOutput(ctx, n, layer) != nullptr;
}

bool reduce(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ReduceOperation op, bool hasDims) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(in->getType() == trt::DataType::kFLOAT || in->getType() == trt::DataType::kHALF,
                 "reductions of " << trt::dataTypeName(in->getType()) << " tensors have no converter yet");
  if (rankOf(in) == 0) return bindTensor(ctx, n, in) != nullptr;
  uint32_t mask = reduceAxesMask(n, in, hasDims ? &a[1] : nullptr);
  bool keep = hasDims ? a[2].unwrapToBool() : false;
  size_t dtypeIndex = hasDims ? 3 : 1;
  TORCHTRT_CHECK(a.size() <= dtypeIndex || a[dtypeIndex].isNone(),
                 "reductions with a dtype argument have no converter yet");
  auto* layer = ctx->net->addReduce(*in, op, mask, keep);
  return bindOutput(ctx, n, layer) != nullptr;
}

#define TORCHTRT_REDUCE(op, dims)                                      \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { \
    return reduce(ctx, n, a, trt::ReduceOperation::op, dims);          \
  }

auto reduceRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::softmax.int(Tensor self, int dim, ScalarType? dtype=None) -> (Tensor)", softmax})
        .pattern({"aten::_softmax(Tensor self, int dim, bool half_to_float) -> (Tensor)", softmax})
        .pattern({"aten::mean(Tensor self, *, ScalarType? dtype=None) -> (Tensor)", TORCHTRT_REDUCE(kAVG, false)})
        .pattern({"aten::mean.dim(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> (Tensor)",
                  TORCHTRT_REDUCE(kAVG, true)})
        .pattern({"aten::sum(Tensor self, *, ScalarType? dtype=None) -> (Tensor)", TORCHTRT_REDUCE(kSUM, false)})
        .pattern({"aten::sum.dim_IntList(Tensor self, int[1]? dim, bool keepdim=False, *, ScalarType? dtype=None) -> "
                  "(Tensor)",
                  TORCHTRT_REDUCE(kSUM, true)})
        .pattern({"aten::prod(Tensor self, *, ScalarType? dtype=None) -> (Tensor)", TORCHTRT_REDUCE(kPROD, false)})
        .pattern(
            {"aten::amax(Tensor self, int[1] dim=[], bool keepdim=False) -> (Tensor)", TORCHTRT_REDUCE(kMAX, true)})
        .pattern(
            {"aten::amin(Tensor self, int[1] dim=[], bool keepdim=False) -> (Tensor)", TORCHTRT_REDUCE(kMIN, true)});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
