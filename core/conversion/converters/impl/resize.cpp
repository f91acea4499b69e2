// upsample_nearest / _upsample_nearest_exact / upsample_linear1d / bilinear2d / trilinear3d /
// bicubic2d, both the explicit-size overloads and the `.vec` ones that F.interpolate emits, as a
// Resize layer with PyTorch's coordinate rules (scale factors, when given, set the ratio).
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// PyTorch sizes a dimension scaled by f as floor(double(n) * f). For a dynamic n the engine computes in
// int64 shape arithmetic, so f is replaced by the first continued-fraction convergent p/q with
// floor(n * p / q) equal to PyTorch's size for every n up to kCheckedSizes (exact for all n when f is a
// dyadic fraction such as 0.5 or 1.5: then p/q is f itself). Returns {p, q}, or {0, 0} when none is.
constexpr int64_t kCheckedSizes = 1 << 16;
std::pair<int64_t, int64_t> sizeRatio(double f) {
  double x = f;
  int64_t p0 = 0, q0 = 1, p1 = 1, q1 = 0;  // convergents p(k-2)/q(k-2), p(k-1)/q(k-1)
  for (int i = 0; i < 40 && std::isfinite(x); ++i) {
    const double a = std::floor(x);
    if (a > static_cast<double>(1 << 20)) break;
    const int64_t ai = static_cast<int64_t>(a);
    const int64_t p = ai * p1 + p0, q = ai * q1 + q0;
    if (q > (int64_t(1) << 24)) break;
    bool matches = true;
    for (int64_t n = 0; n <= kCheckedSizes && matches; ++n)
      matches = (n * p) / q == static_cast<int64_t>(std::floor(static_cast<double>(n) * f));
    if (matches) return {p, q};
    p0 = p1, q0 = q1, p1 = p, q1 = q;
    if (x == a) break;
    x = 1.0 / (x - a);
  }
  return {0, 0};
}

struct Upsample {
  int64_t nd;
  trt::InterpolationMode mode;
  bool exact = false;     // nearest-exact (half-pixel) instead of nearest (asymmetric)
  bool alignArg = false;  // the schema has align_corners after output_size
};

// The output size as a 1-D int64 shape tensor where the input has dynamic dims or the size is
// computed from sizes: the leading dims read at run time, the resized ones given, computed from
// sizes, or (integral scale factors) the input's run-time size times the factor.
trt::ITensor* runTimeOutputDims(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, int64_t nd,
                                trt::ITensor* sizes, const std::vector<int64_t>& outSize,
                                const std::vector<double>& factors) {
  const std::string name = util::node_info(n);
  const int64_t rank = rankOf(in);
  std::vector<trt::ITensor*> parts;
  for (int64_t d = 0; d < rank - nd; ++d)
    parts.push_back(shape::asElement(ctx, shape::dimension(ctx, in, d, name + " [size]"), name));
  if (sizes) {
    parts.push_back(sizes);
  } else if (!factors.empty()) {
    for (int64_t i = 0; i < nd; ++i) {
      const int64_t d = rank - nd + i;
      const double f = factors[i];
      if (in->getDimensions().d[d] >= 0) {
        parts.push_back(shape::int64Vector(ctx, {outSize[i]}, name + " [out size]"));
        continue;
      }
      const auto [p, q] = sizeRatio(f);
      TORCHTRT_CHECK(q > 0, "Unable to convert node: "
                                << name << "\nupsampling dynamic dimension " << d << " of " << in->getDimensions().str()
                                << " by scale factor " << f
                                << ": no ratio of integers gives PyTorch's output sizes floor(n * " << f
                                << ") for n up to " << kCheckedSizes << "; give output_size or a static input size");
      trt::ITensor* size = shape::asElement(ctx, shape::dimension(ctx, in, d, name + " [size]"), name);
      trt::ITensor* scaled =
          shape::arith(ctx, trt::ElementWiseOperation::kPROD, size,
                       shape::int64Vector(ctx, {p}, name + " [factor numerator]"), name + " [scaled size]");
      if (q > 1)
        scaled = shape::arith(ctx, trt::ElementWiseOperation::kFLOOR_DIV, scaled,
                              shape::int64Vector(ctx, {q}, name + " [factor denominator]"), name + " [scaled size]");
      parts.push_back(scaled);
    }
  } else {
    parts.push_back(shape::int64Vector(ctx, outSize, name + " [out size]"));
  }
  return shape::concat(ctx, parts, name + " [output dims]");
}

