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

// The largest magnitude a cast to float8_e4m3fn rounds to a finite code: PyTorch's cast turns larger ones into
// NaN, where the engine's FP8 quantization saturates at 448.
constexpr double kFp8FiniteBound = 464.0;

// The bounds of a clamp (clamp, clip, hardtanh) producing `v` when both are compile-time numbers, else false.
bool clampBounds(const torch::jit::Value* v, double& lo, double& hi) {
  const torch::jit::Node* p = v->node();
  const std::string kind = p->kind().toQualString();
  if (kind != "aten::clamp" && kind != "aten::clamp_" && kind != "aten::clip" && kind != "aten::clip_" &&
      kind != "aten::hardtanh" && kind != "aten::hardtanh_")
    return false;
  if (p->inputs().size() != 3) return false;
  const auto low = torch::jit::toIValue(p->input(1)), high = torch::jit::toIValue(p->input(2));
  if (!low || !high || !low->isScalar() || !high->isScalar()) return false;
  lo = low->toScalar().toDouble();
  hi = high->toScalar().toDouble();
  return true;
}

// x.to(torch.float8_e4m3fn) of a float tensor: an FP8 quantization with scale 1. Only after a clamp within the
// finite range (a quantization-aware model's `(x / s).clamp(-448, 448)`): there PyTorch's rounding and the
// quantization's saturating one give the same codes; beyond it PyTorch writes NaN.
bool castToFp8(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in) {
  const std::string name = util::node_info(n);
  const trt::DataType from = in->getType();
  TORCHTRT_CHECK(from == trt::DataType::kFLOAT || from == trt::DataType::kHALF || from == trt::DataType::kBF16,
                 "casting " << trt::dataTypeName(from) << " to float8_e4m3fn is not supported (" << name
                            << "): the engine converts float32, float16 or bfloat16 tensors to FP8");
  double lo = 0, hi = 0;
  TORCHTRT_CHECK(clampBounds(n->input(0), lo, hi) && lo >= -kFp8FiniteBound && hi <= kFp8FiniteBound,
                 "casting to float8_e4m3fn ("
                     << name
                     << ") is supported after a clamp of the values to at most [-448, 448], as FP8 quantization "
                        "writes it: (x / s).clamp(-448, 448).to(torch.float8_e4m3fn); PyTorch's cast turns "
                        "magnitudes above 464 into NaN, which the engine's saturating FP8 conversion does not");
  auto* q = ctx->net->addQuantize(*in, {1.f});
  q->setToType(trt::DataType::kFP8);
  q->setName((name + " [to fp8]").c_str());
  return bindTensor(ctx, n, q->getOutput(0)) != nullptr;
}

// An FP8 tensor to float32 (a dequantization with scale 1: every E4M3 value is exact in float32), or further to
// float16 or bfloat16 (exact there too).
bool castFromFp8(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, at::ScalarType type) {
  const std::string name = util::node_info(n);
  if (type == at::kFloat8_e4m3fn) return bindTensor(ctx, n, ctx->net->addIdentity(*in)->getOutput(0)) != nullptr;
  TORCHTRT_CHECK(type == at::kFloat || type == at::kHalf || type == at::kBFloat16,
                 "casting float8_e4m3fn to torch." << c10::toString(type) << " is not supported (" << name
                                                   << "): the engine converts FP8 to float32, float16 or bfloat16");
  auto* dq = ctx->net->addDequantize(*in, {1.f});
  dq->setName((name + " [from fp8]").c_str());
  trt::ITensor* out = dq->getOutput(0);
  if (type != at::kFloat) out = castTo(ctx, out, util::ScalarTypeToTRTDataType(type), name);
  return bindTensor(ctx, n, out) != nullptr;
}

bool castToScalarType(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, at::ScalarType type) {
  if (in->getType() == trt::DataType::kFP8) return castFromFp8(ctx, n, in, type);
  if (type == at::kFloat8_e4m3fn) return castToFp8(ctx, n, in);
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
