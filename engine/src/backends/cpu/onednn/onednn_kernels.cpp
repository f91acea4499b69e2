// The cache of the plugin's steps, by layer and shapes, and what oneDNN does not do as the reference:
// activations after a primitive (oneDNN's ReLU maps NaN to 0) and max pooling over NaN (oneDNN's max
// skips NaN where PyTorch's propagates it: an input holding NaN is pooled by the reference kernel).
#include "backends/cpu/onednn/onednn_kernels.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

#include "backends/cpu/bf16_conversion.h"
#include "backends/cpu/onednn/describe.h"
#include "layers/attention_layout.h"

namespace trt {
namespace cpu {
namespace onednn {

namespace {
std::atomic<int64_t> runs{0}, created{0}, destroyed{0};
}  // namespace

bool cpuHasBf16() {
  static const bool has = __builtin_cpu_supports("avx512bf16");
  return has;
}

//! One layer at one set of shapes on the plugin; destroys its plugin step.
class Step {
 public:
  Step(const torchtrt_onednn_api& api, torchtrt_onednn_step* handle, FusedActivation postActivation, bool maxPooling)
      : api_(api), handle_(handle), postActivation_(postActivation), maxPooling_(maxPooling) {
    created.fetch_add(1, std::memory_order_relaxed);
  }
  ~Step() {
    api_.destroy(handle_);
    destroyed.fetch_add(1, std::memory_order_relaxed);
  }
  Step(const Step&) = delete;
  Step& operator=(const Step&) = delete;

  //! oneDNN's name for what runs (the inspector's).
  std::string implementation() const { return api_.implementation(handle_); }

  //! Runs the primitive on raw buffers (the attention's two products), throwing on failure.
  void execute(const ILayer& layer, const void* const* inputs, int32_t count, void* output) {
    char message[512] = {};
    if (api_.execute(handle_, inputs, count, output, message, sizeof message) != TORCHTRT_ONEDNN_OK)
      throw Error(layer.describe() + ": oneDNN failed (" + message +
                  "); rerun with TORCHTRT_CPU_KERNELS=reference to use the reference kernels");
  }

  //! false: the reference must run this call (NaN in a max pooling's input).
  bool run(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
    if (maxPooling_ && containsNaN(inputs[0])) return false;
    const void* data[4] = {};  // at most a product's A, B, bias and residual
    const int32_t count = static_cast<int32_t>(std::min<size_t>(inputs.size(), 4));
    for (int32_t i = 0; i < count; ++i) data[i] = inputs[static_cast<size_t>(i)].data;
    char message[512] = {};
    if (api_.execute(handle_, data, count, output.data, message, sizeof message) != TORCHTRT_ONEDNN_OK)
      throw Error(layer.describe() + ": oneDNN failed (" + message +
                  "); rerun with TORCHTRT_CPU_KERNELS=reference to use the reference kernels");
    if (postActivation_.type >= 0) {  // over the cores (a ReLU pass on one thread cost MobileNetV3 ~20%)
      const auto type = static_cast<ActivationType>(postActivation_.type);
      const float alpha = postActivation_.alpha, beta = postActivation_.beta;
      if (output.type == DataType::kBF16)
        applyActivationInChunksBf16(type, alpha, beta, static_cast<uint16_t*>(output.data), output.dims.volume());
      else
        applyActivationInChunks(type, alpha, beta, output.f32(), output.f32(), output.dims.volume());
    }
    return true;
  }

 private:
  static bool containsNaN(const TensorView& t) {
    const int64_t n = t.dims.volume();
    bool nan = false;
    if (t.type == DataType::kBF16) {  // exponent all ones and a nonzero significand
      const uint16_t* x = static_cast<const uint16_t*>(t.data);
#pragma omp parallel for reduction(|| : nan) if (n > (1 << 16))
      for (int64_t i = 0; i < n; ++i) nan = nan || (x[i] & 0x7fffu) > 0x7f80u;
      return nan;
    }
    const float* x = t.f32();
#pragma omp parallel for reduction(|| : nan) if (n > (1 << 16))
    for (int64_t i = 0; i < n; ++i) nan = nan || x[i] != x[i];
    return nan;
  }