bool resizeWith(ConversionCtx* ctx, const torch::jit::Node* n, args& a, const Upsample& u, bool vec) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  TORCHTRT_CHECK(rank >= u.nd + 1,
                 "upsampling input " << in->getDimensions().str() << " has too few dims: " << util::node_info(n));
  const bool alignCorners = u.alignArg && a[2].unwrapToBool();
  const size_t scalesAt = u.alignArg ? 3 : 2;
  std::vector<int64_t> outSize;
  std::vector<double> scales(u.nd, 0.0), factors;
  trt::ITensor* runTimeSizes = nullptr;  // an output_size computed from sizes
  const bool sizeGiven = !vec || !a[1].isNone();
  if (sizeGiven && shape::isRunTimeSizes(a[1])) {
    runTimeSizes = shape::sizesTensor(ctx, a[1], util::node_info(n) + " [output size]");
    TORCHTRT_CHECK(runTimeSizes->getDimensions().nbDims == 1 && runTimeSizes->getDimensions().d[0] == u.nd,
                   "output_size has " << runTimeSizes->getDimensions().str() << " values for " << u.nd
                                      << " dims: " << util::node_info(n));
  } else if (sizeGiven) {
    outSize = a[1].unwrapToIntList().vec();
  }
  if (vec) {
    if (sizeGiven) {
      TORCHTRT_CHECK(a[scalesAt].isNone(), "give output_size or scale_factors, not both: " << util::node_info(n));
    } else {
      TORCHTRT_CHECK(!a[scalesAt].isNone(), "upsampling needs output_size or scale_factors: " << util::node_info(n));
      factors = a[scalesAt].unwrapToDoubleList().vec();
      TORCHTRT_CHECK(static_cast<int64_t>(factors.size()) == u.nd,
                     factors.size() << " scale factors for " << u.nd << " dims: " << util::node_info(n));
      for (int64_t i = 0; i < u.nd; ++i) {
        const int64_t inSize = dims[rank - u.nd + i];
        outSize.push_back(inSize < 0 ? -1 : static_cast<int64_t>(std::floor(static_cast<double>(inSize) * factors[i])));
        scales[i] = factors[i];
      }
    }
  } else {
    for (int64_t i = 0; i < u.nd; ++i) {
      Var& s = a[scalesAt + i];
      if (!s.isNone()) scales[i] = s.unwrapToDouble();
    }
  }
  TORCHTRT_CHECK(runTimeSizes || static_cast<int64_t>(outSize.size()) == u.nd,
                 "output_size has " << outSize.size() << " values for " << u.nd << " dims: " << util::node_info(n));
  std::vector<int64_t> outDims = dims;
  std::vector<double> ratios(rank, 0.0);
  for (int64_t i = 0; i < u.nd; ++i) {
    if (!runTimeSizes) {
      TORCHTRT_CHECK(outSize[i] > 0 || (outSize[i] == -1 && !factors.empty()),
                     "upsampling to size " << outSize[i] << ": " << util::node_info(n));
      outDims[rank - u.nd + i] = outSize[i];
    }
    // PyTorch uses 1/scale when a scale is given (and align_corners is off), else in/out.
    if (scales[i] > 0 && !alignCorners) ratios[rank - u.nd + i] = 1.0 / scales[i];
  }
  bool known = !runTimeSizes;
  for (int64_t d : outDims) known &= d >= 0;
  // (Shape tensors are made before the layer that reads them: layers run in creation order.)
  trt::ITensor* runTimeDims = known ? nullptr : runTimeOutputDims(ctx, n, in, u.nd, runTimeSizes, outSize, factors);
  auto* layer = ctx->net->addResize(*in, util::toDims(known ? outDims : std::vector<int64_t>(rank, 0)));
  if (runTimeDims) layer->setInput(1, *runTimeDims);
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
