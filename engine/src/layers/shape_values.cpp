#include "layers/shape_values.h"

#include <climits>
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "common/broadcast_index.h"
#include "layers/layer_util.h"
#include "layers/make_layer.h"

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

// Layers computing each output element from the matching (broadcast) element of every input:
// an output element is unknown only where one of the elements it reads is, so the static parts of
// a shape survive arithmetic such as "run-time shape + padding".
bool computesPerElement(const ILayer& layer) {
  return layer.getType() == LayerType::kELEMENTWISE || layer.getType() == LayerType::kUNARY;
}

// Which output elements of a per-element layer read an unknown input element.
std::vector<bool> unknownPerElement(const std::vector<TensorDesc>& inputs, const TensorDesc& out) {
  std::vector<bool> unknown(static_cast<size_t>(out.dims.volume()), false);
  for (const TensorDesc& in : inputs) {
    const BroadcastIndex operand(out.dims, in.dims);
    for (int64_t i = 0; i < static_cast<int64_t>(unknown.size()); ++i)
      if (in.values[static_cast<size_t>(operand(i))] == kUnknownShapeValue) unknown[i] = true;
  }
  return unknown;
}

// The inputs with unknown elements replaced by 1 (a value no operation faults on), for a per-element
// layer whose unknown output elements are marked afterwards.
std::vector<TensorDesc> withUnknownsAsOne(std::vector<TensorDesc> inputs) {
  for (TensorDesc& in : inputs)
    for (int64_t& v : in.values)
      if (v == kUnknownShapeValue) v = 1;
  return inputs;
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
  const bool perElement = unknown && computesPerElement(layer);
  if (unknown && !perElement && !movesUnknownsUnchanged(layer, inputs, out.type))
    return std::vector<int64_t>(static_cast<size_t>(count), kUnknownShapeValue);
  const std::vector<TensorDesc> known = perElement ? withUnknownsAsOne(inputs) : inputs;
  std::vector<std::vector<uint8_t>> buffers;
  std::vector<cpu::TensorView> views;
  buffers.reserve(known.size());
  for (const TensorDesc& in : known) {
    buffers.push_back(toBytes(in));
    views.push_back({buffers.back().data(), in.dims, in.type});
  }
  std::vector<uint8_t> result(static_cast<size_t>(count) * dataTypeSize(out.type));
  cpu::TensorView view{result.data(), out.dims, out.type};
  if (count > 0) {
    // Unknown elements reach here only in data inputs, so a slice's window inputs are known.
    std::unique_ptr<LayerBase> resolved = resolveShapeInputs(layer, inputs);
    cpu::runLayer(resolved ? resolved->api() : layer, views, view);
  }
  std::vector<int64_t> values = fromBytes(result.data(), count, out.type);
  if (perElement) {
    const std::vector<bool> marks = unknownPerElement(inputs, out);
    for (size_t i = 0; i < values.size(); ++i)
      if (marks[i]) values[i] = kUnknownShapeValue;
  }
  return values;
}

std::unique_ptr<LayerBase> resolveShapeInputs(const ILayer& layer, const std::vector<TensorDesc>& inputs) {
  if (layer.getType() != LayerType::kSLICE || inputs.size() <= 1) return nullptr;
  const auto& slice = static_cast<const ISliceLayer&>(layer);
  const ISliceLayer::Window window = slice.effectiveWindow(inputs);
  // A copy through the layer's own parameter encoding: the same mode and fill, no network.
  PlanWriter writer;
  internals(slice).writeParams(writer);
  std::unique_ptr<LayerBase> owner = makeLayer(LayerType::kSLICE);
  PlanReader reader(writer.bytes().data(), writer.bytes().size());
  owner->readParams(reader);
  auto* copy = static_cast<ISliceLayer*>(&owner->api());
  copy->setName(layer.getName());
  copy->setStart(window.start);
  copy->setSize(window.size);
  copy->setStride(window.stride);
  return owner;
}

}  // namespace trt
