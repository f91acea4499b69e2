#include <cmath>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "backends/half_support.h"
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/half.h"
#include "layers/layer_util.h"
#include "network/computed_precision.h"
#include "network/network_impl.h"

namespace trt {
namespace passes {

namespace {
const char* shortName(DataType t) { return t == DataType::kHALF ? "fp16" : t == DataType::kBF16 ? "bf16" : "fp32"; }

// An Identity layer casting `t` to `type`, appended to the network.
ILayer* addCast(INetworkDefinition& net, ITensor& t, DataType type) {
  IIdentityLayer* cast = net.addIdentity(t);
  cast->setOutputType(0, type);
  cast->setName((std::string(t.getName()) + " to " + shortName(type) + " [precision]").c_str());
  return cast;
}

// Casts of a tensor, made once and shared by every layer that needs the tensor in that type.
class CastCache {
 public:
  explicit CastCache(INetworkDefinition& net) : net_(net) {}
  // `t` as `type`, computed by an Identity layer placed just before `consumer`.
  ITensor* get(ITensor* t, DataType type, ILayer* consumer) {
    auto key = std::make_pair(t, type);
    auto it = casts_.find(key);
    if (it != casts_.end()) return it->second;
    ILayer* cast = addCast(net_, *t, type);
    net_.moveLayer(cast, net_.indexOf(consumer));
    ++added_;
    return casts_[key] = cast->getOutput(0);
  }
  // `t` (float32) as the 16-bit `type`, its finite values beyond the type's range clipped to its largest finite ones
  // first (NaN stays NaN): for a layer computed in float32 because of a constant the type cannot hold, whose results
  // (a mask of torch.finfo(torch.float32).min) would become infinities, and a softmax row of them NaN, where the
  // float32 model stays finite.
  ITensor* getSaturated(ITensor* t, DataType type, ILayer* consumer) {
    auto key = std::make_pair(t, type);
    auto it = saturated_.find(key);
    if (it != saturated_.end()) return it->second;
    const float largest = type == DataType::kBF16 ? bf16ToFloat(0x7F7F) : kHalfLargest;
    IActivationLayer* clip = net_.addActivation(*t, ActivationType::kCLIP);
    clip->setAlpha(-largest);
    clip->setBeta(largest);
    clip->setPrecision(DataType::kFLOAT);
    clip->setName((std::string(t->getName()) + " within " + shortName(type) + "'s range [precision]").c_str());
    net_.moveLayer(clip, net_.indexOf(consumer));
    ILayer* cast = addCast(net_, *clip->getOutput(0), type);
    net_.moveLayer(cast, net_.indexOf(consumer));
    added_ += 2;
    return saturated_[key] = cast->getOutput(0);
  }
  int32_t added() const { return added_; }

