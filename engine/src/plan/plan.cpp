#include "plan/plan.h"

#include <algorithm>
#include <cstring>
#include <unordered_map>

#include "builder/builder_impl.h"
#include "layers/make_layer.h"
#include "plan/plan_io.h"

namespace trt {

const char* planProducer() { return "torch-tensorrt-engine 0.1.0"; }

namespace {

void writeProfiles(PlanWriter& w, const std::vector<IOptimizationProfile>& profiles) {
  w.u32(static_cast<uint32_t>(profiles.size()));
  for (const auto& p : profiles) {
    const auto& ranges = OptimizationProfileState::of(p).ranges;
    w.u32(static_cast<uint32_t>(ranges.size()));
    for (const auto& range : ranges) {
      w.str(range.name);
      for (int s = 0; s < 3; ++s) {
        w.u8(range.set[s] ? 1 : 0);
        w.dims(range.dims[s]);
      }
    }
  }
}

std::vector<IOptimizationProfile> readProfiles(PlanReader& r) {
  uint32_t n = r.count("profile_count", 4);
  std::vector<IOptimizationProfile> profiles(n);
  for (uint32_t i = 0; i < n; ++i) {
    r.setContext("optimization profile " + std::to_string(i));
    uint32_t ranges = r.count("range_count", 8);
    for (uint32_t k = 0; k < ranges; ++k) {
      OptimizationProfileState::Range range;
      range.name = r.str("input_name");
      for (int s = 0; s < 3; ++s) {
        range.set[s] = r.boolean("dims_set");
        range.dims[s] = r.dims("dims");
      }
      OptimizationProfileState::of(profiles[i]).ranges.push_back(range);
    }
  }
  r.setContext("");
  return profiles;
}

}  // namespace

std::vector<uint8_t> writePlan(const INetworkDefinition& net, const PlanContents& c,
                               std::vector<SharedBytes>* sharedBlobs) {
  PlanWriter w;
  w.shareBlobsThrough(sharedBlobs);
  // The header is filled in at the end, in place, so the payload is never copied.
  const uint8_t zeros[kPlanHeaderSize] = {};
  w.raw(zeros, kPlanHeaderSize);
  w.str(c.producer.empty() ? planProducer() : c.producer);
  w.u32(static_cast<uint32_t>(c.backend));
  w.str(c.deviceName);
  w.i32(c.smMajor);
  w.i32(c.smMinor);
  w.u64(c.builderFlags);
  w.u64(c.workspaceLimit);
  w.i32(c.timingIterations);

  std::unordered_map<const ITensor*, uint32_t> index;
  std::vector<const ITensor*> tensors;
  for (int i = 0; i < net.getNbInputs(); ++i) tensors.push_back(net.getInput(i));
  for (int l = 0; l < net.getNbLayers(); ++l)
    for (int o = 0; o < net.getLayer(l)->getNbOutputs(); ++o) tensors.push_back(net.getLayer(l)->getOutput(o));
  w.u32(static_cast<uint32_t>(tensors.size()));
  for (const ITensor* t : tensors) {
    index[t] = static_cast<uint32_t>(index.size());
    w.str(t->getName());
    w.i32(static_cast<int32_t>(t->getType()));
    w.dims(t->getDimensions());
    w.u8(t->isNetworkInput() ? 1 : 0);
  }
  auto tensorIndex = [&](const ITensor* t) {
    auto it = index.find(t);
    if (it == index.end())
      throw Error(std::string("plan writer: tensor '") + t->getName() +
                  "' is not produced by any layer of the network");
    return it->second;
  };
  w.u32(static_cast<uint32_t>(net.getNbInputs()));
  for (int i = 0; i < net.getNbInputs(); ++i) w.u32(tensorIndex(net.getInput(i)));
  w.u32(static_cast<uint32_t>(net.getNbOutputs()));
  for (int i = 0; i < net.getNbOutputs(); ++i) w.u32(tensorIndex(net.getOutput(i)));
  w.u32(static_cast<uint32_t>(net.getNbLayers()));
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const ILayer* layer = net.getLayer(l);
    w.u32(static_cast<uint32_t>(layer->getType()));
    w.str(layer->getName());
    w.u32(static_cast<uint32_t>(layer->getNbInputs()));
    for (int i = 0; i < layer->getNbInputs(); ++i) w.u32(tensorIndex(layer->getInput(i)));
    w.u32(static_cast<uint32_t>(layer->getNbOutputs()));
    for (int i = 0; i < layer->getNbOutputs(); ++i) w.u32(tensorIndex(layer->getOutput(i)));
    w.u32(static_cast<uint32_t>(internals(*layer).requestedOutputTypes().size()));
    for (int32_t t : internals(*layer).requestedOutputTypes()) w.i32(t);
    w.i32(layer->precisionIsSet() ? static_cast<int32_t>(layer->getPrecision()) : -1);
    // Parameters (weights included) go straight into the plan; their byte count is patched in after.
    const size_t countAt = w.mark();
    w.u64(0);
    const size_t start = w.size();
    internals(*layer).writeParams(w);
    const uint64_t paramBytes = w.size() - start;
    w.patch(countAt, &paramBytes, 8);
  }
  writeProfiles(w, c.profiles);
  // Format 11: the tactics the builder timed.
  w.u32(static_cast<uint32_t>(c.tactics.size()));
  for (const TacticRecord& t : c.tactics) {
    w.u32(static_cast<uint32_t>(t.layer));
    for (const std::vector<int64_t>* v : {&t.shape, &t.choice}) {
      w.u32(static_cast<uint32_t>(v->size()));
      for (int64_t x : *v) w.i64(x);
    }
    // Format 18. One larger than a reader takes is left out: the engine then builds it when loaded.
    const bool keep = t.artifact.size() <= kPlanMaxTacticArtifact;
    w.blob(t.artifact.data(), keep ? t.artifact.size() : 0);
  }

