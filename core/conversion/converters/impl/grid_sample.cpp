// grid_sampler / grid_sampler_2d (F.grid_sample on 4-D inputs): the engine's GridSample layer.
// PyTorch's integer codes: interpolation 0 bilinear, 1 nearest, 2 bicubic; padding 0 zeros,
// 1 border, 2 reflection.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool gridSample(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  trt::ITensor* input = a[0].ITensorOrFreeze(ctx);
  trt::ITensor* grid = castTo(ctx, a[1].ITensorOrFreeze(ctx), input->getType(), name + " [grid dtype]");
  TORCHTRT_CHECK(rankOf(input) == 4, "grid_sample is converted for 4-D inputs (N, C, H, W); got rank "
                                         << rankOf(input) << " (3-D volumes are not): " << name);
  const int64_t interpolation = a[2].unwrapToInt(), padding = a[3].unwrapToInt();
  static const trt::InterpolationMode kModes[] = {trt::InterpolationMode::kLINEAR, trt::InterpolationMode::kNEAREST,
                                                  trt::InterpolationMode::kCUBIC};
  static const trt::SampleMode kPadding[] = {trt::SampleMode::kFILL, trt::SampleMode::kCLAMP,
                                             trt::SampleMode::kREFLECT};
  TORCHTRT_CHECK(interpolation >= 0 && interpolation < 3,
                 "grid_sample interpolation_mode " << interpolation << " is not 0, 1 or 2: " << name);
  TORCHTRT_CHECK(padding >= 0 && padding < 3, "grid_sample padding_mode " << padding << " is not 0, 1 or 2: " << name);
  auto* layer = ctx->net->addGridSample(*input, *grid);
  layer->setInterpolationMode(kModes[interpolation]);
  layer->setSampleMode(kPadding[padding]);
  layer->setAlignCorners(a[4].unwrapToBool());
  layer->setName(name.c_str());
  return bindOutput(ctx, n, layer) != nullptr;
}

auto gridSampleRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::grid_sampler(Tensor input, Tensor grid, int interpolation_mode, int padding_mode, bool "
                  "align_corners) -> Tensor",
                  gridSample})
        .pattern({"aten::grid_sampler_2d(Tensor input, Tensor grid, int interpolation_mode, int padding_mode, bool "
                  "align_corners) -> Tensor",
                  gridSample});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
