// Ops that are identities in inference: dropout (eval), contiguous, clone, detach; and whole-tensor
// writes (zero_, fill_, copy_), which give the written value: the fill value or the source, cast to
// self's type and broadcast to its shape. Lowering makes most writes functional first (zeros_like,
// full_like; slice_scatter for writes into views); these take the ones left in place, where nothing
// but the op's own output reads the written memory afterwards (an engine cannot update the other
// names; such writes fail to convert and run in TorchScript).
#include <unordered_set>

#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool passThrough(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return bindTensor(ctx, n, a[0].ITensorOrFreeze(ctx)) != nullptr;
}

bool dropout(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  TORCHTRT_CHECK(!a[2].unwrapToBool(), "dropout in training mode ("
                                           << util::node_info(n) << ") cannot be compiled; call module.eval() first");
  return passThrough(ctx, n, a);
}

// `value` cast to self's type and broadcast to self's shape (read at run time where dynamic).
bool written(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* self, trt::ITensor* value) {
  const std::string name = util::node_info(n);
  const int64_t rank = rankOf(self), valueRank = rankOf(value);
  TORCHTRT_CHECK(valueRank <= rank,
                 "Unable to convert node: " << name << "\nthe value written has shape " << value->getDimensions().str()
                                            << ", more dims than self's " << self->getDimensions().str());
  value = castTo(ctx, value, self->getType(), name + " [cast]");
  if (valueRank < rank) {  // leading dims of size 1, as broadcasting adds them
    std::vector<std::vector<int64_t>> groups(static_cast<size_t>(rank - valueRank));
    for (int64_t i = 0; i < valueRank; ++i) groups.push_back({i});
    value = shape::regroup(ctx, value, groups, name + " [as rank " + std::to_string(rank) + "]");
  }
  return bindTensor(ctx, n, shape::broadcastTo(ctx, value, shape::shapeOf(ctx, self, name + " [shape]"), name)) !=
         nullptr;
}

bool zero(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  requireUnobservedWrite(n, /*allowLongLived=*/false);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  return written(ctx, n, self, scalarConstant(ctx, 0, self->getType(), util::node_info(n) + " [0]"));
}

bool fill(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  requireUnobservedWrite(n, /*allowLongLived=*/false);
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  return written(ctx, n, self, tensorOrScalar(ctx, a[1], self, util::node_info(n) + " [value]"));
}

auto identityRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::dropout(Tensor input, float p, bool train) -> (Tensor)", dropout})
        .pattern({"aten::dropout_(Tensor(a!) self, float p, bool train) -> (Tensor(a!))", dropout})
        .pattern({"aten::feature_dropout(Tensor input, float p, bool train) -> (Tensor)", dropout})
        .pattern({"aten::feature_dropout_(Tensor(a!) self, float p, bool train) -> Tensor(a!)", dropout})
        .pattern({"aten::contiguous(Tensor(a) self, *, MemoryFormat memory_format=contiguous_format) -> (Tensor(a))",
                  passThrough})
        .pattern({"aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> (Tensor)", passThrough})
        .pattern({"aten::detach(Tensor(a) self) -> (Tensor(a))", passThrough})
        .pattern({"aten::detach_(Tensor(a!) self) -> Tensor(a!)", passThrough})
        .pattern({"aten::zero_(Tensor(a!) self) -> Tensor(a!)", zero})
        .pattern({"aten::fill_.Scalar(Tensor(a!) self, Scalar value) -> Tensor(a!)", fill})
        .pattern({"aten::fill_.Tensor(Tensor(a!) self, Tensor value) -> Tensor(a!)", fill})
        .pattern({"aten::copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)", fill});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
