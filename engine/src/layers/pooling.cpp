#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void IPoolingLayer::setPoolingType(PoolingType type) {
  if (static_cast<int32_t>(type) < 0 || static_cast<int32_t>(type) >= kPOOLING_TYPE_COUNT)
    throw Error(describe() + ": unknown pooling type");
  pooling_ = type;
  markChanged();
}
void IPoolingLayer::setWindowSizeNd(Dims window) {
  if (window.nbDims < 1 || window.nbDims > 3)
    throw Error(describe() + ": window " + window.str() + " must have 1 to 3 dimensions");
  requirePositive(*this, window, "window size");
  window_ = window;
  markChanged();
}
void IPoolingLayer::setStrideNd(Dims s) {
  requirePositive(*this, s, "stride");
  stride_ = s;
  markChanged();
}
void IPoolingLayer::setPaddingNd(Dims p) {
  setPrePadding(p);
  setPostPadding(p);
}
void IPoolingLayer::setPrePadding(Dims p) {
  requireNonNegative(*this, p, "padding");
  prePadding_ = p;
  markChanged();
}
void IPoolingLayer::setPostPadding(Dims p) {
  requireNonNegative(*this, p, "padding");
  postPadding_ = p;
  markChanged();
}
void IPoolingLayer::setPaddingMode(PaddingMode mode) {
  paddingMode_ = mode;
  markChanged();
}
void IPoolingLayer::setAverageCountExcludesPadding(bool exclusive) {
  excludePadding_ = exclusive;
  markChanged();
}

std::vector<TensorDesc> IPoolingLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  requireFloat(*this, inputs[0], "input");
  const int k = window_.nbDims;
  if (channelsLast_ && (k != 2 || inputs[0].dims.nbDims != 4))
    throw Error(describe() + ": channels-last layout needs a 2-D window over a rank-4 input, got window " +
                window_.str() + " and input " + inputs[0].dims.str());
  const Dims in = channelsLast_ ? channelsFirst(inputs[0].dims) : inputs[0].dims;
  if (in.nbDims < k + 1)
    throw Error(describe() + ": a " + std::to_string(k) +
                "-D window needs an input of rank >= " + std::to_string(k + 1) + ", got " + in.str());
  Dims stride = spatialOr(stride_, k, 0), pre = spatialOr(prePadding_, k, 0), post = spatialOr(postPadding_, k, 0);
  if (stride_.nbDims != k) stride = window_;
  Dims out = in;
  for (int i = 0; i < k; ++i) {
    int axis = in.nbDims - k + i;
    if (pre.d[i] * 2 > window_.d[i] && pooling_ == PoolingType::kMAX) {
      throw Error(describe() + ": padding " + pre.str() + " must be at most half the window " + window_.str());
    }
    out.d[axis] = windowOutput(in.d[axis], pre.d[i], post.d[i], window_.d[i], stride.d[i], 1,
                               paddingMode_ == PaddingMode::kEXPLICIT_ROUND_UP);
    if (out.d[axis] == 0)
      throw Error(describe() + ": input " + in.str() + " is smaller than the window " + window_.str());
  }
  return {{channelsLast_ ? channelsLast(out) : out, inputs[0].type}};
}

void IPoolingLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(pooling_));
  w.dims(window_);
  w.dims(stride_);
  w.dims(prePadding_);
  w.dims(postPadding_);
  w.i32(static_cast<int32_t>(paddingMode_));
  w.u8(excludePadding_ ? 1 : 0);
  w.u8(channelsLast_ ? 1 : 0);
}

void IPoolingLayer::readParams(PlanReader& r) {
  pooling_ = static_cast<PoolingType>(r.enumValue("pooling_type", kPOOLING_TYPE_COUNT));
  window_ = r.dims("window_size");
  if (window_.nbDims < 1 || window_.nbDims > 3) r.fail("window_size", "must have 1 to 3 dimensions");
  for (int i = 0; i < window_.nbDims; ++i)
    if (window_.d[i] <= 0) r.fail("window_size", "must be positive");
  stride_ = r.dims("stride");
  prePadding_ = r.dims("pre_padding");
  postPadding_ = r.dims("post_padding");
  paddingMode_ = static_cast<PaddingMode>(r.enumValue("padding_mode", kPADDING_MODE_COUNT));
  excludePadding_ = r.boolean("average_count_excludes_padding");
  channelsLast_ = r.remaining() > 0 ? r.boolean("channels_last") : false;  // format 4
}

}  // namespace trt
