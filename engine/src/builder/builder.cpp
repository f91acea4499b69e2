#include <chrono>
#include <cstdlib>
#include <functional>
#include <set>
#include <sstream>

#include "backends/backend.h"
#include "builder/builder_impl.h"
#include "builder/calibration/calibration.h"
#include "builder/fp8_check.h"
#include "builder/passes/passes.h"
#include "builder/tactic_tuning.h"
#include "plan/plan.h"
#include "runtime/inspector.h"
#include "trt/builder.h"

namespace trt {

const char* backendName(Backend backend) {
  switch (backend) {
    case Backend::kCPU:
      return "cpu";
    case Backend::kCUDA:
      return "cuda";
  }
  return "unknown";
}

INetworkDefinition* Builder::createNetworkV2(uint32_t) { return new INetworkDefinition(); }
IBuilderConfig* Builder::createBuilderConfig() { return new IBuilderConfig(); }
IOptimizationProfile* Builder::createOptimizationProfile() {
  profiles_.push_back(std::make_unique<IOptimizationProfile>());
  return profiles_.back().get();
}

namespace {
// Each dynamic input needs a range in every profile, and each range must fit the input.
void checkProfiles(const INetworkDefinition& net, const IBuilderConfig& config) {
  bool anyDynamic = false;
  for (int i = 0; i < net.getNbInputs(); ++i) anyDynamic |= !net.getInput(i)->getDimensions().isStatic();
  if (anyDynamic && config.getNbOptimizationProfiles() == 0) {
    throw Error(
        "the network has dynamic input dimensions but the config has no optimization profile; add one with min/opt/max "
        "for each dynamic input");
  }
  for (int p = 0; p < config.getNbOptimizationProfiles(); ++p) {
    const auto& profile = config.getOptimizationProfile(p);
    for (const auto& range : OptimizationProfileState::of(profile).ranges) {
      const ITensor* input = nullptr;
      for (int i = 0; i < net.getNbInputs(); ++i)
        if (range.name == net.getInput(i)->getName()) input = net.getInput(i);
      if (!input)
        throw Error("optimization profile " + std::to_string(p) + " names '" + range.name +
                    "', which is not a network input");
      Dims declared = input->getDimensions();
      for (int s = 0; s < 3; ++s) {
        const Dims& d = range.dims[s];
        if (d.nbDims != declared.nbDims)
          throw Error("optimization profile " + std::to_string(p) + ": input '" + range.name + "' has rank " +
                      std::to_string(declared.nbDims) + " but the profile gives " + d.str());
        for (int k = 0; k < d.nbDims; ++k)
          if (declared.d[k] >= 0 && d.d[k] != declared.d[k])
            throw Error("optimization profile " + std::to_string(p) + ": input '" + range.name + "' dimension " +
                        std::to_string(k) + " is static (" + std::to_string(declared.d[k]) +
                        ") but the profile gives " + d.str());
      }
    }
    for (int i = 0; i < net.getNbInputs(); ++i) {
      const ITensor* input = net.getInput(i);
      if (!input->getDimensions().isStatic() &&
          profile.getDimensions(input->getName(), OptProfileSelector::kMIN).nbDims < 0)
        throw Error("optimization profile " + std::to_string(p) + " has no range for dynamic input '" +
                    input->getName() + "' " + input->getDimensions().str());
    }
  }
}

// The pass names in TORCHTRT_SKIP_PASSES (comma separated, spaces around each name ignored); empty when unset.
std::set<std::string> passesToSkip() {
  std::set<std::string> names;
  const char* v = std::getenv("TORCHTRT_SKIP_PASSES");
  std::stringstream list(v ? v : "");
  for (std::string name; std::getline(list, name, ',');) {
    const size_t first = name.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    names.insert(name.substr(first, name.find_last_not_of(' ') - first + 1));
  }
  return names;
}
}  // namespace

PlanContents Builder::optimize(INetworkDefinition& network, IBuilderConfig& config, bool preview) {
  report_ = BuildReport{};
  network.validate();
  checkProfiles(network, config);
  const bool int8 = config.getFlag(BuilderFlag::kINT8);
  if (int8 && !config.getInt8Calibrator()) {
    bool quantized = false;
    for (int l = 0; l < network.getNbLayers(); ++l) quantized |= network.getLayer(l)->getType() == LayerType::kQUANTIZE;
    if (!quantized)
      throw Error(
          "INT8 is enabled (BuilderFlag::kINT8; enabled_precisions contains int8) but the network has no "
          "Quantize/Dequantize layers (a quantization-aware model's fake-quantize nodes) and the config has no INT8 "
          "calibrator: pass a calibrator (torch_tensorrt.ptq.DataLoaderCalibrator or CacheCalibrator, C++ "
          "torch_tensorrt::ptq::make_int8_calibrator), compile a quantization-aware model, or drop int8");
  }
  PlanContents settings;
  settings.backend = config.getBackend();
  if (settings.backend == Backend::kCUDA && !cudaExecutionBackend())
    throw Error(
        "the config targets the cuda backend, which this build of the engine does not include (configure with "
        "TORCHTRT_CUDA=ON)");
  const ExecutionBackend& backend = executionBackend(settings.backend);
  if (preview)
    backend.describePreviewTarget(settings);
  else
    backend.describeTarget(settings);
  const bool fp8 = config.getFlag(BuilderFlag::kFP8);
  // FP8 layers the network has already: a quantization-aware model's FP8 quantizations, torch._scaled_mm's products.
  bool fp8Quantizations = false, fp8Products = false;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    const ILayer* layer = network.getLayer(l);
    fp8Quantizations |= layer->getType() == LayerType::kQUANTIZE &&
                        static_cast<const IQuantizeLayer*>(layer)->getToType() == DataType::kFP8;
    fp8Products |=
        layer->getType() == LayerType::kMATRIX_MULTIPLY && static_cast<const IMatrixMultiplyLayer*>(layer)->isFp8();
  }
  if (fp8 || fp8Products) {
    Fp8Target target{settings.backend, settings.smMajor, settings.smMinor, config.getInt8Calibrator() != nullptr};
    target.hasQuantizeLayers = fp8Quantizations || fp8Products;
    checkFp8Target(target);
    if (settings.backend == Backend::kCPU)
      logger_.log(ILogger::Severity::kWARNING,
                  "FP8 on the cpu backend is emulated: inputs and weights are rounded to E4M3 as a GPU's FP8 "
                  "products round them and multiplied in float32, to check an FP8 engine's accuracy without the GPU; "
                  "it is slower than float32, not faster");
  }
  settings.builderFlags = config.getFlags();
  settings.workspaceLimit = config.getMemoryPoolLimit();
  settings.timingIterations = config.getAvgTimingIterations();
  for (int p = 0; p < config.getNbOptimizationProfiles(); ++p)
    settings.profiles.push_back(config.getOptimizationProfile(p));
  // Work on a copy (a plan round trip), so the caller's network is untouched. The copy shares the
  // weights instead of copying them (passes that change weights make new constants): a copy would hold
  // them once more until the end of the build.
  std::unique_ptr<PlanContents> work;
  {
    std::vector<SharedBytes> weights;
    const std::vector<uint8_t> initial = writePlan(network, settings, &weights);
    work = readPlan(initial.data(), initial.size(), &weights);
  }
  INetworkDefinition& net = *work->network;
  report_.layersBefore = net.getNbLayers();
  // TORCHTRT_SKIP_PASSES (a diagnostic for A/B timing of one pass's effect on a network): the passes named, comma
  // separated as in the builder's verbose log ("few-channel padding,excitation gate folding"), do not run: the engine
  // is built from the network without their rewrites.
  std::set<std::string> skipped = passesToSkip();
  std::set<std::string> unmatched = skipped;
  if (skipped.count("precision assignment (casts added)"))
    throw Error(
        "TORCHTRT_SKIP_PASSES names 'precision assignment (casts added)', which cannot be skipped: every "
        "layer's precision comes from it; remove it from the list");
  if (!skipped.empty()) {
    std::string names;
    for (const std::string& name : skipped) names += (names.empty() ? "" : ", ") + name;
    logger_.log(ILogger::Severity::kWARNING, ("TORCHTRT_SKIP_PASSES: not running " + names).c_str());
  }
  auto runPass = [&](const char* name, const std::function<int32_t(INetworkDefinition&)>& pass) {
    if (skipped.count(name)) {
      unmatched.erase(name);
      return 0;
    }
    auto start = std::chrono::steady_clock::now();
    int32_t changed = pass(net);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    report_.passesMs += ms;
    if (changed > 0) {
      std::ostringstream os;
      os << name << ": " << changed << " layer(s) changed in " << ms << " ms";
      report_.passLog.push_back(os.str());
      logger_.log(ILogger::Severity::kVERBOSE, os.str().c_str());
    }
    return changed;
  };
  runPass("constant folding", passes::foldConstants);
  runPass("dead-layer removal", passes::removeDeadLayers);
  if (runPass("shuffle folding", passes::foldShuffles) > 0) runPass("dead-layer removal", passes::removeDeadLayers);
  // After constant folding, which makes a traced default mask's condition one constant.
  if (runPass("uniform select folding", passes::foldUniformSelects) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  if (runPass("tiling slices as a transpose", passes::foldTilingSliceConcatenations) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Each fold leaves the folded layer dead, which hides the next fold (batch norm's add after
  // its multiply) until dead layers are gone: repeat until nothing folds.
  for (int round = 0; round < 8 && runPass("convolution scale folding", passes::foldConvolutionScale) > 0; ++round)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // INT8 from a quantization-aware model's Q/DQ pairs, once the weights are final.
  std::vector<std::string> offGrid;
  if (int8 &&
      runPass("Q/DQ fusion", [&](INetworkDefinition& n) { return passes::fuseQuantizedLayers(n, &offGrid); }) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  if (!offGrid.empty()) {
    std::string message = std::to_string(offGrid.size()) +
                          " INT8 layer(s) read a quantized input, but their weights lie on no INT8 grid (not "
                          "fake-quantized per output channel or per tensor): they are quantized per output channel "
                          "(max |w| / 127), so these layers differ from the model by the weights' rounding; "
                          "fake-quantize the weights for exact results: " +
                          offGrid.front() + (offGrid.size() > 1 ? ", ..." : "");
    logger_.log(ILogger::Severity::kWARNING, message.c_str());
  }
  // A quantization-aware model's FP8 scales into its quantizations (exact, in any build).
  if (runPass("FP8 quantization scale folding", passes::foldFp8QuantizationScales) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Sibling products stack where the backend's GEMMs gain by it, and not in INT8 builds, whose calibration gives
  // each of a product's N columns its own weight scale (an FP8 product's one weight scale covers its stack's P
  // matrices: one strided GEMM, canRunInFp8). Not in FP8 builds without a calibrator either, nor in those of a
  // quantization-aware model (FP8 quantizations of its own): its FP8 products come from each product's own
  // dequantized input (FP8 Q/DQ fusion, below), which a stack would read through a view.
  const bool stacks =
      backend.stacksSiblingProducts() && !int8 && !(fp8 && (!config.getInt8Calibrator() || fp8Quantizations));
  // Fusions, in this order (each leaves the fused layers dead; their removal lets the next one see
  // single-use tensors): residual before activation, so relu(conv + r) folds whole; a product's scale
  // before its bias, whose add the scale precedes; activation last, after the bias it follows.
  const std::pair<const char*, std::function<int32_t(INetworkDefinition&)>> fusions[] = {
      {"gated activation fusion", passes::fuseGatedActivation},  // SiLU first, so it can join a convolution
      {"tanh GELU fusion", passes::fuseTanhGelu},  // before activation fusion, which may fold it into a product
      {"RMS normalization fusion", passes::fuseRmsNormalization},
      {"convolution+residual fusion", passes::fuseConvolutionResidual},
      {"normalization+residual fusion", passes::fuseNormalizationResidual},
      {"windowed attention bias", passes::foldWindowedAttentionBias},               // before its sum joins the softmax
      {"masked fill as an additive mask", passes::foldMaskedFillIntoAdditiveMask},  // its sum joins the softmax next
      {"softmax+mask fusion", passes::fuseSoftMaxMask},
      {"matrix multiply+scale fusion", passes::fuseMatrixMultiplyScale},
      {"attention fusion", passes::fuseAttention},  // after the mask and scale folds, before a bias joins P V
      {"inert attention mask removal", passes::removeInertAttentionMasks},
      {"attention query scale folding", passes::foldAttentionQueryScale},
      {"windowed attention per window",  // where the layout pass can then read its tensors through strides
       [&](INetworkDefinition& n) {
         return backend.readsSequenceMajorAttention() ? passes::regroupWindowedAttention(n) : 0;
       }},
      {"matrix multiply+bias fusion", passes::fuseMatrixMultiplyBias},
      // After the bias (which the scale multiplies too), before the residual (which it does not).
      {"matrix multiply column scale folding", passes::foldMatrixMultiplyColumnScale},
      // Its residual add fuses next. Not in INT8 or FP8 builds: calibration measures the product's input, which
      // a crop among the moved layers would change.
      {"row order before products",
       [&](INetworkDefinition& n) { return int8 || fp8 ? 0 : passes::moveRowOrderBeforeProducts(n); }},
      // After the bias (which comes first in the epilogue) and after normalization+residual, which takes a
      // post-norm block's sum whole; before activation, so act(A.B + b + r) folds too.
      {"matrix multiply+residual fusion", passes::fuseMatrixMultiplyResidual},
      // After the products' and convolutions' own folds, which take their scales and biases first.
      {"per-channel affine fusion", passes::fuseChannelAffine},
      {"activation fusion",
       [&](INetworkDefinition& n) {
         return passes::fuseActivation(n, [&](ActivationType t) { return backend.fusesMatrixMultiplyActivation(t); });
       }},
      // Last: the stacked products keep what the fusions folded into them.
      {"sibling product stacking", [&](INetworkDefinition& n) { return stacks ? passes::stackSiblingProducts(n) : 0; }},
      {"column-sliced product stacking",
       [&](INetworkDefinition& n) { return stacks ? passes::stackColumnSlicedProducts(n) : 0; }},
      {"head-split product stacking",
       [&](INetworkDefinition& n) { return stacks ? passes::stackHeadSplitProducts(n) : 0; }},
  };
  for (const auto& fusion : fusions)
    if (runPass(fusion.first, fusion.second) > 0) runPass("dead-layer removal", passes::removeDeadLayers);
  // FP8 products from a quantization-aware model's FP8 dequantizations, once fusions gave them their biases.
  if (fp8 && runPass("FP8 Q/DQ fusion", passes::fuseFp8QuantizedProducts) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // INT8 for the remaining FP32 convolutions and products from calibration, once fusions fixed what they read.
  // Calibration runs the network on the backend's device, which a preview must not need (or use).
  if (preview && (int8 || fp8) && config.getInt8Calibrator())
    throw Error(
        "describeOptimizedNetwork cannot preview a build that calibrates (INT8 or FP8 with a calibrator): "
        "calibration runs the network on the backend's device; preview without the calibrator (the layers before "
        "quantization) or build the engine");
  if ((int8 || fp8) && config.getInt8Calibrator()) {
    const auto calibrate = [&](INetworkDefinition& n) {
      return calibration::calibrate(n, settings, *config.getInt8Calibrator(), logger_, int8, fp8,
                                    [&](const IConvolutionLayer& conv) { return backend.quantizesConvolution(conv); });
    };
    // INT8 and FP8 products read new quantized constants: their float weights die.
    if (runPass(fp8 ? "FP8/INT8 calibration" : "INT8 calibration", calibrate) > 0)
      runPass("dead-layer removal", passes::removeDeadLayers);
    // A stack's float view of its input dies when it reads the codes through its own (passes.h).
    if (fp8 && runPass("FP8 input sharing", passes::shareFp8Quantization) > 0)
      runPass("dead-layer removal", passes::removeDeadLayers);
  }
  // The FP8 codes of act(x) in one kernel (the FFN's GELU before its second product), wherever a quantization to
  // FP8 reads an activation alone.
  if (runPass("activation+FP8 quantization fusion", passes::fuseActivationIntoFp8Quantize) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  const auto moveFp8Activation = [&](INetworkDefinition& n) {
    return passes::moveFp8ProductActivationIntoQuantize(
        n, [&](ActivationType type) { return backend.fusesFp8MatrixMultiplyActivation(type); });
  };
  runPass("FP8 product activation into its quantization", moveFp8Activation);
  // Last, so the folds above see the network's own types; the casts of constants it adds fold away.
  // FP16 (kFP16) or BF16 (kBF16) where a layer has a kernel for it; with both flags FP16, whose
  // 11-bit significand keeps more of each value (BF16 trades precision for FP32's range).
  const DataType reduced = config.getFlag(BuilderFlag::kFP16)   ? DataType::kHALF
                           : config.getFlag(BuilderFlag::kBF16) ? DataType::kBF16
                                                                : DataType::kFLOAT;
  std::vector<std::string> pinNotes;
  auto precision = [&](INetworkDefinition& n) {
    return passes::assignPrecision(n, settings.backend, reduced,
                                   config.getFlag(BuilderFlag::kOBEY_PRECISION_CONSTRAINTS), pinNotes);
  };
  const int32_t casts = runPass("precision assignment (casts added)", precision);
  for (const std::string& note : pinNotes) logger_.log(ILogger::Severity::kWARNING, note.c_str());
  if (casts > 0) {
    runPass("constant folding", passes::foldConstants);
    runPass("dead-layer removal", passes::removeDeadLayers);
  }
  // After precision (the product's float type is the one its codes are rounded through): an FP8 product writes the
  // codes the quantization that alone reads it would write (BERT's FFN up-projection, for its down-projection).
  const auto fp8Codes = [&](INetworkDefinition& n) {
    return passes::foldFp8QuantizeIntoProduct(n, [&](const IMatrixMultiplyLayer& mm, int32_t activation) {
      return backend.writesFp8ProductCodes(mm, activation);
    });
  };
  runPass("quantization+FP8 product fusion", fp8Codes);
  // After precision (it picks FP16 convolutions); transposes of constants fold away.
  const auto channelsLast = [&](INetworkDefinition& n) {
    return passes::useChannelsLast(
        n, [&](DataType type) { return backend.prefersChannelsLast(type); }, backend.channelsLastMinConvolutions(),
        [&](const IConvolutionLayer& conv) { return backend.runsInt8ConvolutionChannelsLast(conv); });
  };
  if (runPass("channels-last layout", channelsLast) > 0) {
    runPass("constant folding", passes::foldConstants);
    runPass("shuffle folding", passes::foldShuffles);  // region borders next to the network's own transposes
    runPass("dead-layer removal", passes::removeDeadLayers);
  }
  // After the layout (INT8 convolutions join regions there): INT8 codes between INT8 convolutions.
  const auto shareInt8 = [&](INetworkDefinition& n) {
    return passes::shareInt8ConvolutionQuantization(
        n, [&](const IConvolutionLayer& conv) { return backend.readsInt8ConvolutionCodes(conv); });
  };
  if (runPass("INT8 convolution input sharing", shareInt8) > 0) {
    const auto foldInt8 = [&](INetworkDefinition& n) {
      return passes::foldQuantizeIntoInt8Convolution(
          n, [&](const IConvolutionLayer& conv) { return backend.writesInt8ConvolutionCodes(conv); },
          [&](const IConvolutionLayer& conv) { return backend.readsInt8ConvolutionResidualCodes(conv); });
    };
    if (runPass("quantization+INT8 convolution fusion", foldInt8) > 0)
      runPass("dead-layer removal", passes::removeDeadLayers);
  }
  // After the layout, whose region borders a concatenation and its scale take part in separately.
  if (runPass("concatenation+scale fusion", passes::foldConcatenationIntoScale) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Again after the layout: a product's residual add that a model's permute separated from it (ConvNeXt's MLP
  // output permuted back to [N, C, H, W] before the block's residual add) reads the product directly once the
  // permute and the region's transpose have cancelled.
  if (runPass("matrix multiply+residual fusion (after the layout)", passes::fuseMatrixMultiplyResidual) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Squeeze-and-excitation gates into the projections after them (channels-last convolutions only).
  if (runPass("excitation gate folding", passes::foldExcitationGates) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Chains of shuffles that read memory in order (a region's exit transpose, a model's flatten and its permute
  // back) as one view, once the layout placed its transposes and the fusions matched the converters' shuffles.
  if (runPass("shuffle chains as views", passes::foldShufflesIntoViews) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Last: the permutes it removes are final once precision and layout have placed their casts.
  if (backend.readsSequenceMajorAttention() && runPass("attention layout", passes::foldAttentionLayouts) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Last: the views and the attention's strides have taken what they can; what still copies rows twice or more
  // in a row becomes one gather.
  if (backend.gathersRowMoves() && runPass("row mover gathering", passes::gatherRowMoverChains) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // After every pass that matches shuffles by their types: the transposes left copying take their casts.
  if (runPass("cast+transpose fusion", passes::fuseCastTranspose) > 0)
    runPass("dead-layer removal", passes::removeDeadLayers);
  // Last: no later pass meets a padded transpose.
  if (backend.readsFourChannelImages()) runPass("few-channel padding", passes::padFewChannelConvolutionInputs);
  for (const std::string& name : unmatched)
    logger_.log(ILogger::Severity::kWARNING,
                ("TORCHTRT_SKIP_PASSES: no pass named '" + name +
                 "' ran in this build (names as in the builder's verbose log, e.g. 'few-channel padding')")
                    .c_str());
  net.validate();
  report_.layersAfter = net.getNbLayers();
  settings.network = std::move(work->network);
  return settings;
}

IHostMemory* Builder::buildSerializedNetwork(INetworkDefinition& network, IBuilderConfig& config) {
  PlanContents settings = optimize(network, config, false);
  const INetworkDefinition& net = *settings.network;
  const ExecutionBackend& backend = executionBackend(settings.backend);
  // Tactics are timed here, once, and stored in the plan: a loaded engine never times. The tuning run's
  // engine is a copy of the network that shares its weights.
  if (backend.timesTactics(net) && !config.getFlag(BuilderFlag::kSKIP_TACTIC_TIMING)) {
    const auto start = std::chrono::steady_clock::now();
    ITimingCache::Entries* timingCache = nullptr;
    if (ITimingCache* cache = config.getTimingCache()) {
      TimingCacheState& state = TimingCacheState::of(*cache);
      const bool mine =
          state.device == settings.deviceName && state.smMajor == settings.smMajor && state.smMinor == settings.smMinor;
      if (state.device.empty() && state.entries.empty()) {
        state.device = settings.deviceName;
        state.smMajor = settings.smMajor;
        state.smMinor = settings.smMinor;
        timingCache = &state.entries;
      } else if (mine) {
        timingCache = &state.entries;
      } else if (!config.getTimingCacheIgnoreMismatch()) {
        throw Error("the timing cache was made on " + state.device + " (sm_" + std::to_string(state.smMajor) +
                    std::to_string(state.smMinor) + "), not this " + settings.deviceName +
                    "; use a cache file of this GPU, or pass ignoreMismatch to build without it");
      }
    }
    std::vector<SharedBytes> weights;
    const std::vector<uint8_t> tuning = writePlan(net, settings, &weights);
    settings.tactics =
        tuneTactics(readPlan(tuning.data(), tuning.size(), &weights), logger_, report_.tacticTimingRuns, timingCache);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    report_.tacticTimingMs = ms;
    std::ostringstream os;
    os << "tactic timing: " << settings.tactics.size() << " tactic(s) chosen in " << ms << " ms";
    report_.passLog.push_back(os.str());
    logger_.log(ILogger::Severity::kVERBOSE, os.str().c_str());
  }
  const auto serializeStart = std::chrono::steady_clock::now();
  std::vector<uint8_t> plan = writePlan(net, settings);
  report_.serializationMs +=
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - serializeStart).count();
  return new HostMemory(std::move(plan));
}

IBuilder* createInferBuilder(ILogger& logger) { return new Builder(logger); }

std::string Builder::describeOptimizedNetwork(INetworkDefinition& network, IBuilderConfig& config) {
  const PlanContents optimized = optimize(network, config, true);
  return inspectorJson(optimized, {}, nullptr);
}

}  // namespace trt
