// Fake quantization (quantization-aware training's Q/DQ pairs): y = (clamp(round(x / s) + z, qmin,
// qmax) - z) * s, per tensor or per channel, computed in FP32 with PyTorch's operation order
// (x times 1/s, round half to even, integer zero point; a float zero point inside the rounding). With int8 in
// enabled_precisions and the engine's symmetric INT8 form (zero point 0, range [-128, 127]) they become
// Quantize/Dequantize layers, which the builder folds into INT8 convolutions; otherwise elementwise layers compute
// them.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {
using E = trt::ElementWiseOperation;

// `scale` and `zeroPoint` hold one value, or one per index of `axis` (then viewed along it). A floating
// `zeroPoint` (torch.ao's float qparams, per channel) is added before rounding, as PyTorch's kernel does:
// round(x / s + z); an integer one after it. The result has x's type (a float16 x: computed in FP32, rounded
// once); NaN quantizes to quant_min, as PyTorch's kernel and the engine's INT8 Quantize give.
bool fakeQuantize(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, at::Tensor scale,
                  at::Tensor zeroPoint, int64_t axis, int64_t qmin, int64_t qmax) {
  PinFloat32 pin(ctx);
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(qmin <= qmax, "fake_quantize quant_min " << qmin << " exceeds quant_max " << qmax << ": " << name);
  const trt::DataType inputType = x->getType();
  TORCHTRT_CHECK(
      inputType == trt::DataType::kFLOAT || inputType == trt::DataType::kHALF || inputType == trt::DataType::kBF16,
      "fake_quantize takes float32, float16 or bfloat16 tensors, got " << trt::dataTypeName(inputType) << ": " << name);
  auto toInputType = [&](trt::ITensor* y) { return castTo(ctx, y, inputType, name + " [to input type]"); };
  x = castTo(ctx, x, trt::DataType::kFLOAT, name + " [float]");
  const bool floatZeroPoint = zeroPoint.is_floating_point();
  // On the host: a module on the GPU holds its quantization parameters there.
  scale = scale.to(at::kCPU, at::kFloat).flatten().contiguous();
  zeroPoint = zeroPoint.to(at::kCPU, at::kFloat).flatten();
  const bool symmetricInt8 = qmin == -128 && qmax == 127 && zeroPoint.eq(0).all().item<bool>() &&
                             scale.gt(0).all().item<bool>() && scale.isfinite().all().item<bool>();
  if (ctx->settings.enabled_precisions.count(at::kChar) && symmetricInt8) {
    std::vector<float> scales(scale.data_ptr<float>(), scale.data_ptr<float>() + scale.numel());
    const int32_t layerAxis = axis >= 0 && scales.size() > 1 ? static_cast<int32_t>(axis) : -1;
    auto* q = ctx->net->addQuantize(*x, scales, layerAxis);
    q->setName((name + " [quantize]").c_str());
    auto* dq = ctx->net->addDequantize(*q->getOutput(0), scales, layerAxis);
    dq->setName((name + " [dequantize]").c_str());
    return bindTensor(ctx, n, toInputType(dq->getOutput(0))) != nullptr;
  }
  if (ctx->settings.enabled_precisions.count(at::kChar)) ++ctx->emulated_fake_quantize;
  if (axis >= 0) {
    std::vector<int64_t> view(static_cast<size_t>(rankOf(x)), 1);
    view[axis] = scale.numel();
    scale = scale.reshape(view);
    zeroPoint = zeroPoint.reshape(view);
  }
  at::Tensor inverse = at::reciprocal(scale);  // float 1/s, as PyTorch's kernel
  auto constant = [&](const at::Tensor& t, const char* what) {
    return ctx->constantTensor(t, name + " [" + what + "]");
  };
  auto ew = [&](E op, trt::ITensor* a, trt::ITensor* b, const char* what) {
    return addElementwise(ctx, op, a, b, name + " [" + what + "]")->getOutput(0);
  };
  auto bound = [&](int64_t value, const char* what) {
    return scalarConstant(ctx, static_cast<double>(value), trt::DataType::kFLOAT, name + " [" + what + "]");
  };
  trt::ITensor* zp = constant(zeroPoint, "zero point");
  trt::ITensor* t = ew(E::kPROD, x, constant(inverse, "1/scale"), "x/scale");
  if (floatZeroPoint) t = ew(E::kSUM, t, zp, "+zero point");
  auto* rounded = ctx->net->addUnary(*t, trt::UnaryOperation::kROUND);
  rounded->setName((name + " [round]").c_str());
  trt::ITensor* q = rounded->getOutput(0);
  if (!floatZeroPoint) q = ew(E::kSUM, q, zp, "+zero point");
  // NaN -> quant_min (PyTorch's kernel converts it to the lowest integer before clamping).
  auto* isNaN = addElementwise(ctx, E::kEQUAL, q, q, name + " [not NaN]");
  auto* notNaN = isNaN->getOutput(0);
  auto* nanToLow = ctx->net->addSelect(*notNaN, *q, *bound(qmin, "NaN -> qmin"));
  nanToLow->setName((name + " [NaN -> qmin]").c_str());
  q = ew(E::kMAX, nanToLow->getOutput(0), bound(qmin, "qmin"), "clamp low");
  q = ew(E::kMIN, q, bound(qmax, "qmax"), "clamp high");
  trt::ITensor* y = ew(E::kPROD, ew(E::kSUB, q, zp, "-zero point"), constant(scale, "scale"), "dequantize");
  return bindTensor(ctx, n, toInputType(y)) != nullptr;
}

