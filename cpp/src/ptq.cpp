#include "torch_tensorrt/ptq.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/util/atomic_file.h"
#include "core/util/logging.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"

namespace torch_tensorrt {
namespace ptq {

CalibratorState::CalibratorState(BatchSource source, std::string cache_file, bool use_cache)
    : source_(std::move(source)), cacheFile_(std::move(cache_file)), useCache_(use_cache) {}

int32_t CalibratorState::batchSize() const { return firstBatchSize_; }

void CalibratorState::setTarget(trt::Backend backend, int32_t deviceIndex) {
  device_ = backend == trt::Backend::kCUDA ? c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(deviceIndex))
                                           : c10::Device(c10::kCPU);
}

bool CalibratorState::getBatch(void* bindings[], const char* names[], int32_t nbBindings) {
  if (!source_) {
    TORCHTRT_THROW_ERROR("the INT8 cache calibrator has no data, and its cache file '"
                         << cacheFile_ << "' is missing or empty; calibrate once with data (make_int8_calibrator / "
                         << "DataLoaderCalibrator) to write it");
  }
  std::vector<at::Tensor> batch;
  if (!source_(batch)) return false;
  TORCHTRT_CHECK(static_cast<int32_t>(batch.size()) == nbBindings,
                 "INT8 calibration batch " << given_ << " has " << batch.size() << " tensor(s), but the engine has "
                                           << nbBindings << " input(s)");
  current_.clear();
  names_.clear();
  for (int32_t i = 0; i < nbBindings; ++i) {
    at::Tensor t = batch[i].detach();
    if (t.scalar_type() == at::kDouble) t = t.to(at::kFloat);
    t = t.to(device_).contiguous();
    current_.push_back(t);
    names_.push_back(names[i]);
    bindings[i] = t.data_ptr();
  }
  if (given_ == 0 && !current_.empty() && current_[0].dim() > 0)
    firstBatchSize_ = static_cast<int32_t>(current_[0].size(0));
  ++given_;
  return true;
}

bool CalibratorState::batchType(const char* name, trt::DataType& type) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) {
      const at::ScalarType scalar = current_[i].scalar_type();
      // A type the engine has no name for is still not the input's: reported as such by the builder.
      try {
        type = core::util::ScalarTypeToTRTDataType(scalar);
      } catch (const std::exception&) {
        TORCHTRT_THROW_ERROR("INT8 calibration batch " << (given_ - 1) << " gives input '" << name << "' "
                                                       << c10::toString(scalar)
                                                       << " values, a type the engine has no inputs of; give "
                                                          "batches of the model input's type (for example "
                                                          "batch.float())");
      }
      return true;
    }
  return false;
}

trt::Dims CalibratorState::batchDims(const char* name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return trt::Dims::fromVector(current_[i].sizes().vec());
  trt::Dims none;
  none.nbDims = -1;
  return none;
}

const void* CalibratorState::readCache(size_t& length) {
  length = 0;
  if (!useCache_ || cacheFile_.empty()) return nullptr;
  std::ifstream in(cacheFile_, std::ios::binary);
  if (!in) {
    LOG_INFO("INT8 calibration cache '" << cacheFile_ << "' does not exist yet; calibrating");
    return nullptr;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  cache_ = ss.str();
  length = cache_.size();
  LOG_INFO("INT8 calibration: using the cache '" << cacheFile_ << "' (" << length << " bytes)");
  return cache_.empty() ? nullptr : cache_.data();
}

void CalibratorState::writeCache(const void* data, size_t length) {
  if (cacheFile_.empty()) return;
  // Written into a file created exclusively beside the target, then renamed over it: never a
  // half-written cache, and never through a symlink planted at a predictable temporary name.
  try {
    core::util::writeFileAtomically(cacheFile_, [&](std::ostream& out) {
      out.write(static_cast<const char*>(data), static_cast<std::streamsize>(length));
    });
  } catch (const std::exception& e) {
    TORCHTRT_THROW_ERROR("cannot write the INT8 calibration cache: " << e.what());
  }
  LOG_INFO("INT8 calibration: wrote the cache '" << cacheFile_ << "'");
}

namespace {
// A calibrator whose algorithm is chosen at run time.
class TensorCalibrator : public trt::IInt8Calibrator {
 public:
  TensorCalibrator(BatchSource source, trt::CalibrationAlgoType algo, const std::string& cache, bool use_cache)
      : state_(std::move(source), cache, use_cache), algo_(algo) {}
  int32_t getBatchSize() const override { return state_.batchSize(); }
  bool getBatch(void* bindings[], const char* names[], int32_t n) override {
    return state_.getBatch(bindings, names, n);
  }
  trt::Dims getBatchDims(const char* name) const override { return state_.batchDims(name); }
  bool getBatchType(const char* name, trt::DataType& type) const override { return state_.batchType(name, type); }
  const char* getCalibrationCachePath() const override { return state_.cachePath(); }
  const void* readCalibrationCache(size_t& length) override { return state_.readCache(length); }
  void writeCalibrationCache(const void* data, size_t length) override { state_.writeCache(data, length); }
  trt::CalibrationAlgoType getAlgorithm() const override { return algo_; }
  void setTargetBackend(trt::Backend backend, int32_t device) override { state_.setTarget(backend, device); }

 private:
  CalibratorState state_;
  trt::CalibrationAlgoType algo_;
};
}  // namespace

std::unique_ptr<trt::IInt8Calibrator> make_tensor_calibrator(std::vector<std::vector<at::Tensor>> batches,
                                                             trt::CalibrationAlgoType algorithm,
                                                             const std::string& cache_file_path, bool use_cache,
                                                             bool cache_only) {
  if (cache_only) return std::make_unique<TensorCalibrator>(BatchSource(), algorithm, cache_file_path, true);
  auto data = std::make_shared<std::vector<std::vector<at::Tensor>>>(std::move(batches));
  auto next = std::make_shared<size_t>(0);
  BatchSource source = [data, next](std::vector<at::Tensor>& batch) {
    if (*next >= data->size()) return false;
    batch = (*data)[(*next)++];
    return true;
  };
  return std::make_unique<TensorCalibrator>(std::move(source), algorithm, cache_file_path, use_cache);
}

std::unique_ptr<trt::IInt8Calibrator> make_source_calibrator(BatchSource source, trt::CalibrationAlgoType algorithm,
                                                             const std::string& cache_file_path, bool use_cache) {
  TORCHTRT_CHECK(source, "make_source_calibrator needs a batch source");
  return std::make_unique<TensorCalibrator>(std::move(source), algorithm, cache_file_path, use_cache);
}

}  // namespace ptq
}  // namespace torch_tensorrt
