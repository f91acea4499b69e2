// constant_pad_nd, pad, reflection_pad*, replication_pad*, _pad_circular: a Slice that starts before
// the input and reads outside it in the padding's sample mode (TensorRT's way of padding).
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// `pads` lists (before, after) pairs from the last dimension backwards, as torch.nn.functional.pad.
bool padWith(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, const std::vector<int64_t>& pads,
             trt::SampleMode mode, double fill) {
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  TORCHTRT_CHECK(pads.size() % 2 == 0 && static_cast<int64_t>(pads.size() / 2) <= rank,
                 "padding " << c10::IntArrayRef(pads) << " must hold (before, after) pairs for at most " << rank
                            << " dimensions: " << util::node_info(n));
  std::vector<int64_t> begin(rank, 0), size = dims, stride(rank, 1), delta(rank, 0);
  for (int64_t& d : size) d = std::max<int64_t>(d, 0);
  for (size_t i = 0; i < pads.size() / 2; ++i) {
    const int64_t d = rank - 1 - static_cast<int64_t>(i), before = pads[2 * i], after = pads[2 * i + 1];
    if (mode != trt::SampleMode::kFILL) {
      // PyTorch's limits: reflection needs pads below the size, circular at most the size. A negative pad
      // crops that side; the slice reads the rest relative to the input's own edges, as PyTorch does for
      // reflection and replication (its circular padding wraps the cropped tensor instead: refused).
      TORCHTRT_CHECK(mode != trt::SampleMode::kWRAP || (before >= 0 && after >= 0),
                     "negative circular padding has no converter: " << util::node_info(n));
      // (Dynamic dims are checked by nothing here: the engine reflects or wraps whatever their size.)
      if (mode == trt::SampleMode::kREFLECT && dims[d] >= 0)
        TORCHTRT_CHECK(before < dims[d] && after < dims[d],
                       "reflection padding (" << before << ", " << after << ") must be smaller than dimension " << d
                                              << " of size " << dims[d]);
      if (mode == trt::SampleMode::kWRAP && dims[d] >= 0)
        TORCHTRT_CHECK(before <= dims[d] && after <= dims[d], "circular padding (" << before << ", " << after
                                                                                   << ") must not exceed dimension "
                                                                                   << d << " of size " << dims[d]);
    }
    begin[d] = -before;
    delta[d] = before + after;
    size[d] = dims[d] < 0 ? 0 : dims[d] + before + after;
    TORCHTRT_CHECK(size[d] >= 0, "padding makes dimension " << d << " negative: " << util::node_info(n));
  }
  trt::ITensor *startTensor = nullptr, *sizeTensor = nullptr;
  if (!in->getDimensions().isStatic()) {  // the padded sizes: the run-time sizes plus the padding
    const std::string name = util::node_info(n);
    startTensor = shape::int64Vector(ctx, begin, name + " [start]");
    sizeTensor = shape::arith(ctx, trt::ElementWiseOperation::kSUM, shape::shapeOf(ctx, in, name + " [shape]"),
                              shape::int64Vector(ctx, delta, name + " [padding]"), name + " [padded size]");
  }
  auto* layer = ctx->net->addSlice(*in, util::toDims(begin), util::toDims(size), util::toDims(stride));
  if (startTensor) {
    layer->setInput(1, *startTensor);
    layer->setInput(2, *sizeTensor);
  }
  layer->setMode(mode);
  layer->setFillValue(fill);
  return bindOutput(ctx, n, layer) != nullptr;
}

bool constantPad(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return padWith(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList().vec(), trt::SampleMode::kFILL,
                 a[2].unwrapToScalar().toDouble());
}

trt::SampleMode modeNamed(const torch::jit::Node* n, const std::string& mode) {
  if (mode == "constant") return trt::SampleMode::kFILL;
  if (mode == "reflect") return trt::SampleMode::kREFLECT;
  if (mode == "replicate") return trt::SampleMode::kCLAMP;
  if (mode == "circular") return trt::SampleMode::kWRAP;
  TORCHTRT_THROW_ERROR(
      "padding mode '" << mode << "' is not one of constant, reflect, replicate, circular: " << util::node_info(n));
}

bool pad(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  auto mode = modeNamed(n, a[2].IValue()->toStringRef());
  double fill = a[3].isNone() ? 0.0 : a[3].unwrapToDouble();
  return padWith(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList().vec(), mode, fill);
}

template <trt::SampleMode mode>
bool padIn(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return padWith(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList().vec(), mode, 0.0);
}

auto paddingRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::constant_pad_nd(Tensor self, SymInt[] pad, Scalar value=0) -> Tensor", constantPad})
        .pattern({"aten::pad(Tensor self, SymInt[] pad, str mode=\"constant\", float? value=None) -> Tensor", pad})
        .pattern({"aten::reflection_pad1d(Tensor self, SymInt[2] padding) -> Tensor", padIn<trt::SampleMode::kREFLECT>})
        .pattern({"aten::reflection_pad2d(Tensor self, SymInt[4] padding) -> Tensor", padIn<trt::SampleMode::kREFLECT>})
        .pattern({"aten::reflection_pad3d(Tensor self, SymInt[6] padding) -> Tensor", padIn<trt::SampleMode::kREFLECT>})
        .pattern({"aten::replication_pad1d(Tensor self, SymInt[2] padding) -> Tensor", padIn<trt::SampleMode::kCLAMP>})
        .pattern({"aten::replication_pad2d(Tensor self, SymInt[4] padding) -> Tensor", padIn<trt::SampleMode::kCLAMP>})
        .pattern({"aten::replication_pad3d(Tensor self, SymInt[6] padding) -> Tensor", padIn<trt::SampleMode::kCLAMP>})
        .pattern({"aten::_pad_circular(Tensor self, SymInt[] pad) -> Tensor", padIn<trt::SampleMode::kWRAP>});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
