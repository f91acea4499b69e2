// The cache of oneDNN steps, by layer and shapes, and the dispatch to the reference kernels.
#include "backends/cpu/onednn/onednn_kernels.h"

#include <atomic>
#include <string>
#include <unordered_map>

#include "backends/cpu/onednn/onednn_step.h"
#include "oneapi/dnnl/dnnl.h"
#include "oneapi/dnnl/dnnl_version.h"

namespace trt {
namespace cpu {
namespace onednn {

struct Kernels::Impl {
  Context ctx;
  // nullptr: oneDNN declined this layer at these shapes, the reference runs it (decided once).
  std::unordered_map<std::string, std::unique_ptr<Step>> steps;
};

bool libraryIsOurs() {
  // dnnl_version() resolves like every other oneDNN call: to whichever oneDNN the process loaded first.
  const dnnl_version_t* v = dnnl_version();
  return v && v->major == DNNL_VERSION_MAJOR && v->minor == DNNL_VERSION_MINOR;
}

Kernels::Kernels() : impl_(std::make_unique<Impl>()) {}
Kernels::~Kernels() = default;

namespace {
std::atomic<int64_t> runs{0};

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

std::unique_ptr<Step> makeStep(Context& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                               const TensorView& output) {
  for (const auto& in : inputs)
    if (in.type != DataType::kFLOAT) return nullptr;
  if (output.type != DataType::kFLOAT) return nullptr;
  try {
    switch (layer.getType()) {
      case LayerType::kCONVOLUTION:
        return makeConvolution(ctx, layer, inputs, output);
      case LayerType::kMATRIX_MULTIPLY:
        return makeMatrixMultiply(ctx, layer, inputs, output);
      case LayerType::kPOOLING:
        return makePooling(ctx, layer, inputs, output);
      default:
        return nullptr;
    }
  } catch (const dnnl::error&) {
    return nullptr;  // no implementation for this case (oneDNN says "unimplemented")
  }
}
}  // namespace

bool Kernels::run(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const LayerType type = layer.getType();
  if (type != LayerType::kCONVOLUTION && type != LayerType::kMATRIX_MULTIPLY && type != LayerType::kPOOLING)
    return false;
  const std::string key = stepKey(layer, inputs, output);
  auto it = impl_->steps.find(key);
  if (it == impl_->steps.end()) it = impl_->steps.emplace(key, makeStep(impl_->ctx, layer, inputs, output)).first;
  if (!it->second) return false;
  try {
    it->second->run(impl_->ctx, inputs, output);
  } catch (const dnnl::error& e) {
    throw Error(layer.describe() + ": oneDNN failed (" + e.what() +
                "); rerun with TORCHTRT_CPU_KERNELS=reference to use the reference kernels");
  }
  runs.fetch_add(1, std::memory_order_relaxed);
  return true;
}

int64_t layerRuns() { return runs.load(std::memory_order_relaxed); }

dnnl::memory::format_tag plainTag(int rank, bool channelsLast) {
  using tag = dnnl::memory::format_tag;
  if (channelsLast) {
    switch (rank) {
      case 3:
        return tag::nwc;
      case 4:
        return tag::nhwc;
      case 5:
        return tag::ndhwc;
      default:
        break;
    }
  }
  switch (rank) {
    case 1:
      return tag::a;
    case 2:
      return tag::ab;
    case 3:
      return tag::abc;
    case 4:
      return tag::abcd;
    case 5:
      return tag::abcde;
    case 6:
      return tag::abcdef;
    default:
      return tag::undef;
  }
}

bool fusableActivation(int32_t activation, dnnl::algorithm& algorithm) {
  // Only ReLU: oneDNN's other eltwise kernels use their own approximations (within tolerance, but
  // the reference's own routine is applied after the primitive instead, keeping its exact values).
  if (activation == static_cast<int32_t>(ActivationType::kRELU)) {
    algorithm = dnnl::algorithm::eltwise_relu;
    return true;
  }
  return false;
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