  const torchtrt_onednn_api& api_;
  torchtrt_onednn_step* handle_;
  FusedActivation postActivation_;  // applied by the reference's routine after the primitive (type -1: none)
  bool maxPooling_;
};

namespace {
// The layer object and every shape it runs at. A layer's parameters (weights, strides, ...) are
// fixed for the engine's life, so they need no place in the key.
std::string stepKey(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output) {
  const ILayer* address = &layer;
  std::string key(reinterpret_cast<const char*>(&address), sizeof(address));
  auto add = [&key](const TensorView& t) {
    key.push_back(static_cast<char>(t.type));
    key.push_back(static_cast<char>(t.dims.nbDims));
    key.append(reinterpret_cast<const char*>(t.dims.d), sizeof(t.dims.d[0]) * t.dims.nbDims);
  };
  for (const auto& in : inputs) add(in);
  add(output);
  return key;
}

// nullptr when the plugin does not cover the layer at these shapes (the reference runs it).
// float32 steps, and bfloat16 ones where the CPU has AVX-512 BF16 (oneDNN's bfloat16 kernels elsewhere emulate
// it slower than the reference's float math), with every tensor of the one type.
std::unique_ptr<Step> makeStep(const torchtrt_onednn_api& api, const ILayer& layer,
                               const std::vector<TensorView>& inputs, const TensorView& output) {
  if (output.type != DataType::kFLOAT && !(output.type == DataType::kBF16 && cpuHasBf16())) return nullptr;
  for (const auto& in : inputs)
    if (in.type != output.type) return nullptr;
  const int32_t dataType = output.type == DataType::kBF16 ? TORCHTRT_ONEDNN_BF16 : TORCHTRT_ONEDNN_F32;
  torchtrt_onednn_step* handle = nullptr;
  char message[512] = {};
  int32_t status = TORCHTRT_ONEDNN_DECLINED;
  FusedActivation postActivation;
  bool maxPooling = false;
  switch (layer.getType()) {
    case LayerType::kCONVOLUTION: {
      torchtrt_onednn_convolution desc;
      if (describeConvolution(layer, inputs, output, desc, postActivation)) {
        desc.data_type = dataType;
        status = api.create_convolution(&desc, &handle, message, sizeof message);
      }
      break;
    }
    case LayerType::kDECONVOLUTION: {
      torchtrt_onednn_convolution desc;
      if (describeDeconvolution(layer, inputs, output, desc)) {
        desc.data_type = dataType;
        status = api.create_convolution(&desc, &handle, message, sizeof message);
      }
      break;
    }
    case LayerType::kMATRIX_MULTIPLY: {
      torchtrt_onednn_matrix_multiply desc;
      if (describeMatrixMultiply(layer, inputs, output, desc, postActivation)) {
        desc.data_type = desc.c_data_type = dataType;
        status = api.create_matrix_multiply(&desc, &handle, message, sizeof message);
      }
      break;
    }
    case LayerType::kPOOLING: {
      torchtrt_onednn_pooling desc;
      if (describePooling(layer, inputs, output, desc)) {
        desc.data_type = dataType;
        maxPooling = desc.algorithm == TORCHTRT_ONEDNN_POOL_MAX;
        status = api.create_pooling(&desc, &handle, message, sizeof message);
      }
      break;
    }
    default:
      return nullptr;
  }
  // Declined, or failed to create (oneDNN refusing these arguments): the reference runs the layer.
  if (status != TORCHTRT_ONEDNN_OK || !handle) return nullptr;
  return std::make_unique<Step>(api, handle, postActivation, maxPooling);
}
}  // namespace

// Attention as two plugin products around the reference's masked softmax (attention_gemm.cpp):
// S = Q K^T into a float32 scores buffer, the softmax rows in place over the cores, then O = P V.
// bfloat16 attention (AVX-512 BF16) multiplies bfloat16 operands with float32 sums, as PyTorch's CPU
// attention does: the scores and their softmax in float32, P rounded to bfloat16 for the second product.
// The scores buffers are the Kernels' (one pair for every attention layer and shape, see Impl).
struct AttentionSteps {
  std::unique_ptr<Step> scores, weighted;
  int64_t scoreElements = 0;  // B * H * Sq * Sk
  bool bf16 = false;          // P rounded to bfloat16 for the second product
};

namespace {

// Scores of at most 64 Mi floats (256 MiB) go through oneDNN at once; longer sequences take the
// per-head GEMM path, whose buffer is one head's [Sq, Sk].
constexpr int64_t kMaxScoreElements = int64_t(64) << 20;

std::unique_ptr<AttentionSteps> makeAttention(const torchtrt_onednn_api& api, const std::vector<TensorView>& inputs,
                                              const TensorView& output) {
  const bool bf16 = output.type == DataType::kBF16 && cpuHasBf16();
  if (!attentionFastPathApplies(inputs, output, bf16 ? DataType::kBF16 : DataType::kFLOAT)) return nullptr;
  const int32_t operands = bf16 ? TORCHTRT_ONEDNN_BF16 : TORCHTRT_ONEDNN_F32;
  const Dims &qd = inputs[0].dims, &vd = inputs[2].dims;
  const int64_t b = qd.d[0], h = qd.d[1], sq = qd.d[2], d = qd.d[3], sk = vd.d[2];
  const Dims scoreDims{b, h, sq, sk};
  if (scoreDims.volume() > kMaxScoreElements) return nullptr;
  auto create = [&](const torchtrt_onednn_matrix_multiply& desc) -> std::unique_ptr<Step> {
    torchtrt_onednn_step* handle = nullptr;
    char message[512] = {};
    if (api.create_matrix_multiply(&desc, &handle, message, sizeof message) != TORCHTRT_ONEDNN_OK || !handle)
      return nullptr;
    return std::make_unique<Step>(api, handle, FusedActivation{}, false);
  };
  torchtrt_onednn_matrix_multiply first{};
  first.a = denseTensor(qd);
  first.b = denseTensor(Dims{b, h, d, sk});  // K [B, H, Sk, D] read transposed
  first.b.strides[2] = 1;
  first.b.strides[3] = d;
  first.c = denseTensor(scoreDims);
  first.alpha = 1.f;  // the scale is applied with the mask, as the reference does
  first.data_type = operands;
  first.c_data_type = TORCHTRT_ONEDNN_F32;
  torchtrt_onednn_matrix_multiply second{};
  second.a = denseTensor(scoreDims);
  second.b = denseTensor(vd);
  second.c = denseTensor(output.dims);
  second.alpha = 1.f;
  second.data_type = second.c_data_type = operands;
  auto steps = std::make_unique<AttentionSteps>();
  steps->scores = create(first);
  steps->weighted = create(second);
  if (!steps->scores || !steps->weighted) return nullptr;
  steps->scoreElements = scoreDims.volume();
  steps->bf16 = bf16;
  return steps;
}
}  // namespace

namespace {
// A layer's entries at its most recently used shapes, newest first, at most `capacity` a layer: a
// dynamic-shape engine served many shapes (sequence lengths) would otherwise keep a primitive, and an
// attention's workspace, for every shape it ever saw (memory growing without bound in a server).
// nullptr entries record that the plugin declined the layer at those shapes (the reference runs it).
template <typename Entry>
class RecentShapes {
 public:
  explicit RecentShapes(size_t capacity) : capacity_(capacity) {}

