// Casts: to (dtype, device+dtype, other, dtype_layout) and type_as.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// True when `v` is only returned by the graph (directly or as an element of the returned tuple/list).
bool onlyReturned(const torch::jit::Value* v) {
  const torch::jit::Node* ret = v->owningGraph()->return_node();
  for (const auto& use : v->uses()) {
    const torch::jit::Node* user = use.user;
    const bool packed =
        (user->kind() == torch::jit::prim::TupleConstruct || user->kind() == torch::jit::prim::ListConstruct) &&
        user->output()->uses().size() == 1 && user->output()->uses()[0].user == ret;
    if (user != ret && !packed) return false;
  }
  return !v->uses().empty();
}

bool castToScalarType(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, at::ScalarType type) {
  if (type == at::kDouble) {
    // The engine has no float64. A cast to float64 that the graph only returns is exact outside the
    // engine: float32/16, bfloat16, int32 and bool widen to float64 exactly, and int64 rounds as eager's
    // cast does; so the engine returns the source and the compiled module casts it after the engine.
    // Anything computed from a float64 tensor would lose precision in float32: refused.
    TORCHTRT_CHECK(ctx->boundary_casts_allowed && onlyReturned(n->outputs()[0]),
                   "casting to float64 (" << util::node_info(n)
                                          << ") has no engine type; an engine returns a float64 cast only as a graph "
                                             "output of a whole-graph engine (cast after it); compute in float32 or "
                                             "run this op in TorchScript");
    ctx->boundary_casts[n->outputs()[0]] = at::kDouble;
    return bindTensor(ctx, n, in) != nullptr;
  }
  trt::ITensor* out = castTo(ctx, in, util::ScalarTypeToTRTDataType(type), util::node_info(n));
  // A cast to the same type still yields a distinct value (a copy), as PyTorch's graph sees it.
  ctx->AssociateValueAndTensor(n->outputs()[0], out == in ? ctx->net->addIdentity(*in)->getOutput(0) : out);
  return true;
}

bool toDtype(ConversionCtx* ctx, const torch::jit::Node* n, args& a, size_t dtypeIndex) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  if (a[dtypeIndex].isNone()) return bindTensor(ctx, n, in) != nullptr;
  return castToScalarType(ctx, n, in, static_cast<at::ScalarType>(a[dtypeIndex].unwrapToInt()));
}

bool toOther(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  at::ScalarType type =
      a[1].isITensor() ? util::TRTDataTypeToScalarType(a[1].ITensor()->getType()) : a[1].unwrapToTensor().scalar_type();
  return castToScalarType(ctx, n, in, type);
}

#define TORCHTRT_TO(index) \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return toDtype(ctx, n, a, index); }

auto castRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::to.dtype(Tensor(a) self, ScalarType dtype, bool non_blocking=False, bool copy=False, "
                  "MemoryFormat? memory_format=None) -> Tensor(a)",
                  TORCHTRT_TO(1)})
        .pattern({"aten::to.device(Tensor(a) self, Device device, ScalarType dtype, bool non_blocking=False, bool "
                  "copy=False, MemoryFormat? memory_format=None) -> Tensor(a)",
                  TORCHTRT_TO(2)})
        .pattern({"aten::to.prim_Device(Tensor(a) self, Device? device, int? dtype=None, bool non_blocking=False, bool "
                  "copy=False) -> Tensor(a|b)",
                  TORCHTRT_TO(2)})
        .pattern({"aten::to.dtype_layout(Tensor(a) self, *, ScalarType? dtype=None, Layout? layout=None, Device? "
                  "device=None, bool? pin_memory=None, bool non_blocking=False, bool copy=False, MemoryFormat? "
                  "memory_format=None) -> Tensor(a)",
                  TORCHTRT_TO(1)})
        .pattern({"aten::to.other(Tensor(a) self, Tensor other, bool non_blocking=False, bool copy=False, "
                  "MemoryFormat? memory_format=None) -> Tensor(a)",
                  toOther})
        .pattern({"aten::type_as(Tensor self, Tensor other) -> Tensor", toOther});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
