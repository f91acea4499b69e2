#include <cstring>

#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class ConstantLayer final : public LayerImpl<IConstantLayer> {
 public:
  ConstantLayer() : LayerImpl(LayerType::kCONSTANT) {}
  void setWeights(Weights weights) override;
  void setWeights(Weights weights, std::shared_ptr<const void> owner) override;
  Weights getWeights() const override;
  void setDimensions(Dims dims) override;
  Dims getDimensions() const override { return dims_; }
  const SharedBytes& bytes() const override { return bytes_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Dims dims_;
  DataType dataType_ = DataType::kFLOAT;
  SharedBytes bytes_;
};

SharedBytes SharedBytes::copyOf(const void* data, size_t size) {
  const auto* first = static_cast<const uint8_t*>(data);
  return adopt(std::vector<uint8_t>(first, first + size));
}

SharedBytes SharedBytes::adopt(std::vector<uint8_t>&& bytes) {
  auto held = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
  SharedBytes b;
  b.data_ = held->data();
  b.size_ = held->size();
  b.owner_ = std::move(held);
  return b;
}

SharedBytes SharedBytes::borrow(const void* data, size_t size, std::shared_ptr<const void> owner) {
  SharedBytes b;
  b.data_ = static_cast<const uint8_t*>(data);
  b.size_ = size;
  b.owner_ = std::move(owner);
  return b;
}

namespace {
size_t weightBytes(const ILayer& layer, const Weights& w) {
  if (w.count < 0 || (w.count > 0 && !w.values))
    throw Error(layer.describe() + ": weights have count " + std::to_string(w.count) + " but no values");
  return static_cast<size_t>(w.count) * dataTypeSize(w.type);
}
}  // namespace

void ConstantLayer::setWeights(Weights w) {
  const size_t n = weightBytes(*this, w);
  dataType_ = w.type;
  bytes_ = SharedBytes::copyOf(w.values, n);
  markChanged();
}

void ConstantLayer::setWeights(Weights w, std::shared_ptr<const void> owner) {
  const size_t n = weightBytes(*this, w);
  if (!owner && n > 0) throw Error(describe() + ": weights lent without an owner that keeps them alive");
  dataType_ = w.type;
  bytes_ = SharedBytes::borrow(w.values, n, std::move(owner));
  markChanged();
}

Weights ConstantLayer::getWeights() const {
  return {dataType_, bytes_.data(), static_cast<int64_t>(bytes_.size() / dataTypeSize(dataType_))};
}

namespace {
void checkDims(const ParamCheck& c, const Dims& dims) {
  for (int i = 0; i < dims.nbDims; ++i)
    if (dims.d[i] < 0) c.fail("dimensions", "constant dimensions " + dims.str() + " must be static");
}
}  // namespace

void ConstantLayer::setDimensions(Dims dims) {
  checkDims(ParamCheck(*this), dims);
  dims_ = dims;
  markChanged();
}

std::vector<TensorDesc> ConstantLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  requireInputs(*this, inputs, 0);
  int64_t count = static_cast<int64_t>(bytes_.size() / dataTypeSize(dataType_));
  if (count != dims_.volume())
    throw Error(describe() + ": holds " + std::to_string(count) + " values but dimensions " + dims_.str() + " need " +
                std::to_string(dims_.volume()));
  return {{dims_, dataType_}};
}

void ConstantLayer::writeParams(PlanWriter& w) const {
  w.dims(dims_);
  w.i32(static_cast<int32_t>(dataType_));
  w.blob(bytes_);
}

void ConstantLayer::readParams(PlanReader& r) {
  dims_ = r.dims("dimensions");
  checkDims(ParamCheck(r), dims_);
  int32_t type = r.i32("data_type");
  if (!isValidDataType(type)) r.fail("data_type", "unknown data type " + std::to_string(type));
  dataType_ = static_cast<DataType>(type);
  bytes_ = r.sharedBlob("values", r.remaining());
  int64_t expectedBytes = 0;
  if (!dims_.isStatic() ||
      __builtin_mul_overflow(dims_.volume(), static_cast<int64_t>(dataTypeSize(dataType_)), &expectedBytes) ||
      static_cast<int64_t>(bytes_.size()) != expectedBytes)
    r.fail("values",
           "holds " + std::to_string(bytes_.size()) + " bytes, which does not match dimensions " + dims_.str());
}

std::unique_ptr<LayerBase> makeConstantLayer() { return std::make_unique<ConstantLayer>(); }

}  // namespace trt
