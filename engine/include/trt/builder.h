// Builder: turns a network definition into a serialized, optimized plan.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "trt/network.h"

namespace trt {

//! Which of min/opt/max a profile dimension describes.
enum class OptProfileSelector : int32_t { kMIN = 0, kOPT = 1, kMAX = 2 };

//! Allowed ranges of the dynamic input dimensions; one per range of shapes an engine serves.
class IOptimizationProfile {
 public:
  //! Sets min, opt or max dims of the input named `inputName`.
  bool setDimensions(const char* inputName, OptProfileSelector select, Dims dims);
  //! The dims set for an input, or nbDims = -1 when none.
  Dims getDimensions(const char* inputName, OptProfileSelector select) const;
  //! True when min <= opt <= max for every input with all three set.
  bool isValid() const;

  struct Range {
    std::string name;
    Dims dims[3];
    bool set[3] = {false, false, false};
  };
  //! All inputs with ranges (engine use).
  const std::vector<Range>& ranges() const { return ranges_; }
  std::vector<Range>& mutableRanges() { return ranges_; }

 private:
  std::vector<Range> ranges_;
};

//! Permissions and switches for the builder.
enum class BuilderFlag : int32_t {
  kFP16 = 0,          //!< layers may run in FP16 where the backend has FP16 kernels
  kINT8 = 1,          //!< layers may run in INT8 (needs scales)
  kDEBUG = 2,         //!< keep every layer's output observable
  kGPU_FALLBACK = 3,  //!< reserved
  kREFIT = 5,         //!< keep weights refittable
  kDISABLE_TIMING_CACHE = 6,
  kTF32 = 7,  //!< FP32 matrix work may use TF32 tensor cores
  kSPARSE_WEIGHTS = 8,
  //! a layer pinned with ILayer::setPrecision that its backend cannot compute in that type fails the build
  kOBEY_PRECISION_CONSTRAINTS = 10,
  //! such a layer falls back to the builder's choice, with a warning naming it (also the default)
  kPREFER_PRECISION_CONSTRAINTS = 11,
  //! layers may run in FP8 E4M3 (needs scales; CUDA GPUs of compute capability 8.9 and newer only)
  kFP8 = 16,
  kBF16 = 17,
  //! no tuning run: the builder times no tactic, kernels take their libraries' heuristics (builds that
  //! only observe values, such as INT8 calibration's)
  kSKIP_TACTIC_TIMING = 18,
};

//! The backend an engine is built for.
enum class Backend : int32_t { kCPU = 0, kCUDA = 1 };
//! Name of a backend ("cpu", "cuda").
const char* backendName(Backend backend);

//! Feeds INT8 calibration batches to the builder and keeps the scales it finds (TensorRT's
//! IInt8Calibrator). With BuilderFlag::kINT8 set, the builder asks readCalibrationCache first; when
//! it returns nothing, it runs an FP32 copy of the network on the batches, observes every
//! convolution's input, derives scales with getAlgorithm() and passes the cache to writeCalibrationCache.
class IInt8Calibrator {
 public:
  virtual ~IInt8Calibrator() = default;
  //! Samples per batch: the batch dimension of inputs whose first dimension is dynamic.
  virtual int32_t getBatchSize() const = 0;
  //! Sets bindings[i] to the next batch of the input named names[i], in the memory of the engine's
  //! backend (host memory for the CPU backend, device memory for CUDA); false when none is left.
  virtual bool getBatch(void* bindings[], const char* names[], int32_t nbBindings) = 0;
  //! The shape of the batch just given for input `name`; nbDims = -1 (the default) means the
  //! input's declared dims with dynamic ones from the first profile's opt dims and the first from getBatchSize().
  virtual Dims getBatchDims(const char* name) const {
    (void)name;
    Dims none;
    none.nbDims = -1;
    return none;
  }
  //! A cache written by an earlier build (its size in `length`), or nullptr to calibrate.
  virtual const void* readCalibrationCache(size_t& length) = 0;
  //! Receives the cache of this calibration (text: a header line, then "tensor name: hex scale" lines).
  virtual void writeCalibrationCache(const void* data, size_t length) = 0;
  //! How observed values become scales.
  virtual CalibrationAlgoType getAlgorithm() const = 0;
  //! Called before the first getBatch: where the batches must be (host memory for kCPU; device
  //! memory of CUDA device `deviceIndex` for kCUDA).
  virtual void setTargetBackend(Backend backend, int32_t deviceIndex) {
    (void)backend;
    (void)deviceIndex;
  }
};

//! Calibrators with their algorithm chosen by type, as TensorRT's (implement the other methods).
class IInt8EntropyCalibrator2 : public IInt8Calibrator {
 public:
  CalibrationAlgoType getAlgorithm() const override { return CalibrationAlgoType::kENTROPY_CALIBRATION_2; }
};
class IInt8EntropyCalibrator : public IInt8Calibrator {
 public:
  CalibrationAlgoType getAlgorithm() const override { return CalibrationAlgoType::kENTROPY_CALIBRATION; }
};
class IInt8MinMaxCalibrator : public IInt8Calibrator {
 public:
  CalibrationAlgoType getAlgorithm() const override { return CalibrationAlgoType::kMINMAX_CALIBRATION; }
};
class IInt8LegacyCalibrator : public IInt8Calibrator {
 public:
  CalibrationAlgoType getAlgorithm() const override { return CalibrationAlgoType::kLEGACY_CALIBRATION; }
};
class IInt8PercentileCalibrator : public IInt8Calibrator {
 public:
  CalibrationAlgoType getAlgorithm() const override { return CalibrationAlgoType::kPERCENTILE_CALIBRATION; }
};

class IHostMemory;

//! Tactic choices reusable across builds, as TensorRT's timing cache: what each layer signature
//! (kind, shapes, parameters, types, layout) chose on one GPU. A build reads it before timing and adds
//! what it timed; serialize() gives the bytes to keep in a file.
class ITimingCache {
 public:
  using Entries = std::map<std::vector<int64_t>, std::vector<int64_t>>;
  //! The cache as bytes, for IBuilderConfig::createTimingCache.
  IHostMemory* serialize() const;
  //! Number of signatures held.
  int32_t size() const { return static_cast<int32_t>(entries_.size()); }
  //! The GPU the timings were made on ("" until a build fills the cache).
  const std::string& device() const { return device_; }
  //! Engine internals (the builder's tuning run): the entries and the GPU they belong to.
  Entries& entries() { return entries_; }
  void setDevice(const std::string& name, int32_t smMajor, int32_t smMinor);
  int32_t smMajor() const { return smMajor_; }
  int32_t smMinor() const { return smMinor_; }

