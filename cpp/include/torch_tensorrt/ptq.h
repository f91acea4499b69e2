// INT8 post-training quantization: calibrators over a data loader or a cache file, in the shape of
// Torch-TensorRT's torch_tensorrt::ptq (make_int8_calibrator, make_int8_cache_calibrator).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "torch/script.h"
#include "trt/builder.h"

namespace torch_tensorrt {
namespace ptq {

//! Gives the next batch (one tensor per engine input, in input order); false when none is left.
using BatchSource = std::function<bool(std::vector<at::Tensor>& batch)>;

//! What every calibrator of this API shares: the batch source, the cache file, where batches go.
class CalibratorState {
 public:
  //! `source` may be empty (a cache calibrator); `cache_file` may be "" (no cache).
  CalibratorState(BatchSource source, std::string cache_file, bool use_cache);
  int32_t batchSize() const;
  bool getBatch(void* bindings[], const char* names[], int32_t nbBindings);
  trt::Dims batchDims(const char* name) const;
  //! The element type of the batch just given for input `name`; false for a name it did not give.
  bool batchType(const char* name, trt::DataType& type) const;
  const void* readCache(size_t& length);
  void writeCache(const void* data, size_t length);
  //! The cache file's path, or nullptr for none.
  const char* cachePath() const { return cacheFile_.empty() ? nullptr : cacheFile_.c_str(); }
  void setTarget(trt::Backend backend, int32_t deviceIndex);
  //! Batches handed to the builder so far.
  int64_t batchesGiven() const { return given_; }

 private:
  BatchSource source_;
  std::string cacheFile_;
  bool useCache_;
  std::string cache_;
  std::vector<at::Tensor> current_;
  std::vector<std::string> names_;
  c10::Device device_ = c10::Device(c10::kCPU);
  int64_t given_ = 0;
  int32_t firstBatchSize_ = 1;
};

//! A calibrator whose algorithm is the base class `Algorithm` (trt::IInt8EntropyCalibrator2,
//! IInt8MinMaxCalibrator, IInt8EntropyCalibrator, IInt8LegacyCalibrator, IInt8PercentileCalibrator).
//! Pass it to CompileSpec::ptq_calibrator; it must outlive the compile call.
template <typename Algorithm>
class Int8Calibrator : public Algorithm {
 public:
  Int8Calibrator(BatchSource source, const std::string& cache_file, bool use_cache)
      : state_(std::make_shared<CalibratorState>(std::move(source), cache_file, use_cache)) {}
  int32_t getBatchSize() const override { return state_->batchSize(); }
  bool getBatch(void* bindings[], const char* names[], int32_t nbBindings) override {
    return state_->getBatch(bindings, names, nbBindings);
  }
  trt::Dims getBatchDims(const char* name) const override { return state_->batchDims(name); }
  bool getBatchType(const char* name, trt::DataType& type) const override { return state_->batchType(name, type); }
  const char* getCalibrationCachePath() const override { return state_->cachePath(); }
  const void* readCalibrationCache(size_t& length) override { return state_->readCache(length); }
  void writeCalibrationCache(const void* data, size_t length) override { state_->writeCache(data, length); }
  void setTargetBackend(trt::Backend backend, int32_t deviceIndex) override { state_->setTarget(backend, deviceIndex); }
  //! Batches the builder has read (0 when a cache served the build).
  int64_t batchesGiven() const { return state_->batchesGiven(); }
  operator trt::IInt8Calibrator*() { return this; }

 private:
  std::shared_ptr<CalibratorState> state_;
};

//! A calibrator over a torch::data data loader (a std::unique_ptr to one, as make_data_loader
//! returns) whose batches have `.data` (use the Stack transform): each batch's data is the engine's
//! one input. With use_cache and an existing cache file, the file's scales are used and no batch is
//! read; otherwise the scales found are written to the file (when one is named).
template <typename Algorithm = trt::IInt8EntropyCalibrator2, typename DataLoader>
Int8Calibrator<Algorithm> make_int8_calibrator(DataLoader dataloader, const std::string& cache_file_path,
                                               bool use_cache) {
  struct Cursor {
    DataLoader loader;
    std::optional<decltype(std::declval<DataLoader&>()->begin())> it;
  };
  auto cursor = std::make_shared<Cursor>(Cursor{std::move(dataloader), std::nullopt});
  BatchSource source = [cursor](std::vector<at::Tensor>& batch) {
    if (!cursor->it) cursor->it.emplace(cursor->loader->begin());
    if (*cursor->it == cursor->loader->end()) return false;
    batch = {(**cursor->it).data};
    ++*cursor->it;
    return true;
  };
  return Int8Calibrator<Algorithm>(std::move(source), cache_file_path, use_cache);
}

//! A calibrator that only reads a cache file written by an earlier calibration (no data).
template <typename Algorithm = trt::IInt8EntropyCalibrator2>
Int8Calibrator<Algorithm> make_int8_cache_calibrator(const std::string& cache_file_path) {
  return Int8Calibrator<Algorithm>(BatchSource(), cache_file_path, true);
}

//! A calibrator over batches already in memory (one vector of input tensors per batch) with the
//! algorithm chosen at run time (the Python API and the CLI use it); `cache_only` makes a cache
//! calibrator (no data; a missing cache is an error that says so).
std::unique_ptr<trt::IInt8Calibrator> make_tensor_calibrator(std::vector<std::vector<at::Tensor>> batches,
                                                             trt::CalibrationAlgoType algorithm,
                                                             const std::string& cache_file_path, bool use_cache,
                                                             bool cache_only = false);

//! A calibrator over any batch source (read lazily, one batch at a time) with the algorithm chosen
//! at run time (the Python DataLoaderCalibrator streams its data loader through it).
std::unique_ptr<trt::IInt8Calibrator> make_source_calibrator(BatchSource source, trt::CalibrationAlgoType algorithm,
                                                             const std::string& cache_file_path, bool use_cache);

}  // namespace ptq
}  // namespace torch_tensorrt
