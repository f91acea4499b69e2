#include "builder/calibration/calibration.h"

#include "builder/builder_impl.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>

#include "backends/backend.h"
#include "builder/calibration/histogram.h"
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/fp8.h"
#include "trt/runtime.h"

namespace trt {
namespace calibration {

namespace {
constexpr const char* kCacheMagic = "TorchTRT-INT8-Calibration";

// The cache's key of a tensor's FP8 scale (its INT8 scale's key is the tensor's name).
std::string fp8Key(const std::string& tensor) { return "[fp8] " + tensor; }

// The tensor a layer's scale is keyed by and observed on: its input, except for a stacked product (weights
// [P, ...], stacked_product.h), which reads its siblings' input through a reshape: that input, the same values. The
// cache so names the tensors the model computes and serves builds that stack products and builds that do not (a CPU
// build's cache, a CUDA build); every other key is its layer's input, as caches of earlier builds have them.
const ITensor& scaledTensor(const ILayer& layer) {
  if (layer.getType() != LayerType::kMATRIX_MULTIPLY) return *layer.getInput(0);  // a convolution's weights: no input
  const IShuffleLayer* view = passes::stackRowsView(static_cast<const IMatrixMultiplyLayer&>(layer));
  return view ? *view->getInput(0) : *layer.getInput(0);
}

// The layers calibration quantizes (INT8: convolutions and products by constant weights; FP8: products
// by constant weights, which FP8 takes before INT8 when both are enabled), the tensors it observes (their
// inputs) in order, and the cache keys of the scales they need.
struct Targets {
  std::vector<ILayer*> layers;
  std::vector<bool> fp8;  // per layer
  std::vector<std::string> tensors;
  std::vector<std::string> keys;
};

Targets findTargets(INetworkDefinition& net, bool int8, bool fp8) {
  Targets t;
  auto addOnce = [](std::vector<std::string>& list, const std::string& s) {
    if (std::find(list.begin(), list.end(), s) == list.end()) list.push_back(s);
  };
  for (int l = 0; l < net.getNbLayers(); ++l) {
    ILayer* layer = net.getLayer(l);
    const bool asFp8 = fp8 && passes::canRunInFp8(*layer);
    if (!asFp8 && !(int8 && passes::canRunInInt8(*layer))) continue;
    t.layers.push_back(layer);
    t.fp8.push_back(asFp8);
    const std::string name = scaledTensor(*layer).getName();
    addOnce(t.tensors, name);
    addOnce(t.keys, asFp8 ? fp8Key(name) : name);
  }
  return t;
}

std::string hexBits(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", bits);
  return buf;
}

std::string writeCache(const Targets& targets, const std::map<std::string, float>& scales, CalibrationAlgoType algo) {
  std::ostringstream os;
  os << kCacheMagic << " " << calibrationAlgoName(algo) << "\n";
  for (const auto& key : targets.keys) os << key << ": " << hexBits(scales.at(key)) << "\n";
  return os.str();
}

// A cache line as an error quotes it: at most 80 bytes, bytes outside printable ASCII as \xNN (a binary file's
// bytes would make the message invalid UTF-8, which Python cannot even decode to show).
std::string quoteLine(const std::string& line) {
  std::string out;
  for (size_t i = 0; i < line.size() && i < 80; ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  return out;
}

// "name: hex" lines after the header; names may contain ": " themselves, so the last one splits. Lines may end
// in CRLF (a cache edited on Windows). `what` names the cache in errors ("the INT8 calibration cache 'f.cache'").
std::map<std::string, float> readCache(const std::string& text, std::string& header, const std::string& what) {
  std::map<std::string, float> scales;
  std::map<std::string, int> lineOf;
  std::istringstream is(text);
  std::string line;
  int lineNo = 0;
  while (std::getline(is, line)) {
    ++lineNo;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (lineNo == 1) {
      header = line;
      if (line.rfind(kCacheMagic, 0) != 0)
        throw Error(what + " does not start with '" + std::string(kCacheMagic) + "' (line 1 is '" + quoteLine(line) +
                    "'): it is not a calibration cache of this engine; delete "
                    "it or calibrate again without the cache");
      continue;
    }
    if (line.empty()) continue;
    const size_t colon = line.rfind(": ");
    const std::string hex = colon == std::string::npos ? "" : line.substr(colon + 2);
    uint32_t bits = 0;
    char extra = 0;
    if (hex.size() != 8 || std::sscanf(hex.c_str(), "%8x%c", &bits, &extra) != 1)
      throw Error(what + " is malformed at line " + std::to_string(lineNo) + " ('" + quoteLine(line) +
                  "'): expected 'tensor name: 8 hex digits'; delete it or calibrate again without the cache");
    float scale;
    std::memcpy(&scale, &bits, 4);
    const std::string name = line.substr(0, colon);
    // A scale is positive, normal, and leaves the INT8 range (127 steps) finite: a subnormal or huge one is no
    // calibration's (every activation would quantize to 0, or the dequantized range overflow).
    if (!std::isnormal(scale) || !(scale > 0.f) || !std::isfinite(scale * 127.f))
      throw Error(what + " gives tensor '" + quoteLine(name) + "' the scale " + std::to_string(scale) + " (line " +
                  std::to_string(lineNo) +
                  "), which no calibration gives (not positive, subnormal, or 127 steps of it overflow float32); "
                  "delete the cache or calibrate again without it");
    if (lineOf.count(name))
      throw Error(what + " gives tensor '" + quoteLine(name) + "' two scales (lines " + std::to_string(lineOf[name]) +
                  " and " + std::to_string(lineNo) + "); delete the cache or calibrate again without it");
    lineOf[name] = lineNo;
    scales[name] = scale;
  }
  if (lineNo == 0) throw Error(what + " is empty");
  return scales;
}

// Buffers in the backend's memory, and host copies of them, so the statistics are computed in one place.
class Memory {
 public:
  explicit Memory(Backend backend) : backend_(executionBackend(backend)) {}
  ~Memory() {
    for (void* p : owned_) backend_.deallocate(p);
  }
  // A zeroed buffer of `bytes` in the backend's memory.
  void* allocate(size_t bytes) {
    owned_.push_back(backend_.allocate(bytes));
    return owned_.back();
  }
  // Waits for the run, then copies `count` floats to the host.
  void toHost(const void* src, size_t count, std::vector<float>& dst) const {
    dst.resize(count);
    backend_.copyToHost(dst.data(), src, count * sizeof(float));
  }
  int32_t deviceOrdinal() const { return backend_.deviceOrdinal(); }
  // Throws where the backend's kernels cannot read `data` (what: the memory's description in the error).
  void checkReadable(const void* data, const std::string& what) const { backend_.checkReadable(data, what); }

 private:
  const ExecutionBackend& backend_;
  std::vector<void*> owned_;
};

Dims batchDims(const ITensor& input, const PlanContents& settings, IInt8Calibrator& calibrator) {
  Dims given = calibrator.getBatchDims(input.getName());
  if (given.nbDims >= 0) return given;
  Dims d = input.getDimensions();
  Dims opt;
  opt.nbDims = -1;
  if (!settings.profiles.empty()) opt = settings.profiles[0].getDimensions(input.getName(), OptProfileSelector::kOPT);
  for (int i = 0; i < d.nbDims; ++i) {
    if (d.d[i] >= 0) continue;
    d.d[i] = i == 0 ? calibrator.getBatchSize() : (opt.nbDims == d.nbDims ? opt.d[i] : -1);
    if (d.d[i] < 0)
      throw Error("INT8 calibration: input '" + std::string(input.getName()) + "' " + input.getDimensions().str() +
                  " has a dynamic dimension " + std::to_string(i) +
                  " and neither the calibrator nor an optimization profile gives its size");
  }
  return d;
}

// Runs an FP32 copy of the network with the targets marked as outputs on every batch.
std::map<std::string, AbsHistogram> observe(const INetworkDefinition& network, const PlanContents& settings,
                                            const Targets& targets, IInt8Calibrator& calibrator, ILogger& logger) {
  PlanContents copySettings;
  copySettings.backend = settings.backend;
  copySettings.profiles = settings.profiles;
  copySettings.deviceName = settings.deviceName;
  copySettings.smMajor = settings.smMajor;
  copySettings.smMinor = settings.smMinor;
  std::vector<SharedBytes> weights;  // the copy shares the weights
  std::vector<uint8_t> bytes = writePlan(network, copySettings, &weights);
  std::unique_ptr<PlanContents> copy = readPlan(bytes.data(), bytes.size(), &weights);
  INetworkDefinition& net = *copy->network;
  std::vector<std::string> inputNames;
  for (int i = 0; i < net.getNbInputs(); ++i) inputNames.push_back(net.getInput(i)->getName());
  std::vector<std::string> observed;  // targets that are layer outputs (inputs are read from the batch)
  for (const auto& name : targets.tensors) {
    bool isInput = false;
    for (const auto& in : inputNames) isInput |= in == name;
    if (isInput) continue;
    observed.push_back(name);
    for (int l = 0; l < net.getNbLayers(); ++l)
      if (net.getLayer(l)->getOutput(0)->getName() == name && !net.getLayer(l)->getOutput(0)->isNetworkOutput())
        net.markOutput(*net.getLayer(l)->getOutput(0));
  }
  Builder builder(logger);
  IBuilderConfig config;
  config.clearFlag(BuilderFlag::kTF32);              // observe FP32 values
  config.setFlag(BuilderFlag::kSKIP_TACTIC_TIMING);  // values only: heuristics' tactics are as exact
  config.setBackend(settings.backend);
  for (const auto& p : settings.profiles) config.addOptimizationProfile(&p);
  std::unique_ptr<IHostMemory> plan(builder.buildSerializedNetwork(net, config));
  std::unique_ptr<IRuntime> runtime(createInferRuntime(logger));
  std::unique_ptr<ICudaEngine> engine(runtime->deserializeCudaEngine(plan->data(), plan->size()));
  std::unique_ptr<IExecutionContext> context(engine->createExecutionContext());

  std::map<std::string, AbsHistogram> stats;
  Memory memory(settings.backend);
  calibrator.setTargetBackend(settings.backend, std::max<int32_t>(0, memory.deviceOrdinal()));
  std::map<std::string, std::pair<void*, size_t>> outputs;  // name -> buffer, capacity in floats
  std::vector<void*> bindings(inputNames.size(), nullptr);
  std::vector<const char*> names;
  for (const auto& n : inputNames) names.push_back(n.c_str());
  std::vector<float> host;
  int batches = 0;
  while (calibrator.getBatch(bindings.data(), names.data(), static_cast<int32_t>(names.size()))) {
    for (size_t i = 0; i < inputNames.size(); ++i) {
      if (!bindings[i])
        throw Error("INT8 calibration: the calibrator gave no memory for input '" + inputNames[i] + "' in batch " +
                    std::to_string(batches));
      memory.checkReadable(bindings[i], "INT8 calibration: the calibrator's memory for input '" + inputNames[i] +
                                            "' in batch " + std::to_string(batches));
      const DataType expected = net.getInput(static_cast<int32_t>(i))->getType();
      DataType given = expected;
      if (calibrator.getBatchType(names[i], given) && given != expected)
        throw Error("INT8 calibration: batch " + std::to_string(batches) + " gives input '" + inputNames[i] + "' " +
                    dataTypeName(given) + " values, but the network's input is " + dataTypeName(expected) +
                    "; give the calibrator batches of that type (for example batch.float() for a float32 model)");
      try {
        context->setInputShape(names[i], batchDims(*net.getInput(static_cast<int32_t>(i)), settings, calibrator));
      } catch (const Error& e) {  // a data loader's short last batch, say: the message says it was calibration's
        throw Error("INT8 calibration: batch " + std::to_string(batches) + " of the calibrator: " + e.what() +
                    " (every batch must fit the engine's input shapes; drop a short last batch, drop_last=True)");
      }
      context->setTensorAddress(names[i], bindings[i]);
    }
    for (int o = 0; o < engine->getNbIOTensors(); ++o) {
      const char* name = engine->getIOTensorName(o);
      if (engine->getTensorIOMode(name) != TensorIOMode::kOUTPUT) continue;
      const Dims shape = context->getTensorShape(name);
      const size_t count = static_cast<size_t>(shape.volume()) *
                           (dataTypeSize(engine->getTensorDataType(name)) + sizeof(float) - 1) / sizeof(float);
      auto& buffer = outputs[name];
      if (buffer.second < count) buffer = {memory.allocate(count * sizeof(float)), count};
      context->setTensorAddress(name, buffer.first);
    }
    context->enqueueV3(nullptr);  // Memory::toHost waits for it
    for (const auto& name : targets.tensors) {
      const Dims shape = context->getTensorShape(name.c_str());
      const void* data = nullptr;
      for (size_t i = 0; i < inputNames.size(); ++i)
        if (inputNames[i] == name) data = bindings[i];
      if (!data) data = outputs.at(name).first;
      memory.toHost(data, static_cast<size_t>(shape.volume()), host);
      stats[name].add(host.data(), static_cast<int64_t>(host.size()));
    }
    ++batches;
  }
  if (batches == 0)
    throw Error(
        "INT8 calibration: the calibrator gave no batches (its first getBatch returned false); give it a data loader "
        "with at least one batch, or a calibration cache");
  logger.log(ILogger::Severity::kINFO, ("INT8 calibration: observed " + std::to_string(targets.tensors.size()) +
                                        " tensors over " + std::to_string(batches) + " batches")
                                           .c_str());
  return stats;
}
}  // namespace

int32_t calibrate(INetworkDefinition& network, const PlanContents& settings, IInt8Calibrator& calibrator,
                  ILogger& logger, bool int8, bool fp8,
                  const std::function<bool(const IConvolutionLayer&)>& quantizes) {
  Targets targets = findTargets(network, int8, fp8);
  if (targets.layers.empty()) return 0;
  std::map<std::string, float> scales;
  size_t cacheBytes = 0;
  const void* cache = calibrator.readCalibrationCache(cacheBytes);
  if (cache && cacheBytes > 0) {
    std::string header;
    const char* path = calibrator.getCalibrationCachePath();
    const std::string what =
        std::string("the INT8 calibration cache") + (path && *path ? " '" + std::string(path) + "'" : "");
    scales = readCache(std::string(static_cast<const char*>(cache), cacheBytes), header, what);
    const std::string algorithm = calibrationAlgoName(calibrator.getAlgorithm());
    if (header != std::string(kCacheMagic) + " " + algorithm)
      logger.log(ILogger::Severity::kWARNING,
                 (what + " was written by another calibration algorithm ('" + quoteLine(header) + "'), not " +
                  algorithm + "; its scales are used as they are")
                     .c_str());
    for (const auto& key : targets.keys) {
      if (scales.count(key)) continue;
      const bool fp8Scale = key.rfind(fp8Key(""), 0) == 0;
      throw Error(what + " ('" + quoteLine(header) + "', " + std::to_string(scales.size()) + " scales) " +
                  (fp8Scale ? "has no FP8 scale for tensor '" : "has no scale for tensor '") +
                  key.substr(fp8Scale ? fp8Key("").size() : 0) + "', the input of a " +
                  (fp8Scale ? "matrix multiply" : "convolution or matrix multiply") +
                  " of this network: it was written for another network (or the file is incomplete)" +
                  (fp8Scale ? " or without FP8 (an INT8 build's cache)" : "") +
                  "; delete the cache file or calibrate again without it (use_cache=False)");
    }
    logger.log(ILogger::Severity::kINFO,
               ("INT8 calibration: " + std::to_string(targets.keys.size()) + " scales read from the cache").c_str());
  } else {
    const CalibrationAlgoType algo = calibrator.getAlgorithm();
    for (const auto& kv : observe(network, settings, targets, calibrator, logger)) {
      if (kv.second.finiteCount() == 0 && kv.second.nonFiniteCount() > 0)
        throw Error("INT8 calibration: tensor '" + kv.first +
                    "' held no finite value in any calibration batch (NaN or infinity everywhere), so the data gives "
                    "it no scale; check the calibration data (or the model's outputs on it)");
      const float t = threshold(kv.second, algo);
      // An all-zero tensor quantizes to zeros at any scale; so does one whose threshold would make a subnormal scale
      // (which a cache could not give back: readCache refuses it).
      scales[kv.first] = std::isnormal(t / 127.f) ? t / 127.f : 1.f;
      // FP8 keeps the whole observed range (amax onto 448, whatever the algorithm): E4M3's exponent spends
      // its levels on small magnitudes, so clipping outliers as INT8's thresholds do gains nothing.
      const float fp8Scale = fp8::scaleForAmax(kv.second.amax());
      scales[fp8Key(kv.first)] = std::isnormal(fp8Scale) ? fp8Scale : 1.f;
    }
    const std::string text = writeCache(targets, scales, algo);
    calibrator.writeCalibrationCache(text.data(), text.size());
  }
  // Every target's scale is observed and cached (a cache serves every backend); a convolution the backend's INT8
  // kernels would run slower than its float form keeps float here, unless the user pinned it to INT8.
  int32_t changed = 0;
  for (size_t i = 0; i < targets.layers.size(); ++i) {
    ILayer* layer = targets.layers[i];
    const std::string name = scaledTensor(*layer).getName();
    if (targets.fp8[i]) {
      passes::switchToFp8(network, *layer, scales.at(fp8Key(name)));
    } else {
      const bool pinned = layer->precisionIsSet() && layer->getPrecision() == DataType::kINT8;
      if (!pinned && quantizes && layer->getType() == LayerType::kCONVOLUTION &&
          !quantizes(static_cast<const IConvolutionLayer&>(*layer)))
        continue;
      passes::switchToInt8(network, *layer, scales.at(name));
    }
    ++changed;
  }
  return changed;
}

}  // namespace calibration
}  // namespace trt