at::Tensor compileTimeTensor(const torch::jit::Node* n, Var& v, const char* what) {
  TORCHTRT_CHECK(v.isIValue() && v.IValue()->isTensor(),
                 "fake_quantize " << what << " must be known at compile time: " << util::node_info(n));
  return v.IValue()->toTensor();
}

// PyTorch refuses a zero point outside [quant_min, quant_max] (the engine would answer where eager raises).
void checkZeroPointsInRange(const torch::jit::Node* n, const at::Tensor& zeroPoint, int64_t qmin, int64_t qmax) {
  if (zeroPoint.numel() == 0) return;
  const double low = zeroPoint.min().item<double>(), high = zeroPoint.max().item<double>();
  TORCHTRT_CHECK(low >= static_cast<double>(qmin) && high <= static_cast<double>(qmax),
                 "fake_quantize's zero point must lie in [quant_min, quant_max] = ["
                     << qmin << ", " << qmax << "], got values in [" << low << ", " << high
                     << "]: " << util::node_info(n));
}

bool perTensor(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const int64_t zeroPoint = a[2].unwrapToInt(), qmin = a[3].unwrapToInt(), qmax = a[4].unwrapToInt();
  checkZeroPointsInRange(n, at::tensor({zeroPoint}), qmin, qmax);
  return fakeQuantize(ctx, n, a[0].ITensorOrFreeze(ctx), at::tensor({static_cast<float>(a[1].unwrapToDouble())}),
                      at::tensor({zeroPoint}), -1, qmin, qmax);
}

// PyTorch reads the tensors' single values: the scale as a float, the zero point truncated to an integer.
bool perTensorTensorParams(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  at::Tensor scale = compileTimeTensor(n, a[1], "scale"), zp = compileTimeTensor(n, a[2], "zero_point");
  TORCHTRT_CHECK(scale.numel() == 1 && zp.numel() == 1,
                 "fake_quantize_per_tensor_affine takes one scale and one "
                 "zero point, got "
                     << scale.numel() << " and " << zp.numel() << ": " << util::node_info(n));
  return fakeQuantize(ctx, n, a[0].ITensorOrFreeze(ctx), scale, zp.to(at::kLong), -1, a[3].unwrapToInt(),
                      a[4].unwrapToInt());
}

