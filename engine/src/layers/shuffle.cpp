#include "common/floating_types.h"
#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ShuffleLayer final : public LayerImpl<IShuffleLayer> {
 public:
  ShuffleLayer() : LayerImpl(LayerType::kSHUFFLE) {}
  void setFirstTranspose(Permutation permutation) override;
  Permutation getFirstTranspose() const override { return first_; }
  void setReshapeDimensions(Dims dims) override;
  Dims getReshapeDimensions() const override { return reshape_; }
  Dims requestedReshape(const std::vector<TensorDesc>& inputs) const override;
  void setSecondTranspose(Permutation permutation) override;
  Permutation getSecondTranspose() const override { return second_; }
  void setZeroIsPlaceholder(bool zeroIsPlaceholder) override;
  bool getZeroIsPlaceholder() const override { return zeroIsPlaceholder_; }
  bool hasReshape() const override { return hasReshape_ || getNbInputs() > 1; }
  void setZeroPaddedLastDimension(int64_t size) override;
  int64_t getZeroPaddedLastDimension() const override { return paddedLast_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Permutation first_, second_;
  Dims reshape_;
  bool hasReshape_ = false;
  bool zeroIsPlaceholder_ = true;
  int64_t paddedLast_ = 0;
};

namespace {
Dims permute(const ILayer& layer, const Dims& in, const Permutation& p, const char* which) {
  Dims out = in;
  bool seen[Dims::MAX_DIMS] = {};
  for (int i = 0; i < in.nbDims; ++i) {
    int32_t src = p.order[i];
    if (src < 0 || src >= in.nbDims || seen[src])
      throw Error(layer.describe() + ": " + which + " transpose is not a permutation of the " +
                  std::to_string(in.nbDims) + " dimensions of " + in.str());
    seen[src] = true;
    out.d[i] = in.d[src];
  }
  return out;
}

// The rules of the shuffle parameters, applied by the setters and by readParams.
void checkPermutation(const ParamCheck& c, const Permutation& p, const char* field) {
  for (int i = 0; i < Dims::MAX_DIMS; ++i)
    if (p.order[i] < 0 || p.order[i] >= Dims::MAX_DIMS)
      c.fail(field, std::string(field) + " entry " + std::to_string(i) + " (" + std::to_string(p.order[i]) +
                        ") is not a dimension index 0.." + std::to_string(Dims::MAX_DIMS - 1));
}
void checkReshape(const ParamCheck& c, const Dims& dims) {
  int unknown = 0;
  for (int i = 0; i < dims.nbDims; ++i) {
    if (dims.d[i] < -1)
      c.fail("reshape_dimensions",
             "reshape dimension " + std::to_string(dims.d[i]) + " is invalid (use -1 to infer, 0 to copy)");
    unknown += dims.d[i] == -1;
  }
  if (unknown > 1) c.fail("reshape_dimensions", "reshape dimensions " + dims.str() + " contain more than one -1");
}
void checkPaddedLast(const ParamCheck& c, int64_t size) {
  if (size < 0)
    c.fail("zero_padded_last_dimension",
           "the padded last dimension must be 0 (none) or the output's size, got " + std::to_string(size));
}
}  // namespace

void ShuffleLayer::setFirstTranspose(Permutation p) {
  checkPermutation(ParamCheck(*this), p, "first_transpose");
  first_ = p;
  markChanged();
}
void ShuffleLayer::setSecondTranspose(Permutation p) {
  checkPermutation(ParamCheck(*this), p, "second_transpose");
  second_ = p;
  markChanged();
}
void ShuffleLayer::setReshapeDimensions(Dims dims) {
  if (dims.nbDims < 0 || dims.nbDims > Dims::MAX_DIMS) throw Error(describe() + ": reshape rank must be 0..8");
  checkReshape(ParamCheck(*this), dims);
  reshape_ = dims;
  hasReshape_ = true;
  markChanged();
}
void ShuffleLayer::setZeroIsPlaceholder(bool z) {
  zeroIsPlaceholder_ = z;
  markChanged();
}
void ShuffleLayer::setZeroPaddedLastDimension(int64_t size) {
  checkPaddedLast(ParamCheck(*this), size);
  paddedLast_ = size;
  markChanged();
}

namespace {
// A reshape dimension a shape tensor leaves to the run time.
constexpr int64_t kRunTimeDim = -2;
}  // namespace

Dims ShuffleLayer::requestedReshape(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() < 2) return reshape_;
  const std::vector<int64_t>& values = shapeTensorValues(*this, inputs[1], 1, "reshape dimensions");
  Dims d;
  d.nbDims = static_cast<int32_t>(values.size());
  int unknown = 0;
  for (int i = 0; i < d.nbDims; ++i) {
    const int64_t v = values[i];
    if (v != kUnknownShapeValue && v < -1)
      throw Error(describe() + ": reshape dimension " + std::to_string(v) + " (input 1, element " + std::to_string(i) +
                  ") is invalid (use -1 to infer, 0 to copy)");
    unknown += v == -1;
    d.d[i] = v == kUnknownShapeValue ? kRunTimeDim : v;
  }
  if (unknown > 1) throw Error(describe() + ": reshape dimensions " + d.str() + " (input 1) contain more than one -1");
  return d;
}

