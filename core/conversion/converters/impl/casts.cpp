// Casts: to (dtype, device+dtype, other, dtype_layout) and type_as.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool castToScalarType(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, at::ScalarType type) {
  TORCHTRT_CHECK(type != at::kDouble, "casting to float64 ("
                                          << util::node_info(n)
                                          << ") has no engine type; compute in float32 or run this op in TorchScript");
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
