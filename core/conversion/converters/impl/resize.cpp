// upsample_nearest / _upsample_nearest_exact / upsample_linear1d / bilinear2d / trilinear3d /
// bicubic2d, both the explicit-size overloads and the `.vec` ones that F.interpolate emits, as a
// Resize layer with PyTorch's coordinate rules (scale factors, when given, set the ratio).
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

struct Upsample {
  int64_t nd;
  trt::InterpolationMode mode;
  bool exact = false;     // nearest-exact (half-pixel) instead of nearest (asymmetric)
  bool alignArg = false;  // the schema has align_corners after output_size
};

bool resizeWith(ConversionCtx* ctx, const torch::jit::Node* n, args& a, const Upsample& u, bool vec) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  requireStaticShape(n, in, "the resized input");
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  TORCHTRT_CHECK(rank >= u.nd + 1,
                 "upsampling input " << in->getDimensions().str() << " has too few dims: " << util::node_info(n));
  const bool alignCorners = u.alignArg && a[2].unwrapToBool();
  const size_t scalesAt = u.alignArg ? 3 : 2;
  std::vector<int64_t> outSize;
  std::vector<double> scales(u.nd, 0.0);
  if (vec) {
    if (!a[1].isNone()) {
      outSize = a[1].unwrapToIntList().vec();
      TORCHTRT_CHECK(a[scalesAt].isNone(), "give output_size or scale_factors, not both: " << util::node_info(n));
    } else {
      TORCHTRT_CHECK(!a[scalesAt].isNone(), "upsampling needs output_size or scale_factors: " << util::node_info(n));
      auto factors = a[scalesAt].unwrapToDoubleList().vec();
      TORCHTRT_CHECK(static_cast<int64_t>(factors.size()) == u.nd,
                     factors.size() << " scale factors for " << u.nd << " dims: " << util::node_info(n));
      for (int64_t i = 0; i < u.nd; ++i) {
        outSize.push_back(static_cast<int64_t>(std::floor(static_cast<double>(dims[rank - u.nd + i]) * factors[i])));
        scales[i] = factors[i];
      }
    }
  } else {
    outSize = a[1].unwrapToIntList().vec();
    for (int64_t i = 0; i < u.nd; ++i) {
      Var& s = a[scalesAt + i];
      if (!s.isNone()) scales[i] = s.unwrapToDouble();
    }
  }
  TORCHTRT_CHECK(static_cast<int64_t>(outSize.size()) == u.nd,
                 "output_size has " << outSize.size() << " values for " << u.nd << " dims: " << util::node_info(n));
  std::vector<int64_t> outDims = dims;
  std::vector<double> ratios(rank, 0.0);
  for (int64_t i = 0; i < u.nd; ++i) {
    TORCHTRT_CHECK(outSize[i] > 0, "upsampling to size " << outSize[i] << ": " << util::node_info(n));
    outDims[rank - u.nd + i] = outSize[i];
    // PyTorch uses 1/scale when a scale is given (and align_corners is off), else in/out.
    if (scales[i] > 0 && !alignCorners) ratios[rank - u.nd + i] = 1.0 / scales[i];
  }
  auto* layer = ctx->net->addResize(*in, util::toDims(outDims));
  layer->setResizeMode(u.mode);
  layer->setScales(ratios);
  if (u.mode == trt::InterpolationMode::kNEAREST) {
    layer->setCoordinateTransformation(u.exact ? trt::ResizeCoordinateTransformation::kHALF_PIXEL
                                               : trt::ResizeCoordinateTransformation::kASYMMETRIC);
  } else {
    layer->setCoordinateTransformation(alignCorners ? trt::ResizeCoordinateTransformation::kALIGN_CORNERS
                                                    : trt::ResizeCoordinateTransformation::kHALF_PIXEL);
  }
  return bindOutput(ctx, n, layer) != nullptr;
}

template <int64_t ND, trt::InterpolationMode M, bool EXACT, bool ALIGN, bool VEC>
bool upsample(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return resizeWith(ctx, n, a, Upsample{ND, M, EXACT, ALIGN}, VEC);
}