 private:
  std::string device_;
  int32_t smMajor_ = -1, smMinor_ = -1;
  Entries entries_;
};

//! Settings for one build.
class IBuilderConfig {
 public:
  IBuilderConfig();
  //! Turns a flag on.
  void setFlag(BuilderFlag flag) { flags_ |= (1ull << static_cast<int>(flag)); }
  //! Turns a flag off.
  void clearFlag(BuilderFlag flag) { flags_ &= ~(1ull << static_cast<int>(flag)); }
  //! Whether a flag is on.
  bool getFlag(BuilderFlag flag) const { return (flags_ >> static_cast<int>(flag)) & 1ull; }
  //! All flags as a bit mask.
  uint64_t getFlags() const { return flags_; }
  void setFlags(uint64_t flags) { flags_ = flags; }
  //! Adds an optimization profile; returns its index.
  int32_t addOptimizationProfile(const IOptimizationProfile* profile);
  //! Number of profiles added.
  int32_t getNbOptimizationProfiles() const { return static_cast<int32_t>(profiles_.size()); }
  const IOptimizationProfile& getOptimizationProfile(int32_t i) const { return profiles_.at(i); }
  //! Scratch memory one layer's kernel may use, in bytes (0: no limit). CUDA backend: cuDNN
  //! algorithms, im2col buffers and cuBLASLt workspaces above it are not chosen.
  void setMemoryPoolLimit(size_t bytes) { workspace_ = bytes; }
  size_t getMemoryPoolLimit() const { return workspace_; }
  //! Backend the engine targets (default CPU).
  void setBackend(Backend backend) { backend_ = backend; }
  Backend getBackend() const { return backend_; }
  //! Timing measurements averaged per tactic (CUDA backend: each of 3 runs after a warm-up; at least 1).
  void setAvgTimingIterations(int32_t n) { avgTimingIterations_ = n < 1 ? 1 : n; }
  int32_t getAvgTimingIterations() const { return avgTimingIterations_; }
  //! The calibrator INT8 builds use for convolutions without Quantize/Dequantize scales (not owned).
  void setInt8Calibrator(IInt8Calibrator* calibrator) { calibrator_ = calibrator; }
  IInt8Calibrator* getInt8Calibrator() const { return calibrator_; }
  //! A timing cache from serialized bytes (size 0: an empty cache); throws Error naming the field
  //! and byte offset when the bytes are not a timing cache of this engine. The caller owns it.
  ITimingCache* createTimingCache(const void* blob, size_t size) const;
  //! Builds read and extend `cache` (not owned). A cache made on another GPU is refused at build
  //! time unless `ignoreMismatch`, which then builds without it.
  bool setTimingCache(ITimingCache& cache, bool ignoreMismatch);
  ITimingCache* getTimingCache() const { return timingCache_; }
  bool getTimingCacheIgnoreMismatch() const { return ignoreMismatch_; }

