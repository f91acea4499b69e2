// triu / tril: x where column - row >= k (triu) or <= k (tril) over the last two dims, else zero.
// Row and column indices come from Fill layers over the last two dims (run-time sizes where they are
// dynamic), compared and used by a Select.
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

OpConverter triangular(bool upper) {
  return [upper](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
    using Op = trt::ElementWiseOperation;
    trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
    const int64_t k = a[1].unwrapToInt(0);
    const std::string name = util::node_info(n);
    const int64_t rank = rankOf(x);
    TORCHTRT_CHECK(rank >= 2, (upper ? "triu" : "tril")
                                  << " needs at least 2 dimensions, got " << x->getDimensions().str() << ": " << name);
    trt::ITensor* offset = shape::diagonalOffsets(ctx, x, name);
    trt::ITensor* bound = scalarConstant(ctx, k, trt::DataType::kINT64, name + " [diagonal]");
    // triu keeps column - row >= k, i.e. not (column - row < k); tril keeps not (column - row > k).
    trt::ITensor* outside = ctx->net->addElementWise(*offset, *bound, upper ? Op::kLESS : Op::kGREATER)->getOutput(0);
    trt::ITensor* zero = scalarConstant(ctx, 0, x->getType(), name + " [zero]");
    std::vector<int64_t> ones(static_cast<size_t>(rank), 1);
    zero = reshape(ctx, zero, ones, name + " [zero as rank]");
    auto* select = ctx->net->addSelect(*outside, *zero, *x);
    return bindOutput(ctx, n, select) != nullptr;
  };
}

auto triangularRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::triu(Tensor self, SymInt diagonal=0) -> Tensor", triangular(true)})
        .pattern({"aten::tril(Tensor self, SymInt diagonal=0) -> Tensor", triangular(false)})
        .pattern({"aten::triu_(Tensor(a!) self, SymInt diagonal=0) -> Tensor(a!)", triangular(true)})
        .pattern({"aten::tril_(Tensor(a!) self, SymInt diagonal=0) -> Tensor(a!)", triangular(false)});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