 private:
  struct KeyHash {
    size_t operator()(const std::pair<ITensor*, DataType>& k) const {
      return std::hash<ITensor*>()(k.first) * 31 + static_cast<size_t>(k.second);
    }
  };
  INetworkDefinition& net_;
  std::unordered_map<std::pair<ITensor*, DataType>, ITensor*, KeyHash> casts_, saturated_;
  int32_t added_ = 0;
};
// The floating type `layer` computes in: its pin (ILayer::setPrecision) where the backend can honour
// it, else the reduced type where the backend has a kernel for it, else FP32. A pin that cannot be
// honoured refuses the build under `obeyPins`, else it is noted and the layer takes the default rule.
DataType chooseFloatPrecision(const ILayer& layer, Backend backend, DataType wanted, bool obeyPins,
                              std::vector<std::string>& notes) {
  // An INT8 layer pinned to INT8 was honoured by the INT8 passes; its float inputs take the default rule.
  const bool int8Honoured = (layer.getPrecision() == DataType::kINT8 || layer.getPrecision() == DataType::kFP8) &&
                            computedPrecision(layer) == layer.getPrecision();
  if (layer.precisionIsSet() && !int8Honoured) {
    const DataType pin = layer.getPrecision();
    std::string why;
    if (pin == DataType::kFLOAT) return DataType::kFLOAT;
    if (isFloating(pin)) {
      if (backendComputesIn(backend, layer, pin)) return pin;
      why = std::string("the ") + backendName(backend) + " backend has no " + dataTypeName(pin) + " kernel for it";
    } else {
      why = pin == DataType::kINT8
                ? "INT8 is chosen by the INT8 passes (BuilderFlag::kINT8 and a scale), which left it in float"
            : pin == DataType::kFP8
                ? "FP8 is chosen by FP8 calibration (BuilderFlag::kFP8 and a calibrator; products by constant weights "
                  "only), which left it in float"
                : std::string("layers do not compute in ") + dataTypeName(pin) + " in this build";
    }
    const std::string message = layer.describe() + ": pinned to " + dataTypeName(pin) + " (setPrecision), but " + why;
    if (obeyPins)
      throw Error(message +
                  "; BuilderFlag::kOBEY_PRECISION_CONSTRAINTS refuses to fall back: pin it to another type, or "
                  "use kPREFER_PRECISION_CONSTRAINTS to let the builder choose");
    notes.push_back(message + "; the builder chose the precision instead");
  }
  const bool capable = wanted != DataType::kFLOAT && backendComputesIn(backend, layer, wanted);
  return capable ? wanted : DataType::kFLOAT;
}
// Whether `t` is a small float32 constant (a scalar or a few broadcast values: x / 1e5, m * -1e9) holding a value
// the 16-bit `type` cannot: for float16 one beyond its largest (65504, which would become inf) or a nonzero one below
// its smallest normal (2^-14, which would lose its digits or become 0); for bfloat16 (float32's exponents) a finite
// one that rounds to inf (float32's largest, torch.finfo(torch.float32).min in a mask: 0 * -inf gave NaN). PyTorch
// computes a 16-bit tensor with such a scalar in float and rounds the result once; a 16-bit layer would round the
// constant first (x / 1e5 gave 0, (x * 1e-8) * 1e8 NaN). Weight tensors (many values) are left to the 16-bit rule.
bool holdsValue16BitCannot(const ITensor* t, DataType type) {
  constexpr int64_t kFewValues = 64;
  const IConstantLayer* c = passes::constantProducer(t);
  if (!c || c->getWeights().type != DataType::kFLOAT || c->getWeights().count > kFewValues) return false;
  const auto* v = static_cast<const float*>(c->getWeights().values);
  for (int64_t i = 0; i < c->getWeights().count; ++i) {
    const float a = std::fabs(v[i]);  // NaN and inf stay themselves
    if (type == DataType::kBF16 ? std::isfinite(a) && std::isinf(bf16ToFloat(floatToBf16(a)))
                                : a > kHalfLargest || (a != 0.f && a < kHalfSmallestNormal))
      return true;
  }
  return false;
}
}  // namespace

int32_t assignPrecision(INetworkDefinition& net, Backend backend, DataType reduced, bool obeyPins,
                        std::vector<std::string>& notes) {
  std::vector<DataType> outputTypes;
  for (int i = 0; i < net.getNbOutputs(); ++i) outputTypes.push_back(net.getOutput(i)->getType());
  std::vector<ILayer*> layers;
  for (int l = 0; l < net.getNbLayers(); ++l) layers.push_back(net.getLayer(l));

  // The network re-infers every type on each query, and a half-rewritten network is inconsistent
  // downstream of the layer being rewritten; so the pass tracks types itself, layer by layer.
  std::unordered_map<const ITensor*, TensorDesc> desc;
  for (int i = 0; i < net.getNbInputs(); ++i)
    desc[net.getInput(i)] = {net.getInput(i)->getDimensions(), net.getInput(i)->getType()};
  for (ILayer* layer : layers)
    desc[layer->getOutput(0)] = {layer->getOutput(0)->getDimensions(), layer->getOutput(0)->getType(),
                                 layer->getOutput(0)->getShapeValues()};

  // The types before the pass: a tensor that is 16-bit only because a pinned layer computes it so
  // does not make its readers count as the network's own 16-bit computation.
  std::unordered_map<const ITensor*, DataType> declared;
  for (const auto& d : desc) declared[d.first] = d.second.type;

  CastCache casts(net);
  std::unordered_set<const ITensor*> beyond16Bit;  // outputs of layers kept in FP32 for a constant's range
  for (ILayer* layer : layers) {
    std::vector<TensorDesc> ins;
    for (int i = 0; i < layer->getNbInputs(); ++i) ins.push_back(desc.at(layer->getInput(i)));
    // A cast converts whatever it gets; constants have no inputs and are cast where they are used
    // (constant folding then stores them in the new type).
    // The 16-bit type every floating input already has (the network's own FP16 or BF16), if any.
    bool anyFloating = false;
    DataType own = DataType::kFLOAT;
    for (size_t i = 0; i < ins.size(); ++i) {
      if (!isFloating(ins[i].type)) continue;
      const DataType t = declared.at(layer->getInput(i)) == DataType::kFLOAT ? DataType::kFLOAT : ins[i].type;
      own = !anyFloating || own == t ? t : DataType::kFLOAT;
      anyFloating = true;
    }
    // A Shape layer reads dimensions only, whatever its input's type; a quantization to FP8 reads any float
    // width as it is (a cast before it would round twice and cost a kernel).
    const bool readsAnyFloat = layer->getType() == LayerType::kSHAPE ||
                               (layer->getType() == LayerType::kQUANTIZE &&
                                static_cast<const IQuantizeLayer*>(layer)->getToType() == DataType::kFP8);
    if (anyFloating && layer->getType() != LayerType::kIDENTITY && !readsAnyFloat) {
      // The reduced type the config allows, or the one the network itself already computes in. A resize that
      // enlarges straight into a float32 network output (a segmentation head's final upsampling) computes in
      // float32: its small input is cast instead of its large output (and the result keeps float32's digits).
      const ITensor* out = layer->getOutput(0);
      const bool enlargesIntoFloatOutput =
          layer->getType() == LayerType::kRESIZE && out->isNetworkOutput() && declared.at(out) == DataType::kFLOAT &&
          ins[0].dims.isStatic() && desc.at(out).dims.isStatic() && desc.at(out).dims.volume() > ins[0].dims.volume();
      const DataType wanted = enlargesIntoFloatOutput ? DataType::kFLOAT : reduced != DataType::kFLOAT ? reduced : own;
      // A convolution of INT8 codes computes in the float type its own rule gives (layer_util::int8CodesFloatType):
      // its residual is cast to that type, whatever the config allows.
      DataType target = DataType::kFLOAT;
      if (layer->getType() == LayerType::kCONVOLUTION && ins[0].type == DataType::kINT8)
        layer_util::int8CodesFloatType(internals(*layer).requestedOutputTypes(),
                                       static_cast<const IConvolutionLayer*>(layer)->getInt8OutputScale() > 0.f,
                                       target);
      else
        target = chooseFloatPrecision(*layer, backend, wanted, obeyPins, notes);
      // An elementwise op or a select with a scalar the 16-bit type cannot hold computes in FP32, and so do the
      // elementwise ops, selects and shape changes that read its result (F.normalize's x / max(norm, 1e-12): the
      // clamped norm of a zero vector would be 0 in float16, and 0 / 0 NaN where the float32 model gives 0). The
      // chain's result rounds once, within the type's range, where the next layer takes it in 16 bits (see
      // getSaturated).
      const LayerType kind = layer->getType();
      const bool holdsConstants = kind == LayerType::kELEMENTWISE || kind == LayerType::kSELECT;
      if ((target == DataType::kHALF || target == DataType::kBF16) && !layer->precisionIsSet() &&
          (holdsConstants || kind == LayerType::kSHUFFLE || kind == LayerType::kSLICE)) {
        for (int i = 0; i < layer->getNbInputs(); ++i)
          if (beyond16Bit.count(layer->getInput(i)) ||
              (holdsConstants && holdsValue16BitCannot(layer->getInput(i), target))) {
            target = DataType::kFLOAT;
            beyond16Bit.insert(layer->getOutput(0));
          }
      }
      for (int i = 0; i < layer->getNbInputs(); ++i) {
        if (!isFloating(ins[i].type) || ins[i].type == target) continue;
        ITensor* cast = beyond16Bit.count(layer->getInput(i)) && target != DataType::kFLOAT
                            ? casts.getSaturated(layer->getInput(i), target, layer)
                            : casts.get(layer->getInput(i), target, layer);
        desc[cast] = {ins[i].dims, target};
        layer->setInput(i, *cast);
        ins[i].type = target;
      }
    }
    desc[layer->getOutput(0)].type = internals(*layer).inferOutputs(ins)[0].type;
  }
  // Network outputs keep the types the network declared.
  for (int i = 0; i < net.getNbOutputs(); ++i) {
    ITensor* out = net.getOutput(i);
    if (out->getType() == outputTypes[i]) continue;
    // The cast takes over the output binding (and its name); layers keep reading the half tensor.
    net.replaceOutput(*out, *addCast(net, *out, outputTypes[i])->getOutput(0));
  }
  return casts.added();
}

}  // namespace passes
}  // namespace trt
