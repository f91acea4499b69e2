#include "layers/shape_values.h"

#include <climits>
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {

namespace {
bool isShapeType(DataType t) { return t == DataType::kINT32 || t == DataType::kINT64; }

bool hasUnknown(const std::vector<int64_t>& values) {
  for (int64_t v : values)
    if (v == kUnknownShapeValue) return true;
  return false;
}

// Layers that only move values (never compute with them) may carry unknown elements through their
// data input; any other layer's output is unknown as soon as one input element is.
bool movesUnknownsUnchanged(const ILayer& layer, const std::vector<TensorDesc>& inputs, DataType outType) {
  const auto unknownBeyondData = [&]() {
    for (size_t i = 1; i < inputs.size(); ++i)
      if (hasUnknown(inputs[i].values)) return true;
    return false;
  };
  switch (layer.getType()) {
    case LayerType::kCONCATENATION:
      return true;
    case LayerType::kSHUFFLE:
    case LayerType::kGATHER:
    case LayerType::kSLICE:
      return !unknownBeyondData();
    case LayerType::kIDENTITY:
      return inputs[0].type == outType;
    default:
      return false;
  }
}

// int64 values <-> a tensor's bytes; unknown elements travel as the type's smallest value.
std::vector<uint8_t> toBytes(const TensorDesc& t) {
  std::vector<uint8_t> bytes(t.values.size() * dataTypeSize(t.type));
  for (size_t i = 0; i < t.values.size(); ++i) {
    if (t.type == DataType::kINT64) {
      std::memcpy(bytes.data() + i * 8, &t.values[i], 8);
    } else {
      const int32_t v = t.values[i] == kUnknownShapeValue ? INT32_MIN : static_cast<int32_t>(t.values[i]);
      std::memcpy(bytes.data() + i * 4, &v, 4);
    }
  }
  return bytes;
}

std::vector<int64_t> fromBytes(const uint8_t* bytes, int64_t count, DataType type) {
  std::vector<int64_t> values(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    if (type == DataType::kINT64) {
      std::memcpy(&values[i], bytes + i * 8, 8);
    } else {
      int32_t v;
      std::memcpy(&v, bytes + i * 4, 4);
      values[i] = v == INT32_MIN ? kUnknownShapeValue : v;
    }
  }
  return values;
}
}  // namespace

std::vector<int64_t> evaluateShapeValues(const ILayer& layer, const std::vector<TensorDesc>& inputs,
                                         const TensorDesc& out) {
  if (!isShapeType(out.type) || !out.dims.isStatic() || out.dims.volume() > kMaxShapeTensorVolume) return {};
  const int64_t count = out.dims.volume();
  if (layer.getType() == LayerType::kSHAPE) {
    std::vector<int64_t> values;
    for (int i = 0; i < inputs[0].dims.nbDims; ++i)
      values.push_back(inputs[0].dims.d[i] < 0 ? kUnknownShapeValue : inputs[0].dims.d[i]);
    return values;
  }
  if (layer.getType() == LayerType::kCONSTANT) {
    const auto& constant = static_cast<const IConstantLayer&>(layer);
    return fromBytes(constant.bytes().data(), count, constant.getWeights().type);
  }
  bool unknown = false;
  for (const TensorDesc& in : inputs) {
    if (!isShapeType(in.type) || static_cast<int64_t>(in.values.size()) != in.dims.volume()) return {};
    unknown = unknown || hasUnknown(in.values);
  }
  if (unknown && !movesUnknownsUnchanged(layer, inputs, out.type))
    return std::vector<int64_t>(static_cast<size_t>(count), kUnknownShapeValue);
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<cpu::TensorView> views;
  for (const TensorDesc& in : inputs) {
    buffers.push_back(toBytes(in));
    views.push_back({buffers.back().data(), in.dims, in.type});
  }
  std::vector<uint8_t> result(static_cast<size_t>(count) * dataTypeSize(out.type));
  cpu::TensorView view{result.data(), out.dims, out.type};
  if (count > 0) {
    // Unknown elements reach here only in data inputs, so a slice's window inputs are known.
    std::unique_ptr<ILayer> resolved = resolveShapeInputs(layer, inputs);
    cpu::runLayer(resolved ? *resolved : layer, views, view);
  }
  return fromBytes(result.data(), count, out.type);
}

std::unique_ptr<ILayer> resolveShapeInputs(const ILayer& layer, const std::vector<TensorDesc>& inputs) {
  if (layer.getType() != LayerType::kSLICE || inputs.size() <= 1) return nullptr;
  const auto& slice = static_cast<const ISliceLayer&>(layer);
  const ISliceLayer::Window window = slice.effectiveWindow(inputs);
  // A copy through the layer's own parameter encoding: the same mode and fill, no network.
  PlanWriter writer;
  slice.writeParams(writer);
  auto copy = std::make_unique<ISliceLayer>();
  PlanReader reader(writer.bytes().data(), writer.bytes().size());
  copy->readParams(reader);
  copy->setName(layer.getName());
  copy->setStart(window.start);
  copy->setSize(window.size);
  copy->setStride(window.stride);
  return copy;
}

}  // namespace trt
