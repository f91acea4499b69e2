// Helpers for engine tests: build a plan from a network, run it on its backend (CPU, or CUDA with the
// copies to and from the device done here).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "trt/trt.h"

#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace trt_test {

//! Whether a CUDA GPU is visible (CUDA tests skip, or run the CPU only, without one).
inline bool gpuVisible() {
#ifdef TORCHTRT_WITH_CUDA
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
#else
  return false;
#endif
}

struct Built {
  std::vector<uint8_t> plan;
  std::unique_ptr<trt::IRuntime> runtime;
  std::unique_ptr<trt::ICudaEngine> engine;
};

inline Built build(trt::INetworkDefinition& net, trt::IBuilderConfig* config = nullptr) {
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> owned;
  if (!config) {
    owned.reset(builder->createBuilderConfig());
    config = owned.get();
  }
  std::unique_ptr<trt::IHostMemory> mem(builder->buildSerializedNetwork(net, *config));
  Built b;
  b.plan.assign(static_cast<uint8_t*>(mem->data()), static_cast<uint8_t*>(mem->data()) + mem->size());
  b.runtime.reset(trt::createInferRuntime(trt::defaultLogger()));
  b.engine.reset(b.runtime->deserializeCudaEngine(b.plan.data(), b.plan.size()));
  return b;
}

//! How many layers of `type` a network has.
inline int countLayersOfType(const trt::INetworkDefinition& net, trt::LayerType type) {
  int n = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) n += net.getLayer(l)->getType() == type;
  return n;
}

//! How many layers of `kind` (its name as the description writes it: "Attention", "SoftMax") an engine runs.
inline int countLayersOfKind(const trt::ICudaEngine& engine, const char* kind) {
  const std::string text = engine.describeLayers(), needle = std::string(": ") + kind + " '";
  int n = 0;
  for (size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1)) ++n;
  return n;
}

//! The layers of `net` besides the transposes the builder's channels-last pass adds (named "... [layout]"):
//! what a fusion test counts, whichever layout the backend prefers.
inline int countLayersBesidesLayoutTransposes(const trt::INetworkDefinition& net) {
  int count = 0;
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const std::string name = net.getLayer(l)->getName();
    count += name.size() < 8 || name.compare(name.size() - 8, 8, "[layout]") != 0;
  }
  return count;
}

//! Host bytes of a tensor: its dims and its elements in the engine's type.
using HostTensor = std::pair<trt::Dims, std::vector<uint8_t>>;

//! One execution context of an engine run again and again with inputs by name (bytes in each input's
//! type); each run returns every output's bytes by name. On the CUDA backend the inputs are copied to
//! device memory kept by name (a name keeps its address while its size does, as a caller's steady
//! state: the runtime's captured CUDA graph replays), the run goes on the default stream and the
//! outputs are copied back, so a test compares backends without writing device copies. `shapes`, when
//! given, receives each output's shape.
class Session {
 public:
  explicit Session(const trt::ICudaEngine& engine) : engine_(engine), ctx_(engine.createExecutionContext()) {}
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  ~Session() {
#ifdef TORCHTRT_WITH_CUDA
    for (auto& entry : device_) cudaFree(entry.second.first);
#endif
  }
  trt::IExecutionContext& context() { return *ctx_; }
  //! Output buffers start filled with `byte` (on the device too) instead of zeros: a test that an engine writes every
  //! output element, zeros included.
  Session& fillOutputsWith(uint8_t byte) {
    outputFill_ = byte;
    fillOutputs_ = true;
    return *this;
  }