constexpr auto kNearest = trt::InterpolationMode::kNEAREST;
constexpr auto kLinear = trt::InterpolationMode::kLINEAR;
constexpr auto kCubic = trt::InterpolationMode::kCUBIC;

auto resizeRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::upsample_nearest1d(Tensor self, SymInt[1] output_size, float? scales=None) -> Tensor",
                  upsample<1, kNearest, false, false, false>})
        .pattern({"aten::upsample_nearest1d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor",
                  upsample<1, kNearest, false, false, true>})
        .pattern({"aten::upsample_nearest2d(Tensor self, SymInt[2] output_size, float? scales_h=None, float? "
                  "scales_w=None) -> Tensor",
                  upsample<2, kNearest, false, false, false>})
        .pattern({"aten::upsample_nearest2d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor",
                  upsample<2, kNearest, false, false, true>})
        .pattern({"aten::upsample_nearest3d(Tensor self, SymInt[3] output_size, float? scales_d=None, float? "
                  "scales_h=None, float? scales_w=None) -> Tensor",
                  upsample<3, kNearest, false, false, false>})
        .pattern({"aten::upsample_nearest3d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> Tensor",
                  upsample<3, kNearest, false, false, true>})
        .pattern({"aten::_upsample_nearest_exact1d(Tensor self, SymInt[1] output_size, float? scales=None) -> Tensor",
                  upsample<1, kNearest, true, false, false>})
        .pattern({"aten::_upsample_nearest_exact1d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> "
                  "Tensor",
                  upsample<1, kNearest, true, false, true>})
        .pattern({"aten::_upsample_nearest_exact2d(Tensor self, SymInt[2] output_size, float? scales_h=None, float? "
                  "scales_w=None) -> Tensor",
                  upsample<2, kNearest, true, false, false>})
        .pattern({"aten::_upsample_nearest_exact2d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> "
                  "Tensor",
                  upsample<2, kNearest, true, false, true>})
        .pattern({"aten::_upsample_nearest_exact3d(Tensor self, SymInt[3] output_size, float? scales_d=None, float? "
                  "scales_h=None, float? scales_w=None) -> Tensor",
                  upsample<3, kNearest, true, false, false>})
        .pattern({"aten::_upsample_nearest_exact3d.vec(Tensor input, SymInt[]? output_size, float[]? scale_factors) -> "
                  "Tensor",
                  upsample<3, kNearest, true, false, true>})
        .pattern({"aten::upsample_linear1d(Tensor self, SymInt[1] output_size, bool align_corners, float? "
                  "scales=None) -> Tensor",
                  upsample<1, kLinear, false, true, false>})
        .pattern({"aten::upsample_linear1d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? "
                  "scale_factors) -> Tensor",
                  upsample<1, kLinear, false, true, true>})
        .pattern({"aten::upsample_bilinear2d(Tensor self, SymInt[2] output_size, bool align_corners, float? "
                  "scales_h=None, float? scales_w=None) -> Tensor",
                  upsample<2, kLinear, false, true, false>})
        .pattern({"aten::upsample_bilinear2d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? "
                  "scale_factors) -> Tensor",
                  upsample<2, kLinear, false, true, true>})
        .pattern({"aten::upsample_trilinear3d(Tensor self, SymInt[3] output_size, bool align_corners, float? "
                  "scales_d=None, float? scales_h=None, float? scales_w=None) -> Tensor",
                  upsample<3, kLinear, false, true, false>})
        .pattern({"aten::upsample_trilinear3d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? "
                  "scale_factors) -> Tensor",
                  upsample<3, kLinear, false, true, true>})
        .pattern({"aten::upsample_bicubic2d(Tensor self, SymInt[2] output_size, bool align_corners, float? "
                  "scales_h=None, float? scales_w=None) -> Tensor",
                  upsample<2, kCubic, false, true, false>})
        .pattern({"aten::upsample_bicubic2d.vec(Tensor input, SymInt[]? output_size, bool align_corners, float[]? "
                  "scale_factors) -> Tensor",
                  upsample<2, kCubic, false, true, true>});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