  //! The entry of `layer` at `key`, made by `make()` when not kept (the least recently used one of the
  //! layer's then dropped beyond the capacity).
  template <typename Make>
  Entry* get(const ILayer& layer, const std::string& key, Make&& make) {
    auto& recent = byLayer_[&layer];
    for (auto it = recent.begin(); it != recent.end(); ++it)
      if (it->first == key) {
        recent.splice(recent.begin(), recent, it);
        return recent.front().second.get();
      }
    recent.emplace_front(key, make());
    if (recent.size() > capacity_) recent.pop_back();
    return recent.front().second.get();
  }

 private:
  size_t capacity_;
  std::unordered_map<const ILayer*, std::list<std::pair<std::string, std::unique_ptr<Entry>>>> byLayer_;
};
}  // namespace

size_t shapesKeptPerLayer() {
  static const size_t kept = [] {
    const char* env = std::getenv("TORCHTRT_CPU_SHAPES_KEPT");
    if (!env || !*env) return kShapesKeptPerLayer;
    char* end = nullptr;
    const long long value = std::strtoll(env, &end, 10);
    if (*end != '\0' || value <= 0)
      throw Error(std::string("TORCHTRT_CPU_SHAPES_KEPT is '") + env +
                  "'; it takes a positive number of input shapes a layer keeps its oneDNN primitives for");
    return static_cast<size_t>(value);
  }();
  return kept;
}

struct Kernels::Impl {
  explicit Impl(const torchtrt_onednn_api& a) : api(a) {}
  const torchtrt_onednn_api& api;
  RecentShapes<Step> steps{shapesKeptPerLayer()};
  RecentShapes<AttentionSteps> attention{shapesKeptPerLayer()};
  // The attention's scores S = Q K^T [B, H, Sq, Sk] in float32 and P in bfloat16 (bfloat16 attention): one
  // pair for all attention layers and shapes, as large as the largest run so far (at most kMaxScoreElements).
  std::vector<float> scores;
  std::vector<uint16_t> scoresBf16;