std::vector<TensorDesc> ShuffleLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.empty() || inputs.size() > 2)
    throw Error(describe() + ": expects an input and an optional shape tensor of reshape dimensions, has " +
                std::to_string(inputs.size()) + " inputs");
  Dims cur = permute(*this, inputs[0].dims, first_, "first");
  if (hasReshape_ || inputs.size() == 2) {
    const Dims requested = requestedReshape(inputs);
    Dims out = requested;
    int inferAt = -1;
    int64_t known = 1;
    bool dynamic = false;
    for (int i = 0; i < out.nbDims; ++i) {
      if (out.d[i] == 0 && zeroIsPlaceholder_) {
        if (i >= cur.nbDims)
          throw Error(describe() + ": reshape placeholder 0 at position " + std::to_string(i) +
                      " has no input dimension in " + cur.str());
        out.d[i] = cur.d[i];
      }
      if (out.d[i] == -1 && requested.d[i] == -1) {
        inferAt = i;
      } else if (out.d[i] < 0) {
        dynamic = true;
        out.d[i] = -1;
      } else {
        known *= out.d[i];
      }
    }
    int64_t volume = cur.volume();
    if (inferAt >= 0) {
      if (volume < 0 || dynamic)
        out.d[inferAt] = -1;
      else if (known == 0 || volume % known != 0)
        throw Error(describe() + ": cannot reshape " + cur.str() + " (" + std::to_string(volume) + " elements) into " +
                    requested.str());
      else
        out.d[inferAt] = volume / known;
    } else if (volume >= 0 && !dynamic && volume != known) {
      throw Error(describe() + ": cannot reshape " + cur.str() + " (" + std::to_string(volume) + " elements) into " +
                  requested.str() + " (" + std::to_string(known) + " elements)");
    }
    cur = out;
  }
  cur = permute(*this, cur, second_, "second");
  if (paddedLast_ > 0) {
    if (hasReshape_ || inputs.size() == 2)
      throw Error(describe() + ": a zero-padded last dimension (" + std::to_string(paddedLast_) +
                  ") needs a shuffle without a reshape; pad with a Slice in fill mode instead");
    const int64_t last = cur.nbDims > 0 ? cur.d[cur.nbDims - 1] : -1;
    if (last < 0 || last > paddedLast_)
      throw Error(describe() + ": the zero-padded last dimension " + std::to_string(paddedLast_) +
                  " must be static and at least the transposed output's " + cur.str());
    cur.d[cur.nbDims - 1] = paddedLast_;
  }
  // A requested output type is a cast folded into the move (the builder folds an FP16 region's exit cast into its
  // exit transpose): between float32, float16 and bfloat16 only, each element rounded as a cast rounds it.
  DataType type = inputs[0].type;
  if (!requestedOutputTypes().empty() && requestedOutputTypes()[0] >= 0) {
    const auto requested = static_cast<DataType>(requestedOutputTypes()[0]);
    if (requested != type && !(isFloating(requested) && isFloating(type)))
      throw Error(describe() + ": a shuffle casts only between float32, float16 and bfloat16, not " +
                  dataTypeName(type) + " to " + dataTypeName(requested) + "; add an Identity layer for this cast");
    type = requested;
  }
  return {{cur, type}};
}

void ShuffleLayer::writeParams(PlanWriter& w) const {
  for (int32_t v : first_.order) w.i32(v);
  for (int32_t v : second_.order) w.i32(v);
  w.u8(hasReshape_ ? 1 : 0);
  w.dims(reshape_);
  w.u8(zeroIsPlaceholder_ ? 1 : 0);
  w.i64(paddedLast_);
}

void ShuffleLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  for (int32_t& v : first_.order) v = r.i32("first_transpose");
  checkPermutation(c, first_, "first_transpose");
  for (int32_t& v : second_.order) v = r.i32("second_transpose");
  checkPermutation(c, second_, "second_transpose");
  hasReshape_ = r.boolean("has_reshape");
  reshape_ = r.dims("reshape_dimensions");
  checkReshape(c, reshape_);
  zeroIsPlaceholder_ = r.boolean("zero_is_placeholder");
  if (r.remaining() > 0) {  // format 24
    paddedLast_ = r.i64("zero_padded_last_dimension");
    checkPaddedLast(c, paddedLast_);
  }
}

std::unique_ptr<LayerBase> makeShuffleLayer() { return std::make_unique<ShuffleLayer>(); }

}  // namespace trt
