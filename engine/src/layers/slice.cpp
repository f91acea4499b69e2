#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class SliceLayer final : public LayerImpl<ISliceLayer> {
 public:
  SliceLayer() : LayerImpl(LayerType::kSLICE) {}
  void setStart(Dims start) override;
  Dims getStart() const override { return start_; }
  void setSize(Dims size) override;
  Dims getSize() const override { return size_; }
  void setStride(Dims stride) override;
  Dims getStride() const override { return stride_; }
  void setMode(SampleMode mode) override;
  SampleMode getMode() const override { return mode_; }
  void setFillValue(double value) override;
  double getFillValue() const override { return fill_; }
  Window effectiveWindow(const std::vector<TensorDesc>& inputs) const override;
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Dims start_, size_, stride_;
  SampleMode mode_ = SampleMode::kSTRICT_BOUNDS;
  double fill_ = 0.0;
};

namespace {
// The rules of the slice parameters, applied by the setters and by readParams.
// INT64_MIN marks a value a shape tensor leaves to the run time (kUnknownShapeValue): never a parameter.
void requireNoSentinel(const ParamCheck& c, const Dims& d, const char* field) {
  for (int i = 0; i < d.nbDims; ++i)
    if (d.d[i] == kUnknownShapeValue)
      c.fail(field, std::string("slice ") + field + " " + std::to_string(d.d[i]) + " in dimension " +
                        std::to_string(i) + " is out of range (INT64_MIN marks a run-time value)");
}
void checkStart(const ParamCheck& c, const Dims& start) { requireNoSentinel(c, start, "start"); }
void checkSize(const ParamCheck& c, const Dims& size) { rules::nonNegative(c, "size", "slice size", size); }
// A stride of 0 would read one element over and over; the converters never make one (an expand is
// a broadcast), so a plan that holds one was not made by the builder.
void checkStride(const ParamCheck& c, const Dims& stride) {
  requireNoSentinel(c, stride, "stride");
  for (int i = 0; i < stride.nbDims; ++i)
    if (stride.d[i] == 0)
      c.fail("stride",
             "slice stride " + stride.str() + " is 0 in dimension " + std::to_string(i) + "; strides must be nonzero");
}
void checkMode(const ParamCheck& c, int32_t mode) {
  rules::enumBelow(c, "sample_mode", "slice sample mode", mode, kSAMPLE_MODE_COUNT);
}
}  // namespace

void SliceLayer::setStart(Dims start) {
  checkStart(ParamCheck(*this), start);
  start_ = start;
  markChanged();
}
void SliceLayer::setSize(Dims size) {
  checkSize(ParamCheck(*this), size);
  size_ = size;
  markChanged();
}
void SliceLayer::setStride(Dims stride) {
  checkStride(ParamCheck(*this), stride);
  stride_ = stride;
  markChanged();
}
void SliceLayer::setMode(SampleMode mode) {
  checkMode(ParamCheck(*this), static_cast<int32_t>(mode));
  mode_ = mode;
  markChanged();
}
void SliceLayer::setFillValue(double value) {
  fill_ = value;
  markChanged();
}

namespace {
const char* const kWindowInputNames[] = {"input", "start", "size", "stride"};
}  // namespace

SliceLayer::Window SliceLayer::effectiveWindow(const std::vector<TensorDesc>& inputs) const {
  Window w{start_, size_, stride_};
  Dims* fields[] = {nullptr, &w.start, &w.size, &w.stride};
  for (size_t i = 1; i < inputs.size() && i < 4; ++i) {
    const int32_t rank = inputs[0].dims.nbDims;
    const std::vector<int64_t>& values =
        shapeTensorValues(*this, inputs[i], static_cast<int>(i), kWindowInputNames[i], rank);
    Dims& d = *fields[i];
    d.nbDims = rank;
    for (int k = 0; k < rank; ++k) d.d[k] = values[k];
  }
  return w;
}

