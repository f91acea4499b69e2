// Helpers for the INT8 tests: reference quantization, a calibrator over host batches, and a count
// of the INT8 layers in an engine.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "engine_test_util.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace trt_test {

// Reference quantization, written out for the tests: round half to even, saturate to [-128, 127].
inline int refQuantize(float x, float scale) {
  float q = std::nearbyint(x * (1.0f / scale));
  return static_cast<int>(std::fmin(127.f, std::fmax(-128.f, q)));
}

// A calibrator over batches of one input "x", given in the target backend's memory (IInt8Calibrator::getBatch): the
// host vectors for the CPU, device copies for CUDA (unless giveHostMemory, the error's test).
class VectorCalibrator : public trt::IInt8Calibrator {
 public:
  VectorCalibrator(std::vector<std::vector<float>> batches, trt::CalibrationAlgoType algo, int32_t batchSize)
      : batches_(std::move(batches)), algo_(algo), batchSize_(batchSize) {}
  ~VectorCalibrator() override {
#ifdef TORCHTRT_WITH_CUDA
    for (void* d : device_) cudaFree(d);
#endif
  }
  int32_t getBatchSize() const override { return batchSize_; }
  void setTargetBackend(trt::Backend backend, int32_t) override { target_ = backend; }
  bool getBatch(void* bindings[], const char* names[], int32_t n) override {
    if (next_ >= batches_.size()) return false;
    EXPECT_EQ(n, 1);
    EXPECT_STREQ(names[0], "x");
    std::vector<float>& batch = batches_[next_++];
    bindings[0] = batch.data();
#ifdef TORCHTRT_WITH_CUDA
    if (target_ == trt::Backend::kCUDA && !giveHostMemory) {
      void* d = nullptr;
      EXPECT_EQ(cudaMalloc(&d, batch.size() * sizeof(float)), cudaSuccess);
      EXPECT_EQ(cudaMemcpy(d, batch.data(), batch.size() * sizeof(float), cudaMemcpyHostToDevice), cudaSuccess);
      device_.push_back(d);
      bindings[0] = d;
    }
#endif
    return true;
  }
  bool giveHostMemory = false;
  const void* readCalibrationCache(size_t& length) override {
    length = cacheIn.size();
    return cacheIn.empty() ? nullptr : cacheIn.data();
  }
  void writeCalibrationCache(const void* data, size_t length) override {
    cacheOut.assign(static_cast<const char*>(data), length);
  }
  trt::CalibrationAlgoType getAlgorithm() const override { return algo_; }
  std::string cacheIn, cacheOut;
  size_t batchesRead() const { return next_; }

 private:
  std::vector<std::vector<float>> batches_;
  trt::CalibrationAlgoType algo_;
  int32_t batchSize_;
  size_t next_ = 0;
  trt::Backend target_ = trt::Backend::kCPU;
  std::vector<void*> device_;
};

// Layers the engine's description marks "[int8]" (INT8 convolutions and matrix multiplies).
inline int countInt8Layers(const trt::ICudaEngine& engine) {
  int n = 0;
  const std::string text = engine.describeLayers();
  for (size_t p = text.find("[int8]"); p != std::string::npos; p = text.find("[int8]", p + 1)) ++n;
  return n;
}

}  // namespace trt_test