// PyTorch's checks: axis in [0, rank), 1-D float32 (or bfloat16) scales, int32 / float / half zero points (int32
// ones in [quant_min, quant_max]), one of each per channel.
bool perChannel(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const int64_t axis = a[3].unwrapToInt(), qmin = a[4].unwrapToInt(), qmax = a[5].unwrapToInt();
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(axis >= 0 && axis < rankOf(x), "fake_quantize_per_channel_affine's axis must lie in [0, "
                                                    << rankOf(x) << ") (PyTorch takes no negative axis), got " << axis
                                                    << ": " << name);
  at::Tensor scale = compileTimeTensor(n, a[1], "scale"), zp = compileTimeTensor(n, a[2], "zero_point");
  TORCHTRT_CHECK(scale.dim() == 1 && zp.dim() == 1,
                 "fake_quantize_per_channel_affine takes 1-D scales and zero "
                 "points, got "
                     << scale.dim() << "-D and " << zp.dim() << "-D: " << name);
  TORCHTRT_CHECK(scale.scalar_type() == at::kFloat || scale.scalar_type() == at::kBFloat16,
                 "fake_quantize_per_channel_affine's scale must be float32 or bfloat16, got "
                     << c10::toString(scale.scalar_type()) << ": " << name);
  TORCHTRT_CHECK(zp.scalar_type() == at::kInt || zp.scalar_type() == at::kFloat || zp.scalar_type() == at::kHalf,
                 "fake_quantize_per_channel_affine's zero point must be int32, float32 or float16, got "
                     << c10::toString(zp.scalar_type()) << ": " << name);
  const auto dims = util::toVec(x->getDimensions());
  TORCHTRT_CHECK(scale.numel() == dims[axis] && zp.numel() == dims[axis],
                 "fake_quantize_per_channel_affine has " << scale.numel() << " scales and " << zp.numel()
                                                         << " zero points for " << dims[axis] << " channels: " << name);
  // Only integer zero points are checked (torch.ao's float qparams give float ones outside the range, which
  // PyTorch computes with).
  if (!zp.is_floating_point()) checkZeroPointsInRange(n, zp, qmin, qmax);
  return fakeQuantize(ctx, n, x, scale, zp, axis, qmin, qmax);
}

// torch.ao's FusedMovingAvgObsFakeQuantize (the default QAT fake quantizer): with its observer off (an
// inference model after disable_observer) it is a pure fake quantize by its scale and zero point, per
// tensor or, with per_row_fake_quant, per channel along ch_axis; with fake quantization off, the identity.
bool fusedObserverFakeQuantize(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  auto flag = [&](Var& v, const char* what) {
    at::Tensor t = compileTimeTensor(n, v, what);
    TORCHTRT_CHECK(t.numel() == 1, "fused_moving_avg_obs_fake_quant " << what << " holds " << t.numel()
                                                                      << " values, expected one: " << name);
    return t.item<double>() != 0;
  };
  TORCHTRT_CHECK(!flag(a[1], "observer_on"),
                 "Unable to convert node: " << name
                                            << "\nits observer is on, so every call would update the quantization "
                                               "statistics; an engine runs inference: call "
                                               "model.apply(torch.ao.quantization.disable_observer) before compiling");
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  if (!flag(a[2], "fake_quant_on")) return bindOutput(ctx, n, ctx->net->addIdentity(*x)) != nullptr;
  at::Tensor scale = compileTimeTensor(n, a[5], "scale"), zp = compileTimeTensor(n, a[6], "zero_point");
  const int64_t qmin = a[8].unwrapToInt(), qmax = a[9].unwrapToInt();
  if (!a[11].unwrapToBool()) {
    TORCHTRT_CHECK(scale.numel() == 1 && zp.numel() == 1,
                   "per-tensor fused_moving_avg_obs_fake_quant has " << scale.numel() << " scales: " << name);
    return fakeQuantize(ctx, n, x, scale, zp, -1, qmin, qmax);
  }
  const int64_t axis = util::normalizeDim(a[10].unwrapToInt(), rankOf(x), n);
  const auto dims = util::toVec(x->getDimensions());
  TORCHTRT_CHECK(scale.numel() == dims[axis] && zp.numel() == dims[axis], "fused_moving_avg_obs_fake_quant has "
                                                                              << scale.numel() << " scales for "
                                                                              << dims[axis] << " channels: " << name);
  return fakeQuantize(ctx, n, x, scale, zp, axis, qmin, qmax);
}

auto quantizationRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::fake_quantize_per_tensor_affine(Tensor self, float scale, int zero_point, int quant_min, int "
                  "quant_max) -> Tensor",
                  perTensor})
        .pattern({"aten::fake_quantize_per_tensor_affine.tensor_qparams(Tensor self, Tensor scale, Tensor zero_point, "
                  "int quant_min, int quant_max) -> Tensor",
                  perTensorTensorParams})
        .pattern({"aten::fake_quantize_per_channel_affine(Tensor self, Tensor scale, Tensor zero_point, int axis, int "
                  "quant_min, int quant_max) -> Tensor",
                  perChannel})
        .pattern({"aten::fused_moving_avg_obs_fake_quant(Tensor self, Tensor observer_on, Tensor fake_quant_on, "
                  "Tensor(a!) running_min, Tensor(b!) running_max, Tensor(c!) scale, Tensor(d!) zero_point, float "
                  "averaging_const, int quant_min, int quant_max, int ch_axis, bool per_row_fake_quant=False, bool "
                  "symmetric_quant=False) -> Tensor",
                  fusedObserverFakeQuantize});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