std::vector<TensorDesc> SliceLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.empty() || inputs.size() > 4)
    throw Error(describe() + ": expects an input and up to three shape tensors (start, size, stride), has " +
                std::to_string(inputs.size()) + " inputs");
  const Dims& in = inputs[0].dims;
  const Window w = effectiveWindow(inputs);
  if (w.start.nbDims != in.nbDims || w.size.nbDims != in.nbDims || w.stride.nbDims != in.nbDims)
    throw Error(describe() + ": start " + w.start.str() + ", size " + w.size.str() + " and stride " + w.stride.str() +
                " must each have the input's rank " + std::to_string(in.nbDims));
  Dims out = w.size;
  for (int i = 0; i < in.nbDims; ++i) {
    const int64_t start = w.start.d[i], size = w.size.d[i], stride = w.stride.d[i];
    if (size == kUnknownShapeValue) out.d[i] = -1;
    if (size != kUnknownShapeValue && size < 0)
      throw Error(describe() + ": dimension " + std::to_string(i) + ": size " + std::to_string(size) +
                  " must not be negative");
    if (start == kUnknownShapeValue || size == kUnknownShapeValue || stride == kUnknownShapeValue)
      continue;  // decided at run time, checked then
    if (stride == 0)
      throw Error(describe() + ": dimension " + std::to_string(i) + ": stride 0 (input 3); strides must be nonzero");
    // Every sampled coordinate start + k * stride must be representable.
    int64_t span = 0, end = 0;
    if (size > 0 && (__builtin_mul_overflow(size - 1, stride, &span) || __builtin_add_overflow(start, span, &end)))
      throw Error(describe() + ": dimension " + std::to_string(i) + ": start " + std::to_string(start) +
                  " and stride " + std::to_string(stride) + " over " + std::to_string(size) +
                  " elements overflow 64-bit coordinates");
    if (mode_ != SampleMode::kSTRICT_BOUNDS) {
      if (in.d[i] == 0 && size > 0 && mode_ != SampleMode::kFILL)
        throw Error(describe() + ": dimension " + std::to_string(i) +
                    " of the input is empty, so there is nothing to wrap, clamp or reflect");
      continue;
    }
    if (in.d[i] < 0 || size == 0) continue;  // dynamic input: checked at run time
    int64_t first = start, last = start + (size - 1) * stride;
    if (first < 0 || first >= in.d[i] || last < 0 || last >= in.d[i])
      throw Error(describe() + ": dimension " + std::to_string(i) + " reads elements " + std::to_string(first) + ".." +
                  std::to_string(last) + " of an input of size " + std::to_string(in.d[i]) + " (input " + in.str() +
                  ")");
  }
  return {{out, inputs[0].type}};
}

void SliceLayer::writeParams(PlanWriter& w) const {
  w.dims(start_);
  w.dims(size_);
  w.i32(stride_.nbDims);
  for (int i = 0; i < stride_.nbDims; ++i) w.i64(stride_.d[i]);
  w.u32(static_cast<uint32_t>(mode_));  // since plan version 2
  w.f64(fill_);
}

void SliceLayer::readParams(PlanReader& r) {
  // Starts (padding reads before the input) and strides may be negative, which dims() refuses, so
  // they are read raw; the layout is the same as dims.
  auto rawDims = [&r](const char* field) {
    Dims d;
    int32_t n = r.i32(field);
    if (n < 0 || n > Dims::MAX_DIMS) r.fail(field, "rank out of range");
    d.nbDims = n;
    for (int i = 0; i < n; ++i) d.d[i] = r.i64(field);
    return d;
  };
  const ParamCheck c(r);
  start_ = rawDims("start");
  checkStart(c, start_);
  size_ = r.dims("size");
  checkSize(c, size_);
  stride_ = rawDims("stride");
  checkStride(c, stride_);
  if (r.remaining() == 0) return;  // a version-1 plan: strict bounds
  const int32_t mode = r.i32("sample_mode");
  checkMode(c, mode);
  mode_ = static_cast<SampleMode>(mode);
  fill_ = r.f64("fill_value");
}

std::unique_ptr<LayerBase> makeSliceLayer() { return std::make_unique<SliceLayer>(); }

}  // namespace trt