  std::map<std::string, std::vector<uint8_t>> run(const std::map<std::string, HostTensor>& inputs,
                                                  std::map<std::string, trt::Dims>* shapes = nullptr) {
    for (const auto& [name, in] : inputs) {
      ctx_->setInputShape(name.c_str(), in.first);
      // A short buffer would be read past its end (on the device too, where its copy has its size).
      EXPECT_GE(in.second.size(),
                static_cast<size_t>(in.first.volume()) * trt::dataTypeSize(engine_.getTensorDataType(name.c_str())))
          << "input '" << name << "' " << in.first.str();
      hostInputs_[name] = in.second;
      ctx_->setTensorAddress(name.c_str(), place(name, hostInputs_[name].data(), in.second.size(), true));
    }
    std::map<std::string, std::vector<uint8_t>> outs;
    std::map<std::string, void*> placed;
    for (int i = 0; i < engine_.getNbIOTensors(); ++i) {
      const char* name = engine_.getIOTensorName(i);
      if (engine_.getTensorIOMode(name) != trt::TensorIOMode::kOUTPUT) continue;
      auto& buf = outs[name];
      const trt::Dims dims = ctx_->getTensorShape(name);
      if (!dims.isStatic()) {
        ADD_FAILURE() << "output '" << name << "' has the data-dependent shape " << dims.str()
                      << ": runBytes takes static outputs only (give the context an IOutputAllocator)";
        return {};
      }
      if (shapes) (*shapes)[name] = dims;
      buf.assign(static_cast<size_t>(dims.volume()) * trt::dataTypeSize(engine_.getTensorDataType(name)),
                 fillOutputs_ ? outputFill_ : uint8_t{0});
      placed[name] = place(name, buf.data(), buf.size(), fillOutputs_);
      ctx_->setTensorAddress(name, placed[name]);
    }
    ctx_->enqueueV3(nullptr);
#ifdef TORCHTRT_WITH_CUDA
    if (onDevice()) {
      for (auto& [name, buf] : outs)
        if (!buf.empty()) {
          EXPECT_EQ(cudaMemcpy(buf.data(), placed[name], buf.size(), cudaMemcpyDeviceToHost), cudaSuccess);
        }
    }
#endif
    return outs;
  }

 private:
  bool onDevice() const { return engine_.getBackend() == trt::Backend::kCUDA; }

  // Where the engine reads or writes `host`: the host buffer itself, or the device copy kept for `name`.
  void* place(const std::string& name, void* host, size_t bytes, bool upload) {
    if (!onDevice()) return host;
#ifdef TORCHTRT_WITH_CUDA
    auto& [device, size] = device_[name];
    if (!device || size != bytes) {
      if (device) cudaFree(device);
      device = nullptr;
      EXPECT_EQ(cudaMalloc(&device, bytes ? bytes : 1), cudaSuccess);
      size = bytes;
    }
    if (upload && bytes) {
      EXPECT_EQ(cudaMemcpy(device, host, bytes, cudaMemcpyHostToDevice), cudaSuccess);
    }
    return device;
#else
    (void)name, (void)bytes, (void)upload;
    ADD_FAILURE() << "a CUDA engine in a build without the CUDA backend";
    return host;
#endif
  }

  const trt::ICudaEngine& engine_;
  std::unique_ptr<trt::IExecutionContext> ctx_;
  bool fillOutputs_ = false;
  uint8_t outputFill_ = 0;
  std::map<std::string, std::vector<uint8_t>> hostInputs_;
  std::map<std::string, std::pair<void*, size_t>> device_;
};

//! One run of an engine on a fresh execution context (Session).
inline std::map<std::string, std::vector<uint8_t>> runBytes(const trt::ICudaEngine& engine,
                                                            const std::map<std::string, HostTensor>& inputs,
                                                            std::map<std::string, trt::Dims>* shapes = nullptr) {
  return Session(engine).run(inputs, shapes);
}

//! Bytes of a vector of elements (a runBytes input).
template <typename T>
inline HostTensor hostTensor(const trt::Dims& dims, const std::vector<T>& values) {
  const auto* p = reinterpret_cast<const uint8_t*>(values.data());
  return {dims, std::vector<uint8_t>(p, p + values.size() * sizeof(T))};
}

