#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class PoolingLayer final : public LayerImpl<IPoolingLayer> {
 public:
  PoolingLayer() : LayerImpl(LayerType::kPOOLING) {}
  void setPoolingType(PoolingType type) override;
  PoolingType getPoolingType() const override { return pooling_; }
  void setWindowSizeNd(Dims window) override;
  Dims getWindowSizeNd() const override { return window_; }
  void setStrideNd(Dims stride) override;
  Dims getStrideNd() const override { return stride_; }
  void setPaddingNd(Dims padding) override;
  Dims getPaddingNd() const override { return prePadding_; }
  void setPrePadding(Dims padding) override;
  Dims getPrePadding() const override { return prePadding_; }
  void setPostPadding(Dims padding) override;
  Dims getPostPadding() const override { return postPadding_; }
  void setPaddingMode(PaddingMode mode) override;
  PaddingMode getPaddingMode() const override { return paddingMode_; }
  void setAverageCountExcludesPadding(bool exclusive) override;
  bool getAverageCountExcludesPadding() const override { return excludePadding_; }
  void setChannelsLast(bool channelsLast) override {
    channelsLast_ = channelsLast;
    markChanged();
  }
  bool getChannelsLast() const override { return channelsLast_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  bool channelsLast_ = false;
  PoolingType pooling_ = PoolingType::kMAX;
  Dims window_, stride_, prePadding_, postPadding_;
  PaddingMode paddingMode_ = PaddingMode::kEXPLICIT_ROUND_DOWN;
  bool excludePadding_ = true;
};

namespace {
// The rules of the pooling parameters, applied by the setters and by readParams.
void checkPoolingType(const ParamCheck& c, int32_t t) {
  rules::enumBelow(c, "pooling_type", "pooling type", t, kPOOLING_TYPE_COUNT);
}
void checkWindow(const ParamCheck& c, const Dims& w) { rules::window(c, "window_size", "window size", w); }
void checkStride(const ParamCheck& c, const Dims& s) { rules::positive(c, "stride", "stride", s); }
void checkPadding(const ParamCheck& c, const char* field, const Dims& p) { rules::nonNegative(c, field, "padding", p); }
void checkPaddingMode(const ParamCheck& c, int32_t m) {
  rules::enumBelow(c, "padding_mode", "padding mode", m, kPADDING_MODE_COUNT);
}
}  // namespace

void PoolingLayer::setPoolingType(PoolingType type) {
  checkPoolingType(ParamCheck(*this), static_cast<int32_t>(type));
  pooling_ = type;
  markChanged();
}
void PoolingLayer::setWindowSizeNd(Dims window) {
  checkWindow(ParamCheck(*this), window);
  window_ = window;
  markChanged();
}
void PoolingLayer::setStrideNd(Dims s) {
  checkStride(ParamCheck(*this), s);
  stride_ = s;
  markChanged();
}
void PoolingLayer::setPaddingNd(Dims p) {
  setPrePadding(p);
  setPostPadding(p);
}
void PoolingLayer::setPrePadding(Dims p) {
  checkPadding(ParamCheck(*this), "pre_padding", p);
  prePadding_ = p;
  markChanged();
}
void PoolingLayer::setPostPadding(Dims p) {
  checkPadding(ParamCheck(*this), "post_padding", p);
  postPadding_ = p;
  markChanged();
}
void PoolingLayer::setPaddingMode(PaddingMode mode) {
  checkPaddingMode(ParamCheck(*this), static_cast<int32_t>(mode));
  paddingMode_ = mode;
  markChanged();
}
void PoolingLayer::setAverageCountExcludesPadding(bool exclusive) {
  excludePadding_ = exclusive;
  markChanged();
}

std::vector<TensorDesc> PoolingLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
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

void PoolingLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(pooling_));
  w.dims(window_);
  w.dims(stride_);
  w.dims(prePadding_);
  w.dims(postPadding_);
  w.i32(static_cast<int32_t>(paddingMode_));
  w.u8(excludePadding_ ? 1 : 0);
  w.u8(channelsLast_ ? 1 : 0);
}

void PoolingLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const int32_t type = r.i32("pooling_type");
  checkPoolingType(c, type);
  pooling_ = static_cast<PoolingType>(type);
  window_ = r.dims("window_size");
  checkWindow(c, window_);
  stride_ = r.dims("stride");
  checkStride(c, stride_);
  prePadding_ = r.dims("pre_padding");
  checkPadding(c, "pre_padding", prePadding_);
  postPadding_ = r.dims("post_padding");
  checkPadding(c, "post_padding", postPadding_);
  const int32_t mode = r.i32("padding_mode");
  checkPaddingMode(c, mode);
  paddingMode_ = static_cast<PaddingMode>(mode);
  excludePadding_ = r.boolean("average_count_excludes_padding");
  channelsLast_ = r.remaining() > 0 ? r.boolean("channels_last") : false;  // format 4
}

std::unique_ptr<LayerBase> makePoolingLayer() { return std::make_unique<PoolingLayer>(); }

}  // namespace trt