 private:
  IInt8Calibrator* calibrator_ = nullptr;
  ITimingCache* timingCache_ = nullptr;
  bool ignoreMismatch_ = false;
  uint64_t flags_ = 0;
  std::vector<IOptimizationProfile> profiles_;
  size_t workspace_ = 0;
  Backend backend_ = Backend::kCPU;
  int32_t avgTimingIterations_ = 1;
};

//! Bytes owned by the engine (a serialized plan).
class IHostMemory {
 public:
  explicit IHostMemory(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  //! Pointer to the bytes.
  void* data() const { return const_cast<uint8_t*>(bytes_.data()); }
  //! Number of bytes.
  size_t size() const { return bytes_.size(); }
  //! Element type of the bytes (always uint8).
  DataType type() const { return DataType::kUINT8; }

 private:
  std::vector<uint8_t> bytes_;
};

//! Statistics of the last build (for logs and tests).
struct BuildReport {
  int32_t layersBefore = 0;
  int32_t layersAfter = 0;
  std::vector<std::string> passLog;  //!< one line per pass that changed the network
  int64_t tacticTimingRuns = 0;      //!< kernel runs the builder spent timing tactics
  double passesMs = 0;               //!< time in the optimization passes (the build's progress line)
  double tacticTimingMs = 0;         //!< time spent timing tactics
  double serializationMs = 0;        //!< time writing the plan
};

//! Creates networks and configs, and builds plans.
class IBuilder {
 public:
  explicit IBuilder(ILogger& logger) : logger_(logger) {}
  //! Creates an empty network (flags are accepted for API compatibility; networks are always explicit-batch).
  INetworkDefinition* createNetworkV2(uint32_t flags = 0);
  //! Creates a config with default settings.
  IBuilderConfig* createBuilderConfig();
  //! Creates an empty optimization profile.
  IOptimizationProfile* createOptimizationProfile();
  //! Validates, optimizes and serializes the network; throws Error naming what is wrong.
  IHostMemory* buildSerializedNetwork(INetworkDefinition& network, IBuilderConfig& config);
  //! What the last build did.
  const BuildReport& lastReport() const { return report_; }

 private:
  ILogger& logger_;
  std::vector<std::unique_ptr<IOptimizationProfile>> profiles_;
  BuildReport report_;
};

//! Creates a builder that logs to `logger`.
IBuilder* createInferBuilder(ILogger& logger);

}  // namespace trt
