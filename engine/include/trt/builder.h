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

class OptimizationProfileState;
class TimingCacheState;
class BuilderConfigState;

//! Allowed ranges of the dynamic input dimensions; one per range of shapes an engine serves. Its
//! state is the engine's (one pointer); copies are independent.
class IOptimizationProfile {
 public:
  IOptimizationProfile();
  ~IOptimizationProfile();
  IOptimizationProfile(const IOptimizationProfile& other);
  IOptimizationProfile& operator=(const IOptimizationProfile& other);
  //! Sets min, opt or max dims of the input named `inputName`.
  bool setDimensions(const char* inputName, OptProfileSelector select, Dims dims);
  //! The dims set for an input, or nbDims = -1 when none.
  Dims getDimensions(const char* inputName, OptProfileSelector select) const;
  //! True when min <= opt <= max for every input with all three set.
  bool isValid() const;

 private:
  friend class OptimizationProfileState;
  std::unique_ptr<OptimizationProfileState> state_;
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
  // Added after the methods above, so a calibrator compiled against an earlier header keeps its table layout.
  //! The element type of the batch just given for input `name` in `type`; false (the default) when the
  //! calibrator does not say, and the batch is read as the input's type. A type other than the input's is
  //! refused (the bytes would be read as the wrong type, and past the end of a narrower batch).
  virtual bool getBatchType(const char* name, DataType& type) const {
    (void)name;
    (void)type;
    return false;
  }
  //! The file the cache is read from, named in the builder's errors about it; nullptr (the default) for none.
  virtual const char* getCalibrationCachePath() const { return nullptr; }
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
//! what it timed; serialize() gives the bytes to keep in a file. Its state is the engine's (one pointer).
class ITimingCache {
 public:
  //! Signature -> choice, as the builder keys its tactics.
  using Entries = std::map<std::vector<int64_t>, std::vector<int64_t>>;
  ITimingCache();
  ~ITimingCache();
  ITimingCache(const ITimingCache&) = delete;
  ITimingCache& operator=(const ITimingCache&) = delete;
  //! The cache as bytes, for IBuilderConfig::createTimingCache.
  IHostMemory* serialize() const;
  //! Number of signatures held.
  int32_t size() const;
  //! The GPU the timings were made on ("" until a build fills the cache).
  const std::string& device() const;

 private:
  friend class TimingCacheState;
  std::unique_ptr<TimingCacheState> state_;
};

//! Settings for one build. Its state is the engine's (one pointer).
class IBuilderConfig {
 public:
  IBuilderConfig();
  ~IBuilderConfig();
  IBuilderConfig(const IBuilderConfig&) = delete;
  IBuilderConfig& operator=(const IBuilderConfig&) = delete;
  //! Turns a flag on.
  void setFlag(BuilderFlag flag);
  //! Turns a flag off.
  void clearFlag(BuilderFlag flag);
  //! Whether a flag is on.
  bool getFlag(BuilderFlag flag) const;
  //! All flags as a bit mask.
  uint64_t getFlags() const;
  //! Replaces all flags with a bit mask.
  void setFlags(uint64_t flags);
  //! Adds an optimization profile (copied); returns its index.
  int32_t addOptimizationProfile(const IOptimizationProfile* profile);
  //! Number of profiles added.
  int32_t getNbOptimizationProfiles() const;
  //! Profile i (throws std::out_of_range when there is none).
  const IOptimizationProfile& getOptimizationProfile(int32_t i) const;
  //! Scratch memory one layer's kernel may use, in bytes (0: no limit). CUDA backend: cuDNN
  //! algorithms, im2col buffers and cuBLASLt workspaces above it are not chosen.
  void setMemoryPoolLimit(size_t bytes);
  //! The scratch memory limit (0: none).
  size_t getMemoryPoolLimit() const;
  //! Backend the engine targets (default CPU).
  void setBackend(Backend backend);
  //! The backend the engine targets.
  Backend getBackend() const;
  //! Timing measurements averaged per tactic (CUDA backend: each of 3 runs after a warm-up; at least 1).
  void setAvgTimingIterations(int32_t n);
  //! The timing measurements averaged per tactic.
  int32_t getAvgTimingIterations() const;
  //! The calibrator INT8 builds use for convolutions without Quantize/Dequantize scales (not owned).
  void setInt8Calibrator(IInt8Calibrator* calibrator);
  //! The calibrator, or nullptr.
  IInt8Calibrator* getInt8Calibrator() const;
  //! A timing cache from serialized bytes (size 0: an empty cache); throws Error naming the field
  //! and byte offset when the bytes are not a timing cache of this engine. The caller owns it.
  ITimingCache* createTimingCache(const void* blob, size_t size) const;
  //! Builds read and extend `cache` (not owned). A cache made on another GPU is refused at build
  //! time unless `ignoreMismatch`, which then builds without it.
  bool setTimingCache(ITimingCache& cache, bool ignoreMismatch);
  //! The timing cache set, or nullptr.
  ITimingCache* getTimingCache() const;
  //! Whether a cache of another GPU is ignored instead of refused.
  bool getTimingCacheIgnoreMismatch() const;

 private:
  std::unique_ptr<BuilderConfigState> state_;
};

//! Bytes owned by the engine (a serialized plan or timing cache).
class IHostMemory {
 public:
  virtual ~IHostMemory() = default;
  //! Pointer to the bytes.
  virtual void* data() const = 0;
  //! Number of bytes.
  virtual size_t size() const = 0;
  //! Element type of the bytes (always uint8).
  virtual DataType type() const = 0;
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
  virtual ~IBuilder() = default;
  //! Creates an empty network (flags are accepted for API compatibility; networks are always explicit-batch).
  virtual INetworkDefinition* createNetworkV2(uint32_t flags = 0) = 0;
  //! Creates a config with default settings.
  virtual IBuilderConfig* createBuilderConfig() = 0;
  //! Creates an empty optimization profile, owned by the builder.
  virtual IOptimizationProfile* createOptimizationProfile() = 0;
  //! Validates, optimizes and serializes the network; throws Error naming what is wrong.
  virtual IHostMemory* buildSerializedNetwork(INetworkDefinition& network, IBuilderConfig& config) = 0;
  //! The engine inspector's JSON (ICudaEngine::describeLayersJson) of the network as the builder's passes leave it
  //! for the config's backend, without timing tactics or writing a plan. It does not need the backend's device: on
  //! a machine without a GPU, a CUDA config previews the layers for sm_90 (fields: "device" says so, "tactics" are
  //! empty, "implementation" names only views). Throws Error as buildSerializedNetwork does.
  virtual std::string describeOptimizedNetwork(INetworkDefinition& network, IBuilderConfig& config) = 0;
  //! What the last build did.
  virtual const BuildReport& lastReport() const = 0;
};

//! Creates a builder that logs to `logger`.
IBuilder* createInferBuilder(ILogger& logger);

}  // namespace trt
