// Softmax and reductions over dims (mean, sum, amax, amin, prod).
#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

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
  if (rank == 0) {  // exp(x - x) / exp(x - x): 1, and NaN for NaN and the infinities, as PyTorch
    auto* diff = ctx->net->addElementWise(*in, *in, trt::ElementWiseOperation::kSUB);
    diff->setName((util::node_info(n) + " [x - x]").c_str());
    return bindOutput(ctx, n, ctx->net->addUnary(*diff->getOutput(0), trt::UnaryOperation::kEXP)) != nullptr;
  }
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rank, n);
  auto* layer = ctx->net->addSoftMax(*in);
  layer->setAxes(1u << dim);
  return bindOutput(ctx, n, layer) != nullptr;
}

// Reductions in PyTorch's result types: sum and prod of integers and bool give int64, mean needs a
// floating input (or a dtype), max / min keep the input's type (bool computes as int32). An optional
// dtype argument casts the input first, as PyTorch does.
bool reduce(ConversionCtx* ctx, const torch::jit::Node* n, args& a, trt::ReduceOperation op, bool hasDims,
            bool hasKeep = true, bool hasDtype = true) {
  const std::string name = util::node_info(n);
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  const size_t dtypeIndex = hasDims ? 3 : 1;
  const bool dtypeGiven = hasDtype && a.size() > dtypeIndex && !a[dtypeIndex].isNone();
  trt::DataType meanIn16Bit = trt::DataType::kFLOAT;  // a 16-bit dtype of a float32 mean, else float32
  if (dtypeGiven) {
    trt::ITensor* given = castToDtypeArg(ctx, n, in, a[dtypeIndex]);
    const trt::DataType asked = given->getType();
    // mean(x, dtype=float16): PyTorch accumulates in float32 and rounds the mean once, whatever x's type (summing in
    // float16 overflowed past 65504); sum(dtype=float16) does cast first.
    if (op == trt::ReduceOperation::kAVG && (asked == trt::DataType::kHALF || asked == trt::DataType::kBF16)) {
      meanIn16Bit = asked;
      in = castTo(ctx, in, trt::DataType::kFLOAT, name + " [float]");
    } else {
      in = given;
    }
  }
  const trt::DataType type = in->getType();
  const bool floating = isFloatingType(type);
  trt::DataType resultType = meanIn16Bit != trt::DataType::kFLOAT ? meanIn16Bit : type;
  if (!floating) {
    TORCHTRT_CHECK(op != trt::ReduceOperation::kAVG,
                   "Unable to convert node: " << name << "\nmean of a " << trt::dataTypeName(type)
                                              << " tensor is not defined (PyTorch raises); pass dtype=torch.float");
    TORCHTRT_CHECK(type == trt::DataType::kBOOL || type == trt::DataType::kINT32 || type == trt::DataType::kINT64 ||
                       type == trt::DataType::kINT8 || type == trt::DataType::kUINT8,
                   "Unable to convert node: " << name << "\nreductions of " << trt::dataTypeName(type)
                                              << " tensors are not supported");
    // (A dtype argument is the result's dtype: the sum is computed in it.)
    const bool widens = (op == trt::ReduceOperation::kSUM || op == trt::ReduceOperation::kPROD) && !dtypeGiven;
    if (widens) resultType = trt::DataType::kINT64;
    // The engine reduces int32 and int64; bool and 8-bit integers reduce as int32 and are cast back.
    in =
        castTo(ctx, in, widens ? trt::DataType::kINT64 : (type == trt::DataType::kINT64 ? type : trt::DataType::kINT32),
               name + " [to integer]");
  }
  if (rankOf(in) == 0) return bindTensor(ctx, n, castTo(ctx, in, resultType, name + " [result type]")) != nullptr;
  uint32_t mask = reduceAxesMask(n, in, hasDims ? &a[1] : nullptr);
  // A max or min over an empty axis has no value: PyTorch raises (the engine would answer -inf / +inf).
  if (op == trt::ReduceOperation::kMAX || op == trt::ReduceOperation::kMIN) {
    const trt::Dims dims = in->getDimensions();
    for (int32_t d = 0; d < dims.nbDims; ++d)
      TORCHTRT_CHECK(!((mask >> d) & 1u) || dims.d[d] != 0,
                     "Unable to convert node: " << name << "\nExpected reduction dim " << d
                                                << " to have non-zero size (PyTorch raises)");
  }
  bool keep = hasDims && hasKeep ? a[2].unwrapToBool() : false;
  auto* layer = ctx->net->addReduce(*in, op, mask, keep);
  if (layer->getOutput(0)->getType() == resultType) return bindOutput(ctx, n, layer) != nullptr;
  layer->setName((name + " [reduce]").c_str());
  return bindTensor(ctx, n, castTo(ctx, layer->getOutput(0), resultType, name)) != nullptr;
}

#define TORCHTRT_REDUCE(op, dims, ...)                                       \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {       \
    return reduce(ctx, n, a, trt::ReduceOperation::op, dims, ##__VA_ARGS__); \
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
        .pattern({"aten::prod.dim_int(Tensor self, int dim, bool keepdim=False, *, ScalarType? dtype=None) -> Tensor",
                  TORCHTRT_REDUCE(kPROD, true)})
        .pattern({"aten::max(Tensor self) -> Tensor", TORCHTRT_REDUCE(kMAX, false, false, false)})
        .pattern({"aten::min(Tensor self) -> Tensor", TORCHTRT_REDUCE(kMIN, false, false, false)})
        .pattern({"aten::amax(Tensor self, int[1] dim=[], bool keepdim=False) -> (Tensor)",
                  TORCHTRT_REDUCE(kMAX, true, true, false)})
        .pattern({"aten::amin(Tensor self, int[1] dim=[], bool keepdim=False) -> (Tensor)",
                  TORCHTRT_REDUCE(kMIN, true, true, false)});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
