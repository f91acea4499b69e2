#include "core/conversion/conversionctx/ConversionCtx.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "core/util/atomic_file.h"

#include "core/util/macros.h"
#include "core/util/trt_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

ConversionCtx::ConversionCtx(BuilderSettings s)
    : settings(std::move(s)),
      builder(trt::createInferBuilder(util::logging::engineLogger())),
      network_owner(builder->createNetworkV2(0)),
      net(network_owner.get()),
      cfg(builder->createBuilderConfig()) {
  cfg->setBackend(settings.backend);
  if (settings.disable_tf32) cfg->clearFlag(trt::BuilderFlag::kTF32);
  if (settings.enabled_precisions.count(at::kHalf)) cfg->setFlag(trt::BuilderFlag::kFP16);
  if (settings.enabled_precisions.count(at::kBFloat16)) cfg->setFlag(trt::BuilderFlag::kBF16);
  // FP8 takes its per-tensor scales from the same calibrators (amax) as INT8.
  if (settings.enabled_precisions.count(at::kFloat8_e4m3fn)) {
    cfg->setFlag(trt::BuilderFlag::kFP8);
    cfg->setInt8Calibrator(settings.calibrator);
  }
  if (settings.enabled_precisions.count(at::kChar)) {
    cfg->setFlag(trt::BuilderFlag::kINT8);
    cfg->setInt8Calibrator(settings.calibrator);
  } else if (settings.calibrator && !settings.enabled_precisions.count(at::kFloat8_e4m3fn)) {
    LOG_WARNING("a calibrator was given but enabled_precisions has no int8: the engine is not quantized");
  }
  if (settings.debug) cfg->setFlag(trt::BuilderFlag::kDEBUG);
  if (settings.workspace_size > 0) cfg->setMemoryPoolLimit(static_cast<size_t>(settings.workspace_size));
  cfg->setAvgTimingIterations(static_cast<int32_t>(settings.num_avg_timing_iters));
  // Both shape the CUDA backend's tactic choice (cuDNN algorithms, im2col, cuBLASLt workspaces);
  // the CPU backend has one kernel per layer, so say so rather than ignore them silently.
  if (settings.backend == trt::Backend::kCPU && (settings.workspace_size > 0 || settings.num_avg_timing_iters > 1))
    LOG_WARNING(
        "workspace_size and num_avg_timing_iters shape the CUDA backend's choice of kernels; this engine "
        "targets the CPU, where each layer has one kernel, so they are recorded in the plan but change "
        "nothing");
}

ConversionCtx::~ConversionCtx() = default;

trt::ITensor* ConversionCtx::AssociateValueAndTensor(const torch::jit::Value* value, trt::ITensor* tensor) {
  TORCHTRT_CHECK(tensor, "a converter bound graph value %" << value->debugName() << " to a null tensor");
  tensor->setName(value->debugName().c_str());
  value_tensor_map[value] = tensor;
  return tensor;
}

torch::jit::IValue* ConversionCtx::AssociateValueAndIValue(const torch::jit::Value* value, torch::jit::IValue ivalue) {
  evaluated_value_map[value] = std::move(ivalue);
  return &evaluated_value_map[value];
}

trt::Weights ConversionCtx::toWeights(const at::Tensor& tensor) {
  at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
  if (t.scalar_type() == at::kDouble) t = t.to(at::kFloat);
  kept_alive.push_back(t);
  return trt::Weights{util::ScalarTypeToTRTDataType(t.scalar_type()), t.data_ptr(), t.numel()};
}

trt::ITensor* ConversionCtx::constantTensor(const at::Tensor& tensor, const std::string& name) {
  at::Tensor t = tensor.detach().to(at::kCPU).contiguous();
  if (t.scalar_type() == at::kDouble) t = t.to(at::kFloat);
  // Integer constants are usually indices or shapes, which int32 holds and every kernel takes; values
  // past int32 (a masked reduction's fill of INT64_MAX) stay int64, which is what PyTorch computes in.
  if (t.scalar_type() == at::kLong &&
      (t.numel() == 0 || (t.max().item<int64_t>() <= INT32_MAX && t.min().item<int64_t>() >= INT32_MIN)))
    t = t.to(at::kInt);
  // The network shares the tensor's memory instead of copying it (for a model's weights, the frozen
  // module's own tensors): a compile does not hold them twice. Only a tensor that is its whole storage:
  // backends key a constant's device copy by its host address, and a slice starting at a weight's
  // first byte (W[:k]) must not share the weight's copy.
  if (t.storage_offset() != 0 || t.nbytes() != t.storage().nbytes()) t = t.clone();
  return lentConstant(t, util::ScalarTypeToTRTDataType(t.scalar_type()), name);
}