  //! Grows the scores buffers to what `steps` runs on (when prepared, so that a call at prepared shapes
  //! allocates nothing).
  void reserveScores(const AttentionSteps& steps) {
    const auto elements = static_cast<size_t>(steps.scoreElements);
    if (scores.size() < elements) scores.resize(elements);
    if (steps.bf16 && scoresBf16.size() < elements) scoresBf16.resize(elements);
  }
};

Kernels::Kernels(const torchtrt_onednn_api& api) : impl_(std::make_unique<Impl>(api)) {}
Kernels::~Kernels() = default;

Step* Kernels::step(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output) {
  return impl_->steps.get(layer, stepKey(layer, inputs, output),
                          [&] { return makeStep(impl_->api, layer, inputs, output); });
}

AttentionSteps* Kernels::attentionSteps(const ILayer& layer, const std::vector<TensorView>& inputs,
                                        const TensorView& output) {
  // Sequence-major tensors (a CUDA build's layout choice) are the reference kernel's.
  return impl_->attention.get(layer, stepKey(layer, inputs, output), [&]() -> std::unique_ptr<AttentionSteps> {
    if (attentionSequenceMajor(static_cast<const IAttentionLayer&>(layer))) return nullptr;
    return makeAttention(impl_->api, inputs, output);
  });
}

namespace {
bool onPlugin(LayerType type) {
  return type == LayerType::kCONVOLUTION || type == LayerType::kDECONVOLUTION || type == LayerType::kMATRIX_MULTIPLY ||
         type == LayerType::kPOOLING;
}
}  // namespace

std::string Kernels::prepare(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output) {
  const LayerType type = layer.getType();
  if (type == LayerType::kATTENTION) {
    const AttentionSteps* steps = attentionSteps(layer, inputs, output);
    if (!steps) return "";
    impl_->reserveScores(*steps);
    return "oneDNN " + steps->scores->implementation() + " and " + steps->weighted->implementation() +
           " around the engine's softmax";
  }
  if (!onPlugin(type)) return "";
  const Step* s = step(layer, inputs, output);
  return s ? "oneDNN " + s->implementation() : "";
}

bool Kernels::run(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const LayerType type = layer.getType();
  if (type == LayerType::kATTENTION) return runAttention(layer, inputs, output);
  if (!onPlugin(type)) return false;
  Step* s = step(layer, inputs, output);
  if (!s || !s->run(layer, inputs, output)) return false;
  runs.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool Kernels::runAttention(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  AttentionSteps* steps = attentionSteps(layer, inputs, output);
  if (!steps) return false;
  const Dims& qd = inputs[0].dims;
  const int64_t batchHeads = qd.d[0] * qd.d[1], rows = qd.d[2], sk = inputs[2].dims.d[2];
  impl_->reserveScores(*steps);
  float* scores = impl_->scores.data();
  uint16_t* probabilitiesBf16 = steps->bf16 ? impl_->scoresBf16.data() : nullptr;
  const void* qk[2] = {inputs[0].data, inputs[1].data};
  steps->scores->execute(layer, qk, 2, scores);
  forEachRange(batchHeads, rows * sk * 16, [&](int64_t first, int64_t last) {
    float* pairs = scores + first * rows * sk;
    attentionSoftmaxRows(layer, inputs, pairs, first, last);
    // Rounded while the rows are in cache.
    if (probabilitiesBf16) narrowBf16(pairs, probabilitiesBf16 + first * rows * sk, (last - first) * rows * sk);
  });
  const void* pv[2] = {probabilitiesBf16 ? static_cast<const void*>(probabilitiesBf16) : scores, inputs[2].data};
  steps->weighted->execute(layer, pv, 2, output.data);
  runs.fetch_add(1, std::memory_order_relaxed);
  return true;
}

#ifdef TORCHTRT_ONEDNN_PLUGIN_BUILD_PATH
int64_t layerRuns() { return runs.load(std::memory_order_relaxed); }
int64_t stepsCreated() { return created.load(std::memory_order_relaxed); }
int64_t stepsAlive() { return created.load(std::memory_order_relaxed) - destroyed.load(std::memory_order_relaxed); }
#else
int64_t layerRuns() { return -1; }
int64_t stepsCreated() { return -1; }
int64_t stepsAlive() { return -1; }
#endif

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