//! The elements of an output's bytes.
template <typename T>
inline std::vector<T> elementsOf(const std::vector<uint8_t>& bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), bytes.data(), values.size() * sizeof(T));
  return values;
}

//! Runs an engine with float inputs by name on its backend (runBytes); returns the named float outputs.
inline std::map<std::string, std::vector<float>> run(
    const trt::ICudaEngine& engine, std::map<std::string, std::pair<trt::Dims, std::vector<float>>> inputs) {
  std::map<std::string, HostTensor> bytes;
  for (const auto& [name, in] : inputs) bytes[name] = hostTensor(in.first, in.second);
  std::map<std::string, std::vector<float>> outs;
  for (auto& [name, out] : runBytes(engine, bytes)) {
    EXPECT_EQ(engine.getTensorDataType(name.c_str()), trt::DataType::kFLOAT)
        << "run() reads float32 outputs; use runBytes for '" << name << "'";
    outs[name] = elementsOf<float>(out);
  }
  return outs;
}

inline std::vector<float> randomVector(size_t n, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

// float32 results computed in a different order than the reference: relative 1e-5 of the
// accumulated magnitude covers the rounding of sums over up to ~1000 terms.
// |actual - expected| <= atol + rtol * |expected|, per data type of the computation: the engine
// tests' one table (backend_ops_test.cpp, cpu_fast_kernels_test.cpp).
struct Tolerance {
  double rtol, atol;
};
inline Tolerance toleranceFor(trt::DataType type) {
  switch (type) {
    case trt::DataType::kFLOAT:
      // Another summation order (cuDNN, cuBLAS with TF32 off, oneDNN, tree reductions): values of
      // magnitude ~1 summed over up to ~100 terms differ by ~1e-6 relative of the sum of |terms|.
      return {1e-4, 1e-4};
    case trt::DataType::kHALF:
      // 11 significant bits: 2^-11 per rounding, inputs and output rounded, sums over ~30 terms.
      return {1e-2, 1e-2};
    case trt::DataType::kBF16:
      // 8 significant bits: 8x FP16's tolerance (oneDNN also rounds the weights to bfloat16).
      return {8e-2, 8e-2};
    default:
      return {0, 0};  // integers, bool and INT8 (quantized the same way everywhere) match exactly
  }
}

// A GPU FP8 product against the CPU emulation (float32 sums of the same exact E4M3 products): Hopper's FP8 tensor
// cores add partial sums in reduced precision before the GEMM promotes them to float32, ~1.5e-4 relative of the sums'
// magnitude measured on an H200 (K up to 256), so the float32 table's 1e-4 is too tight; 1e-3 leaves a 6x margin.
constexpr float kFp8TensorCoreRtol = 1e-3f;

inline void expectNear(const std::vector<float>& actual, const std::vector<float>& expected, float tol = 1e-4f) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i)
    ASSERT_NEAR(actual[i], expected[i], tol * (1.f + std::fabs(expected[i]))) << "at " << i;
}

//! A Resize layer's case: input and output dims, mode, coordinate transformation and scale ratios (empty: the
//! output dims decide).
struct ResizeCase {
  trt::Dims in, out;
  trt::InterpolationMode mode;
  trt::ResizeCoordinateTransformation transform;
  std::vector<double> ratios;
};

//! Makes `net` input "x" [k.in] -> Resize -> output "y" [k.out].
inline void addResizeNetwork(trt::INetworkDefinition& net, const ResizeCase& k) {
  auto* resize = net.addResize(*net.addInput("x", trt::DataType::kFLOAT, k.in), k.out);
  resize->setResizeMode(k.mode);
  resize->setCoordinateTransformation(k.transform);
  if (!k.ratios.empty()) resize->setScales(k.ratios);
  resize->getOutput(0)->setName("y");
  net.markOutput(*resize->getOutput(0));
}

}  // namespace trt_test