trt::ITensor* ConversionCtx::lentConstant(const at::Tensor& t, trt::DataType type, const std::string& name) {
  auto owner = std::make_shared<const at::Tensor>(t);
  auto* layer = net->addConstant(util::toDims(t.sizes()), trt::Weights{type, t.data_ptr(), t.numel()},
                                 std::shared_ptr<const void>(owner, t.data_ptr()));
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* ConversionCtx::constantBytes(const at::Tensor& bytes, trt::DataType type, const std::string& name) {
  TORCHTRT_CHECK(bytes.element_size() == 1 && trt::dataTypeSize(type) == 1,
                 "constantBytes takes one-byte elements of a one-byte engine type (" << name << ")");
  // Its own storage, shared with the network.
  return lentConstant(bytes.detach().to(at::kCPU).contiguous().clone(), type, name);
}

std::unique_ptr<trt::ITimingCache> readTimingCacheFile(const BuilderSettings& settings, trt::IBuilderConfig& cfg) {
  if (settings.timing_cache_path.empty() || settings.backend != trt::Backend::kCUDA) return nullptr;
  std::vector<char> bytes;
  std::ifstream in(settings.timing_cache_path, std::ios::binary);
  if (in) bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  std::unique_ptr<trt::ITimingCache> cache;
  try {
    cache.reset(cfg.createTimingCache(bytes.data(), bytes.size()));
  } catch (const trt::Error& e) {
    TORCHTRT_THROW_ERROR("timing cache file '" << settings.timing_cache_path << "': " << e.what());
  }
  return cache;
}

void checkTimingCacheFile(const BuilderSettings& settings) {
  if (settings.timing_cache_path.empty() || settings.backend != trt::Backend::kCUDA) return;
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(util::logging::engineLogger()));
  std::unique_ptr<trt::IBuilderConfig> cfg(builder->createBuilderConfig());
  readTimingCacheFile(settings, *cfg);
}

std::unique_ptr<trt::ITimingCache> ConversionCtx::readTimingCache() {
  std::unique_ptr<trt::ITimingCache> cache = readTimingCacheFile(settings, *cfg);
  if (!cache) return nullptr;
  LOG_INFO("timing cache '" << settings.timing_cache_path << "': " << cache->size() << " entries read");
  cfg->setTimingCache(*cache, false);
  return cache;
}

void ConversionCtx::writeTimingCache(const trt::ITimingCache& cache) {
  std::unique_ptr<trt::IHostMemory> bytes(cache.serialize());
  util::writeFileAtomically(settings.timing_cache_path, [&](std::ostream& out) {
    out.write(static_cast<const char*>(bytes->data()), static_cast<std::streamsize>(bytes->size()));
  });
  LOG_INFO("timing cache '" << settings.timing_cache_path << "': " << cache.size() << " entries written");
}

void ConversionCtx::dropInt8WithoutQuantizations() {
  if (cfg->getFlag(trt::BuilderFlag::kINT8) && !settings.calibrator && emulated_fake_quantize > 0) {
    bool quantizes = false;
    for (int32_t l = 0; l < net->getNbLayers(); ++l)
      quantizes |= net->getLayer(l)->getType() == trt::LayerType::kQUANTIZE;
    if (!quantizes) {
      LOG_WARNING("enabled_precisions contains int8, but every fake-quantize node of this engine ("
                  << emulated_fake_quantize
                  << ") has a range the engine's INT8 cannot run (its INT8 is symmetric: zero point 0, range "
                     "[-128, 127]); they are computed exactly in floating point and the engine has no INT8 layers");
      cfg->clearFlag(trt::BuilderFlag::kINT8);
    }
  }
}

std::string ConversionCtx::DescribeOptimizedEngine() {
  layers_before_build = net->getNbLayers();
  dropInt8WithoutQuantizations();
  return builder->describeOptimizedNetwork(*net, *cfg);
}

std::string ConversionCtx::SerializeEngine() {
  layers_before_build = net->getNbLayers();
  dropInt8WithoutQuantizations();
  std::unique_ptr<trt::ITimingCache> timing_cache = readTimingCache();
  std::unique_ptr<trt::IHostMemory> plan(builder->buildSerializedNetwork(*net, *cfg));
  if (timing_cache) writeTimingCache(*timing_cache);
  const trt::BuildReport& report = builder->lastReport();
  layers_after_build = report.layersAfter;
  // Build progress (shown at the default level; torch_tensorrt.logging.set_progress(False) hides it).
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(3);
  os << "builder passes: " << report.passesMs / 1000 << " s (" << report.layersBefore << " -> " << report.layersAfter
     << " layers)";
  util::logging::progress(os.str());
  if (report.tacticTimingRuns > 0 || report.tacticTimingMs > 0) {
    os.str("");
    os << "tactic timing: " << report.tacticTimingMs / 1000 << " s (" << report.tacticTimingRuns << " timed runs)";
    util::logging::progress(os.str());
  }
  os.str("");
  os << "serialization: " << report.serializationMs / 1000 << " s (" << plan->size() << " bytes)";
  util::logging::progress(os.str());
  return std::string(static_cast<const char*>(plan->data()), plan->size());
}

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
