// torch._scaled_mm: an FP8 product with per-tensor scales, y = scale_a * scale_b * (a @ b) + bias in out_dtype,
// as an FP8 quantization-aware model's linear layers run it (FP8 activations from
// `(x / s).clamp(-448, 448).to(torch.float8_e4m3fn)`, FP8 weights kept as a constant). The engine's FP8 matrix
// multiply reads the activation's codes and the weights' codes as they are.
#include <cmath>

#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// A per-tensor scale: a compile-time float32 tensor of one positive, finite value.
float perTensorScale(const torch::jit::Node* n, Var& v, const char* what) {
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(v.isIValue() && v.IValue()->isTensor(),
                 "torch._scaled_mm's " << what << " must be known at compile time (a module's buffer): " << name);
  const at::Tensor t = v.IValue()->toTensor().to(at::kCPU);
  TORCHTRT_CHECK(t.numel() == 1 && t.scalar_type() == at::kFloat,
                 "torch._scaled_mm's " << what << " must be one float32 value (a per-tensor scale; row-wise scales "
                                       << "are not supported), got " << c10::toString(t.scalar_type()) << " of shape "
                                       << t.sizes() << ": " << name);
  const float s = t.item<float>();
  TORCHTRT_CHECK(s > 0.f && std::isfinite(s),
                 "torch._scaled_mm's " << what << " must be positive and finite, got " << s << ": " << name);
  return s;
}

bool scaledMm(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(a[0].isITensor() && a[0].ITensor()->getType() == trt::DataType::kFP8 && rankOf(a[0].ITensor()) == 2,
                 "torch._scaled_mm's first operand must be a 2-D float8_e4m3fn tensor the graph computes (the "
                 "activation, x.clamp(-448, 448).to(torch.float8_e4m3fn)): "
                     << name);
  trt::ITensor* x = a[0].ITensor();
  TORCHTRT_CHECK(a[1].isIValue() && a[1].IValue()->isTensor(),
                 "torch._scaled_mm's second operand must be a constant (the FP8 weights): " << name);
  const at::Tensor b = a[1].IValue()->toTensor().to(at::kCPU);
  TORCHTRT_CHECK(b.scalar_type() == at::kFloat8_e4m3fn && b.dim() == 2,
                 "torch._scaled_mm's second operand must be a 2-D float8_e4m3fn tensor, got "
                     << c10::toString(b.scalar_type()) << " of shape " << b.sizes() << ": " << name);
  const int64_t K = b.size(0), N = b.size(1);
  const int64_t xK = x->getDimensions().d[1];
  TORCHTRT_CHECK(xK < 0 || xK == K,
                 "torch._scaled_mm's operands do not chain: [M, " << xK << "] times " << b.sizes() << ": " << name);
  const float scaleA = perTensorScale(n, a[2], "scale_a"), scaleB = perTensorScale(n, a[3], "scale_b");
  TORCHTRT_CHECK(a[5].isNone(), "torch._scaled_mm with scale_result (an FP8 output) is not supported: " << name);
  TORCHTRT_CHECK(!a[6].isNone(),
                 "torch._scaled_mm without out_dtype writes FP8, which is not supported; pass "
                 "out_dtype=torch.float32, torch.float16 or torch.bfloat16: "
                     << name);
  const auto outType = static_cast<at::ScalarType>(a[6].unwrapToInt());
  TORCHTRT_CHECK(outType == at::kFloat || outType == at::kHalf || outType == at::kBFloat16,
                 "torch._scaled_mm's out_dtype must be float32, float16 or bfloat16, got " << c10::toString(outType)
                                                                                           << ": " << name);
  // The weights' codes as the engine's FP8 products read them: [N, K], used transposed.
  const at::Tensor rows = b.t().contiguous();
  trt::ITensor* weights = ctx->constantBytes(rows.view(at::kByte), trt::DataType::kFP8, name + " [weights]");
  // The output takes its bias's type: out_dtype's zeros where the call has none.
  at::Tensor bias;
  if (a[4].isNone()) {
    bias = at::zeros({N}, at::TensorOptions().dtype(outType));
  } else {
    TORCHTRT_CHECK(a[4].isIValue() && a[4].IValue()->isTensor(),
                   "torch._scaled_mm's bias must be a constant (the layer's bias): " << name);
    bias = a[4].IValue()->toTensor().to(at::kCPU);
    TORCHTRT_CHECK(bias.dim() == 1 && bias.size(0) == N && bias.scalar_type() == outType,
                   "torch._scaled_mm's bias must be [" << N << "] of out_dtype " << c10::toString(outType) << ", got "
                                                       << c10::toString(bias.scalar_type()) << " of shape "
                                                       << bias.sizes() << ": " << name);
  }
  trt::ITensor* biasTensor = ctx->constantTensor(bias, name + " [bias]");
  auto* mm = ctx->net->addMatrixMultiply(*x, trt::MatrixOperation::kNONE, *weights, trt::MatrixOperation::kTRANSPOSE);
  mm->setFp8Scales(scaleA, scaleB);
  mm->setInput(2, *biasTensor);
  mm->setName(name.c_str());
  return bindOutput(ctx, n, mm) != nullptr;
}

auto scaledMatmulRegistrations = RegisterNodeConversionPatterns().pattern(
    {"aten::_scaled_mm(Tensor self, Tensor mat2, Tensor scale_a, Tensor scale_b, Tensor? bias=None, Tensor? "
     "scale_result=None, ScalarType? out_dtype=None, bool use_fast_accum=False) -> Tensor",
     scaledMm});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
