// Ops that are identities in inference: dropout (eval), contiguous, clone, detach.
#include "core/conversion/converters/converter_util.h"

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

auto identityRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::dropout(Tensor input, float p, bool train) -> (Tensor)", dropout})
        .pattern({"aten::dropout_(Tensor(a!) self, float p, bool train) -> (Tensor(a!))", dropout})
        .pattern({"aten::feature_dropout(Tensor input, float p, bool train) -> (Tensor)", dropout})
        .pattern({"aten::contiguous(Tensor(a) self, *, MemoryFormat memory_format=contiguous_format) -> (Tensor(a))",
                  passThrough})
        .pattern({"aten::clone(Tensor self, *, MemoryFormat? memory_format=None) -> (Tensor)", passThrough})
        .pattern({"aten::detach(Tensor(a) self) -> (Tensor(a))", passThrough});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
