// Inference batch norm as a per-channel scale and shift computed at compile time.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool batchNorm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  TORCHTRT_CHECK(dims.size() >= 2 && dims[1] > 0,
                 "batch_norm input " << in->getDimensions().str() << " needs a static channel dimension 1");
  const int64_t channels = dims[1];
  bool training = a[5].unwrapToBool();
  TORCHTRT_CHECK(!training, "batch_norm in training mode (" << util::node_info(n)
                                                            << ") cannot be compiled; call module.eval() first");
  auto constantOr = [&](Var& v, double fill) {
    if (v.isNone()) return at::full({channels}, fill, at::kDouble);
    TORCHTRT_CHECK(v.isIValue(),
                   "the statistics and affine parameters of " << util::node_info(n) << " must be constants");
    return v.unwrapToTensor().to(at::kDouble);
  };
  at::Tensor gamma = constantOr(a[1], 1.0), beta = constantOr(a[2], 0.0), mean = constantOr(a[3], 0.0),
             var = constantOr(a[4], 1.0);
  double eps = a[7].unwrapToDouble();
  // y = (x - mean) / sqrt(var + eps) * gamma + beta = x * scale + shift, computed in double.
  at::Tensor scale = gamma / at::sqrt(var + eps);
  at::Tensor shift = beta - mean * scale;
  std::vector<int64_t> shape(dims.size(), 1);
  shape[1] = channels;
  // Scale and shift in the input's own type (a float16 model's batch norm stays in float16; the
  // builder folds them into the convolution before it in any case).
  TORCHTRT_CHECK(in->getType() == trt::DataType::kFLOAT || in->getType() == trt::DataType::kHALF ||
                     in->getType() == trt::DataType::kBF16,
                 "Unable to convert node: " << util::node_info(n) << "\nbatch_norm takes a floating input, got "
                                            << trt::dataTypeName(in->getType()));
  const at::ScalarType type = util::TRTDataTypeToScalarType(in->getType());
  trt::ITensor* s = ctx->constantTensor(scale.to(type).reshape(shape), util::node_info(n) + " [scale]");
  trt::ITensor* b = ctx->constantTensor(shift.to(type).reshape(shape), util::node_info(n) + " [shift]");
  auto* mul = ctx->net->addElementWise(*in, *s, trt::ElementWiseOperation::kPROD);
  mul->setName((util::node_info(n) + " [scale]").c_str());
  return bindOutput(ctx, n, ctx->net->addElementWise(*mul->getOutput(0), *b, trt::ElementWiseOperation::kSUM)) !=
         nullptr;
}

auto batchNormRegistrations =
    RegisterNodeConversionPatterns().pattern({"aten::batch_norm(Tensor input, Tensor? weight, Tensor? bias, Tensor? "
                                              "running_mean, Tensor? running_var, bool training, "
                                              "float momentum, float eps, bool cudnn_enabled) -> (Tensor)",
                                              batchNorm});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
