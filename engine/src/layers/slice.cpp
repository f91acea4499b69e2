#include "layers/layer_util.h"

namespace trt {
using namespace layer_util;

void ISliceLayer::setStart(Dims start) {
  start_ = start;
  markChanged();
}
void ISliceLayer::setSize(Dims size) {
  requireNonNegative(*this, size, "slice size");
  size_ = size;
  markChanged();
}
void ISliceLayer::setStride(Dims stride) {
  stride_ = stride;
  markChanged();
}
void ISliceLayer::setMode(SampleMode mode) {
  mode_ = mode;
  markChanged();
}
void ISliceLayer::setFillValue(double value) {
  fill_ = value;
  markChanged();
}

std::vector<TensorDesc> ISliceLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 1);
  const Dims& in = inputs[0].dims;
  if (start_.nbDims != in.nbDims || size_.nbDims != in.nbDims || stride_.nbDims != in.nbDims)
    throw Error(describe() + ": start " + start_.str() + ", size " + size_.str() + " and stride " + stride_.str() +
                " must each have the input's rank " + std::to_string(in.nbDims));
  for (int i = 0; i < in.nbDims; ++i) {
    // Every sampled coordinate start + k * stride must be representable.
    int64_t span = 0, end = 0;
    if (size_.d[i] > 0 && (__builtin_mul_overflow(size_.d[i] - 1, stride_.d[i], &span) ||
                           __builtin_add_overflow(start_.d[i], span, &end)))
      throw Error(describe() + ": dimension " + std::to_string(i) + ": start " + std::to_string(start_.d[i]) +
                  " and stride " + std::to_string(stride_.d[i]) + " over " + std::to_string(size_.d[i]) +
                  " elements overflow 64-bit coordinates");
    if (mode_ != SampleMode::kSTRICT_BOUNDS) {
      if (in.d[i] == 0 && size_.d[i] > 0 && mode_ != SampleMode::kFILL)
        throw Error(describe() + ": dimension " + std::to_string(i) +
                    " of the input is empty, so there is nothing to wrap, clamp or reflect");
      continue;
    }
    if (in.d[i] < 0 || size_.d[i] == 0) continue;  // dynamic input: checked at run time
    int64_t first = start_.d[i], last = start_.d[i] + (size_.d[i] - 1) * stride_.d[i];
    if (first < 0 || first >= in.d[i] || last < 0 || last >= in.d[i])
      throw Error(describe() + ": dimension " + std::to_string(i) + " reads elements " + std::to_string(first) + ".." +
                  std::to_string(last) + " of an input of size " + std::to_string(in.d[i]) + " (input " + in.str() +
                  ")");
  }
  return {{size_, inputs[0].type}};
}

void ISliceLayer::writeParams(PlanWriter& w) const {
  w.dims(start_);
  w.dims(size_);
  w.i32(stride_.nbDims);
  for (int i = 0; i < stride_.nbDims; ++i) w.i64(stride_.d[i]);
  w.u32(static_cast<uint32_t>(mode_));  // since plan version 2
  w.f64(fill_);
}

void ISliceLayer::readParams(PlanReader& r) {
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
  start_ = rawDims("start");
  size_ = r.dims("size");
  stride_ = rawDims("stride");
  if (r.remaining() == 0) return;  // a version-1 plan: strict bounds
  mode_ = static_cast<SampleMode>(r.enumValue("sample_mode", kSAMPLE_MODE_COUNT));
  fill_ = r.f64("fill_value");
}

}  // namespace trt