  std::vector<uint8_t> out = w.take();
  std::memcpy(out.data(), kPlanMagic, 8);
  uint32_t version = kPlanFormatVersion, headerSize = kPlanHeaderSize;
  uint64_t payloadSize = out.size() - kPlanHeaderSize;
  uint32_t payloadCrc = crc32(out.data() + kPlanHeaderSize, payloadSize);
  std::memcpy(out.data() + 8, &version, 4);
  std::memcpy(out.data() + 12, &headerSize, 4);
  std::memcpy(out.data() + 16, &payloadSize, 8);
  std::memcpy(out.data() + 24, &payloadCrc, 4);
  uint32_t headerCrc = crc32(out.data(), 28);
  std::memcpy(out.data() + 28, &headerCrc, 4);
  return out;
}

std::unique_ptr<PlanContents> readPlan(const uint8_t* data, size_t size, const std::vector<SharedBytes>* sharedBlobs,
                                       std::shared_ptr<const void> owner) {
  if (!data && size > 0) throw Error("invalid plan: no data (null pointer)");
  if (size == 0) throw Error("invalid plan: it is empty (0 bytes); the plan is truncated or missing");
  if (size < kPlanHeaderSize) {
    throw Error("invalid plan: " + std::to_string(size) + " bytes is shorter than the " +
                std::to_string(kPlanHeaderSize) + "-byte header (the plan is truncated or is not a plan)");
  }
  if (std::memcmp(data, kPlanMagic, 8) != 0)
    throw Error("invalid plan: field 'magic' does not read \"TTRTPLAN\"; this is not a plan written by this engine");
  uint32_t version, headerSize, payloadCrc, headerCrc;
  uint64_t payloadSize;
  std::memcpy(&version, data + 8, 4);
  std::memcpy(&headerSize, data + 12, 4);
  std::memcpy(&payloadSize, data + 16, 8);
  std::memcpy(&payloadCrc, data + 24, 4);
  std::memcpy(&headerCrc, data + 28, 4);
  if (crc32(data, 28) != headerCrc)
    throw Error("invalid plan: field 'header_crc32' does not match the header (the plan is corrupted)");
  if (version < kPlanMinReadableVersion || version > kPlanFormatVersion) {
    throw Error("invalid plan: field 'format_version' is " + std::to_string(version) +
                ", but this runtime reads versions " + std::to_string(kPlanMinReadableVersion) + " to " +
                std::to_string(kPlanFormatVersion) + "; recompile the module with this version of torch_tensorrt");
  }
  if (headerSize != kPlanHeaderSize)
    throw Error("invalid plan: field 'header_size' is " + std::to_string(headerSize) + ", expected 32");
  if (payloadSize != size - kPlanHeaderSize) {
    throw Error("invalid plan: field 'payload_size' says " + std::to_string(payloadSize) + " bytes but " +
                std::to_string(size - kPlanHeaderSize) +
                " follow the header (the plan is truncated or has trailing bytes)");
  }
  const uint8_t* payload = data + kPlanHeaderSize;
  if (crc32(payload, payloadSize) != payloadCrc)
    throw Error("invalid plan: field 'payload_crc32' does not match the payload (the plan is corrupted)");

  PlanReader r(payload, payloadSize, kPlanHeaderSize);
  r.shareBlobsThrough(sharedBlobs);
  r.borrowFrom(std::move(owner));
  r.setVersion(version);
  auto c = std::make_unique<PlanContents>();
  c->producer = r.str("producer");
  c->backend = static_cast<Backend>(r.enumValue("backend", 2));
  c->deviceName = r.str("device_name");
  c->smMajor = r.i32("sm_major");
  c->smMinor = r.i32("sm_minor");
  c->builderFlags = r.u64("builder_flags");
  if (version >= 4) {
    c->workspaceLimit = r.u64("workspace_limit");
    c->timingIterations = r.i32("timing_iterations");
    if (c->timingIterations < 1 || c->timingIterations > 1000) r.fail("timing_iterations", "must be 1 to 1000");
  }
  c->network = std::make_unique<INetworkDefinition>();
  INetworkDefinition& net = *c->network;

  struct TensorRecord {
    std::string name;
    DataType type;
    Dims dims;
    bool isInput;
  };
  uint32_t nbTensors = r.count("tensor_count", 13);
  std::vector<TensorRecord> records(nbTensors);
  std::vector<ITensor*> tensors(nbTensors, nullptr);
  for (uint32_t i = 0; i < nbTensors; ++i) {
    r.setContext("tensor " + std::to_string(i));
    records[i].name = r.str("name");
    int32_t type = r.i32("data_type");
    if (!isValidDataType(type)) r.fail("data_type", "unknown data type " + std::to_string(type));
    records[i].type = static_cast<DataType>(type);
    records[i].dims = r.dims("dimensions");
    records[i].isInput = r.boolean("is_input");
  }
  r.setContext("");
  auto readIndex = [&](const char* field) {
    uint32_t idx = r.u32(field);
    if (idx >= nbTensors)
      r.fail(field,
             "tensor index " + std::to_string(idx) + " is not below the tensor count " + std::to_string(nbTensors));
    return idx;
  };
  uint32_t nbInputs = r.count("input_count", 4);
  for (uint32_t i = 0; i < nbInputs; ++i) {
    uint32_t idx = readIndex("input_index");
    if (!records[idx].isInput || tensors[idx])
      r.fail("input_index", "tensor " + std::to_string(idx) + " is not a distinct network input");
    tensors[idx] = net.addInput(records[idx].name.c_str(), records[idx].type, records[idx].dims);
  }
  uint32_t nbOutputs = r.count("output_count", 4);
  std::vector<uint32_t> outputIndices;
  for (uint32_t i = 0; i < nbOutputs; ++i) {
    outputIndices.push_back(readIndex("output_index"));
    // Outputs are bound by name: one listed twice would be one binding the caller fills twice.
    if (std::find(outputIndices.begin(), outputIndices.end() - 1, outputIndices.back()) != outputIndices.end() - 1)
      r.fail("output_index", "tensor " + std::to_string(outputIndices.back()) + " is listed twice as an output");
  }
  uint32_t nbLayers = r.count("layer_count", 24);
  for (uint32_t l = 0; l < nbLayers; ++l) {
    r.setContext("layer " + std::to_string(l));
    auto kind = static_cast<LayerType>(r.enumValue("kind", kLAYER_TYPE_COUNT));
    std::string name = r.str("name");
    r.setContext("layer " + std::to_string(l) + " '" + name + "' (" + layerTypeName(kind) + ")");
    uint32_t nIn = r.count("input_count", 4);
    std::vector<ITensor*> inputs;
    for (uint32_t i = 0; i < nIn; ++i) {
      uint32_t idx = readIndex("input_index");
      if (!tensors[idx])
        r.fail("input_index", "tensor " + std::to_string(idx) + " is used before any layer produces it");
      inputs.push_back(tensors[idx]);
    }
    uint32_t nOut = r.count("output_count", 4);
    if (nOut != 1)
      r.fail("output_count", "is " + std::to_string(nOut) + "; every layer kind of this version has one output");
    uint32_t outIdx = readIndex("output_index");
    if (tensors[outIdx] || records[outIdx].isInput)
      r.fail("output_index", "tensor " + std::to_string(outIdx) + " is produced twice");
    uint32_t nTypes = r.count("requested_type_count", 4);
    if (nTypes != nOut) r.fail("requested_type_count", "does not match the output count");
    int32_t requested = r.i32("requested_type");
    if (requested != -1 && !isValidDataType(requested))
      r.fail("requested_type", "unknown data type " + std::to_string(requested));
    int32_t precision = version >= 3 ? r.i32("precision") : -1;
    if (precision != -1 && !isValidDataType(precision))
      r.fail("precision", "unknown data type " + std::to_string(precision));
    uint64_t paramBytes = r.u64("parameter_size");
    if (paramBytes > r.remaining())
      r.fail("parameter_size",
             std::to_string(paramBytes) + " bytes exceed the " + std::to_string(r.remaining()) + " remaining");
    PlanReader params = r.sub("parameters", static_cast<size_t>(paramBytes));
    std::unique_ptr<LayerBase> layer = makeLayer(kind);
    layer->readParams(params);
    if (params.remaining() != 0)
      params.fail("parameters", std::to_string(params.remaining()) + " unread bytes at the end");
    ILayer* added = &NetworkState::of(net).adoptLayer(net, std::move(layer), inputs, 1).api();
    added->setName(name.c_str());
    added->getOutput(0)->setName(records[outIdx].name.c_str());
    // Before 21 a shuffle ignored a requested type (one set through ITensor::setType, say); since then it is a cast.
    if (requested >= 0 && !(kind == LayerType::kSHUFFLE && version < 21))
      added->setOutputType(0, static_cast<DataType>(requested));
    if (precision >= 0) added->setPrecision(static_cast<DataType>(precision));
    tensors[outIdx] = added->getOutput(0);
  }
  r.setContext("");
  for (uint32_t idx : outputIndices) {
    if (!tensors[idx]) r.fail("output_index", "tensor " + std::to_string(idx) + " is never produced");
    net.markOutput(*tensors[idx]);
  }
  c->profiles = readProfiles(r);
  if (version >= 11) {
    const uint32_t nbTactics = r.count("tactic_count", 12);
    for (uint32_t i = 0; i < nbTactics; ++i) {
      r.setContext("tactic " + std::to_string(i));
      TacticRecord t;
      const uint32_t layer = r.u32("layer_index");
      if (layer >= nbLayers)
        r.fail("layer_index",
               "layer " + std::to_string(layer) + " is not below the layer count " + std::to_string(nbLayers));
      t.layer = static_cast<int32_t>(layer);
      const uint32_t shapeRank = r.count("shape_rank", 8);
      if (shapeRank > static_cast<uint32_t>(Dims::MAX_DIMS))
        r.fail("shape_rank", "is " + std::to_string(shapeRank) + ", more than " + std::to_string(Dims::MAX_DIMS));
      for (uint32_t k = 0; k < shapeRank; ++k) t.shape.push_back(r.i64("shape"));
      const uint32_t choiceSize = r.count("choice_size", 8);
      if (choiceSize > 16) r.fail("choice_size", "is " + std::to_string(choiceSize) + ", more than 16");
      for (uint32_t k = 0; k < choiceSize; ++k) t.choice.push_back(r.i64("choice"));
      if (version >= 18) t.artifact = r.blob("artifact", kPlanMaxTacticArtifact);
      c->tactics.push_back(std::move(t));
    }
    r.setContext("");
  }
  if (r.remaining() != 0) r.fail("end", std::to_string(r.remaining()) + " unread bytes after the last field");
  try {
    net.validate();
  } catch (const Error& e) {
    throw Error(std::string("invalid plan: the network it holds is inconsistent: ") + e.what());
  }
  return c;
}

}  // namespace trt
