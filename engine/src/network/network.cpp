#include <algorithm>
#include <set>
#include <unordered_set>

#include "layers/make_layer.h"
#include "layers/shape_values.h"
#include "network/attach.h"
#include "network/network_impl.h"

namespace trt {

// ---------------- tensors ----------------

TensorImpl& internals(ITensor& tensor) {
  auto* impl = dynamic_cast<TensorImpl*>(&tensor);
  if (!impl) throw Error("a tensor that no INetworkDefinition made was passed to the engine");
  return *impl;
}
const TensorImpl& internals(const ITensor& tensor) { return internals(const_cast<ITensor&>(tensor)); }

std::vector<int64_t> TensorImpl::getShapeValues() const {
  if (!isInput_) network_->inferShapes();
  return values_;
}

Dims TensorImpl::getDimensions() const {
  if (!isInput_) network_->inferShapes();
  return dims_;
}

void TensorImpl::setDimensions(Dims dims) {
  if (!isInput_)
    throw Error("ITensor::setDimensions: tensor '" + name_ +
                "' is a layer output; only network inputs take dimensions");
  dims_ = dims;
  NetworkState::of(*network_).invalidateFrom(0);
}

DataType TensorImpl::getType() const {
  if (!isInput_) network_->inferShapes();
  return type_;
}

void TensorImpl::setType(DataType type) {
  if (!isInput_) {
    if (producer_) producer_->api().setOutputType(0, type);
    return;
  }
  type_ = type;
  NetworkState::of(*network_).invalidateFrom(0);
}

bool TensorImpl::isNetworkOutput() const {
  const auto& outs = NetworkState::of(*network_).outputs_;
  return std::find(outs.begin(), outs.end(), this) != outs.end();
}

ILayer* TensorImpl::getProducer() const { return producer_ ? &producer_->api() : nullptr; }

// ---------------- layers ----------------

LayerBase& internals(ILayer& layer) {
  auto* impl = dynamic_cast<LayerBase*>(&layer);
  if (!impl) throw Error("a layer that no INetworkDefinition made was passed to the engine");
  return *impl;
}
const LayerBase& internals(const ILayer& layer) { return internals(const_cast<ILayer&>(layer)); }

std::string ILayer::describe() const {
  return std::string("Layer '") + getName() + "' (" + layerTypeName(getType()) + ")";
}

ITensor* LayerBase::inputAt(int32_t index) const {
  if (index < 0 || index >= static_cast<int32_t>(inputs_.size())) return nullptr;
  return inputs_[index];
}

ITensor* LayerBase::outputAt(int32_t index) const {
  if (index < 0 || index >= static_cast<int32_t>(outputs_.size())) return nullptr;
  return outputs_[index];
}

void LayerBase::replaceInput(int32_t index, ITensor& tensor) {
  const int32_t nbInputs = static_cast<int32_t>(inputs_.size());
  TensorImpl& impl = internals(tensor);
  if (index == nbInputs &&
      ((type_ == LayerType::kCONVOLUTION && index == 1) ||
       (type_ == LayerType::kMATRIX_MULTIPLY && (index == 2 || index == 3)) ||
       (type_ == LayerType::kNORMALIZATION && index == 3) || (type_ == LayerType::kSOFTMAX && index == 1) ||
       (type_ == LayerType::kSHUFFLE && index == 1) || (type_ == LayerType::kSLICE && index >= 1 && index <= 3) ||
       (type_ == LayerType::kFILL && index == 0) || (type_ == LayerType::kRESIZE && index == 1) ||
       (type_ == LayerType::kTOPK && index == 1) || (type_ == LayerType::kSCALE && index >= 1))) {
    // Optional inputs are appended: a convolution's residual, a matrix multiply's bias and residual, a
    // normalization's residual, a softmax's additive mask, shape tensors giving a shuffle's reshape
    // dimensions, a slice's start / size / stride, a fill's or a resize's output dimensions, a TopK's k, a
    // per-channel scale's further inputs (it scales their concatenation).
    if (impl.network_ != network_) throw Error(api().describe() + ": setInput tensor belongs to another network");
    inputs_.push_back(&impl);
    markChanged();
    return;
  }
  if (index < 0 || index >= nbInputs) {
    throw Error(api().describe() + ": setInput index " + std::to_string(index) + " is out of range (layer has " +
                std::to_string(nbInputs) + " inputs)");
  }
  if (impl.network_ != network_) throw Error(api().describe() + ": setInput tensor belongs to another network");
  inputs_[index] = &impl;
  markChanged();
}

void LayerBase::requestOutputType(int32_t index, DataType type) {
  if (index < 0 || index >= static_cast<int32_t>(outputs_.size()))
    throw Error(api().describe() + ": setOutputType index out of range");
  requestedTypes_[index] = static_cast<int32_t>(type);
  markChanged();
}

DataType LayerBase::outputTypeAt(int32_t index) const {
  if (index < 0 || index >= static_cast<int32_t>(outputs_.size()))
    throw Error(api().describe() + ": getOutputType index out of range");
  return outputs_[index]->getType();
}

void LayerBase::pinPrecision(DataType type) {
  if (!isValidDataType(static_cast<int32_t>(type)))
    throw Error(api().describe() + ": setPrecision got an unknown data type");
  precision_ = type;
  precisionSet_ = true;
  markChanged();
}

void LayerBase::markChanged() {
  if (network_) NetworkState::of(*network_).invalidateFrom(position_);
}

// ---------------- the network's state ----------------

TensorImpl* NetworkState::newTensor(INetworkDefinition& network, const std::string& name) {
  tensors_.push_back(std::make_unique<TensorImpl>(&network, name));
  return tensors_.back().get();
}

LayerBase& NetworkState::adoptLayer(INetworkDefinition& network, std::unique_ptr<LayerBase> layer,
                                    const std::vector<ITensor*>& inputs, int32_t nbOutputs) {
  layer->network_ = &network;
  layer->inputs_.clear();
  for (ITensor* in : inputs) layer->inputs_.push_back(&internals(*in));
  layer->api().setName(
      ("(Unnamed Layer* " + std::to_string(layers_.size()) + ") [" + layerTypeName(layer->type_) + "]").c_str());
  for (int i = 0; i < nbOutputs; ++i) {
    TensorImpl* out = newTensor(network, "(Unnamed tensor " + std::to_string(nextTensorNumber_++) + ")");
    out->producer_ = layer.get();
    layer->outputs_.push_back(out);
    layer->requestedTypes_.push_back(-1);
  }
  layer->position_ = layers_.size();  // appended: no inferred layer depends on it
  layers_.push_back(std::move(layer));
  return *layers_.back();
}

void NetworkState::renumber(size_t from, size_t to) {
  for (size_t i = from; i < to && i < layers_.size(); ++i) layers_[i]->position_ = i;
}

// ---------------- INetworkDefinition ----------------

INetworkDefinition::INetworkDefinition() : state_(std::make_unique<NetworkState>()) {}
INetworkDefinition::~INetworkDefinition() = default;

ITensor* INetworkDefinition::addInput(const char* name, DataType type, Dims dims) {
  if (!name || !*name) throw Error("INetworkDefinition::addInput: an input needs a non-empty name");
  for (auto* in : state_->inputs_)
    if (in->name_ == name)
      throw Error(std::string("INetworkDefinition::addInput: an input named '") + name + "' already exists");
  if (dims.nbDims < 0 || dims.nbDims > Dims::MAX_DIMS)
    throw Error(std::string("addInput '") + name + "': invalid rank");
  for (int i = 0; i < dims.nbDims; ++i)
    if (dims.d[i] < -1)
      throw Error(std::string("addInput '") + name + "': dimension " + std::to_string(i) + " is " +
                  std::to_string(dims.d[i]) + " (use -1 for dynamic)");
  TensorImpl* t = state_->newTensor(*this, name);
  t->isInput_ = true;
  t->dims_ = dims;
  t->type_ = type;
  state_->inputs_.push_back(t);
  return t;
}

void INetworkDefinition::markOutput(ITensor& tensor) {
  TensorImpl& impl = internals(tensor);
  if (impl.network_ != this) throw Error("markOutput: tensor '" + impl.name_ + "' belongs to another network");
  auto& outs = state_->outputs_;
  if (std::find(outs.begin(), outs.end(), &impl) == outs.end()) outs.push_back(&impl);
}

void INetworkDefinition::unmarkOutput(ITensor& tensor) {
  auto& outs = state_->outputs_;
  outs.erase(std::remove(outs.begin(), outs.end(), &tensor), outs.end());
}

IConvolutionLayer* INetworkDefinition::addConvolutionNd(ITensor& input, int32_t nbOutputMaps, Dims kernelSize,
                                                        Weights kernelWeights, Weights biasWeights) {
  auto layer = newLayer<IConvolutionLayer>();
  layer->setNbOutputMaps(nbOutputMaps);
  layer->setKernelSizeNd(kernelSize);
  layer->setKernelWeights(kernelWeights);
  layer->setBiasWeights(biasWeights);
  return attach(*this, std::move(layer), {&input}, 1, "addConvolutionNd");
}

IDeconvolutionLayer* INetworkDefinition::addDeconvolutionNd(ITensor& input, int32_t nbOutputMaps, Dims kernelSize,
                                                            Weights kernelWeights, Weights biasWeights) {
  auto layer = newLayer<IDeconvolutionLayer>();
  layer->setNbOutputMaps(nbOutputMaps);
  layer->setKernelSizeNd(kernelSize);
  layer->setKernelWeights(kernelWeights);
  layer->setBiasWeights(biasWeights);
  return attach(*this, std::move(layer), {&input}, 1, "addDeconvolutionNd");
}

IActivationLayer* INetworkDefinition::addActivation(ITensor& input, ActivationType type) {
  auto layer = newLayer<IActivationLayer>();
  layer->setActivationType(type);
  return attach(*this, std::move(layer), {&input}, 1, "addActivation");
}

IPoolingLayer* INetworkDefinition::addPoolingNd(ITensor& input, PoolingType type, Dims windowSize) {
  auto layer = newLayer<IPoolingLayer>();
  layer->setPoolingType(type);
  layer->setWindowSizeNd(windowSize);
  return attach(*this, std::move(layer), {&input}, 1, "addPoolingNd");
}

IElementWiseLayer* INetworkDefinition::addElementWise(ITensor& input1, ITensor& input2, ElementWiseOperation op) {
  auto layer = newLayer<IElementWiseLayer>();
  layer->setOperation(op);
  return attach(*this, std::move(layer), {&input1, &input2}, 1, "addElementWise");
}

IMatrixMultiplyLayer* INetworkDefinition::addMatrixMultiply(ITensor& input0, MatrixOperation op0, ITensor& input1,
                                                            MatrixOperation op1) {
  auto layer = newLayer<IMatrixMultiplyLayer>();
  layer->setOperation(0, op0);
  layer->setOperation(1, op1);
  return attach(*this, std::move(layer), {&input0, &input1}, 1, "addMatrixMultiply");
}

IShuffleLayer* INetworkDefinition::addShuffle(ITensor& input) {
  return attach(*this, newLayer<IShuffleLayer>(), {&input}, 1, "addShuffle");
}

IConstantLayer* INetworkDefinition::addConstant(Dims dims, Weights weights) {
  auto layer = newLayer<IConstantLayer>();
  layer->setDimensions(dims);
  layer->setWeights(weights);
  return attach(*this, std::move(layer), {}, 1, "addConstant");
}

IConstantLayer* INetworkDefinition::addConstant(Dims dims, Weights weights, std::shared_ptr<const void> owner) {
  auto layer = newLayer<IConstantLayer>();
  layer->setDimensions(dims);
  layer->setWeights(weights, std::move(owner));
  return attach(*this, std::move(layer), {}, 1, "addConstant");
}

IReduceLayer* INetworkDefinition::addReduce(ITensor& input, ReduceOperation op, uint32_t reduceAxes,
                                            bool keepDimensions) {
  auto layer = newLayer<IReduceLayer>();
  layer->setOperation(op);
  layer->setReduceAxes(reduceAxes);
  layer->setKeepDimensions(keepDimensions);
  return attach(*this, std::move(layer), {&input}, 1, "addReduce");
}

ISoftMaxLayer* INetworkDefinition::addSoftMax(ITensor& input) {
  return attach(*this, newLayer<ISoftMaxLayer>(), {&input}, 1, "addSoftMax");
}

IConcatenationLayer* INetworkDefinition::addConcatenation(ITensor* const* inputs, int32_t nbInputs) {
  if (!inputs || nbInputs < 1) throw Error("INetworkDefinition::addConcatenation: needs at least one input");
  return attach(*this, newLayer<IConcatenationLayer>(), std::vector<ITensor*>(inputs, inputs + nbInputs), 1,
                "addConcatenation");
}

IIdentityLayer* INetworkDefinition::addIdentity(ITensor& input) {
  return attach(*this, newLayer<IIdentityLayer>(), {&input}, 1, "addIdentity");
}

IUnaryLayer* INetworkDefinition::addUnary(ITensor& input, UnaryOperation operation) {
  auto layer = newLayer<IUnaryLayer>();
  layer->setOperation(operation);
  return attach(*this, std::move(layer), {&input}, 1, "addUnary");
}

ISliceLayer* INetworkDefinition::addSlice(ITensor& input, Dims start, Dims size, Dims stride) {
  auto layer = newLayer<ISliceLayer>();
  layer->setStart(start);
  layer->setSize(size);
  layer->setStride(stride);
  return attach(*this, std::move(layer), {&input}, 1, "addSlice");
}

ISelectLayer* INetworkDefinition::addSelect(ITensor& condition, ITensor& thenInput, ITensor& elseInput) {
  return attach(*this, newLayer<ISelectLayer>(), {&condition, &thenInput, &elseInput}, 1, "addSelect");
}

IResizeLayer* INetworkDefinition::addResize(ITensor& input, Dims outputDims) {
  auto layer = newLayer<IResizeLayer>();
  layer->setOutputDimensions(outputDims);
  return attach(*this, std::move(layer), {&input}, 1, "addResize");
}

INormalizationLayer* INetworkDefinition::addNormalization(ITensor& input, ITensor& scale, ITensor& bias,
                                                          uint32_t axesMask) {
  auto layer = newLayer<INormalizationLayer>();
  layer->setAxes(axesMask);
  return attach(*this, std::move(layer), {&input, &scale, &bias}, 1, "addNormalization");
}

ITopKLayer* INetworkDefinition::addTopK(ITensor& input, TopKOperation op, int64_t k, uint32_t reduceAxes,
                                        TopKOutput output) {
  auto layer = newLayer<ITopKLayer>();
  layer->setOperation(op);
  layer->setK(k);
  layer->setReduceAxes(reduceAxes);
  layer->setOutputKind(output);
  return attach(*this, std::move(layer), {&input}, 1, "addTopK");
}

IGatherLayer* INetworkDefinition::addGather(ITensor& data, ITensor& indices, int32_t axis) {
  auto layer = newLayer<IGatherLayer>();
  layer->setGatherAxis(axis);
  return attach(*this, std::move(layer), {&data, &indices}, 1, "addGather");
}

IQuantizeLayer* INetworkDefinition::addQuantize(ITensor& input, std::vector<float> scales, int32_t axis) {
  auto layer = newLayer<IQuantizeLayer>();
  layer->setScales(std::move(scales));
  layer->setAxis(axis);
  return attach(*this, std::move(layer), {&input}, 1, "addQuantize");
}

IDequantizeLayer* INetworkDefinition::addDequantize(ITensor& input, std::vector<float> scales, int32_t axis) {
  auto layer = newLayer<IDequantizeLayer>();
  layer->setScales(std::move(scales));
  layer->setAxis(axis);
  return attach(*this, std::move(layer), {&input}, 1, "addDequantize");
}

ICumulativeLayer* INetworkDefinition::addCumulative(ITensor& input, int32_t axis, CumulativeOperation op,
                                                    bool exclusive, bool reverse) {
  auto layer = newLayer<ICumulativeLayer>();
  layer->setAxis(axis);
  layer->setOperation(op);
  layer->setExclusive(exclusive);
  layer->setReverse(reverse);
  return attach(*this, std::move(layer), {&input}, 1, "addCumulative");
}

IScatterLayer* INetworkDefinition::addScatter(ITensor& data, ITensor& indices, ITensor& updates, int32_t axis) {
  auto layer = newLayer<IScatterLayer>();
  layer->setAxis(axis);
  return attach(*this, std::move(layer), {&data, &indices, &updates}, 1, "addScatter");
}

IGridSampleLayer* INetworkDefinition::addGridSample(ITensor& input, ITensor& grid) {
  return attach(*this, newLayer<IGridSampleLayer>(), {&input, &grid}, 1, "addGridSample");
}

IScaleLayer* INetworkDefinition::addScale(ITensor& input, ScaleMode mode, std::vector<float> shift,
                                          std::vector<float> scale, std::vector<float> power) {
  auto layer = newLayer<IScaleLayer>();
  layer->setMode(mode);
  layer->setShift(std::move(shift));
  layer->setScale(std::move(scale));
  layer->setPower(std::move(power));
  return attach(*this, std::move(layer), {&input}, 1, "addScale");
}

IParametricReLULayer* INetworkDefinition::addParametricReLU(ITensor& input, ITensor& slope) {
  return attach(*this, newLayer<IParametricReLULayer>(), {&input, &slope}, 1, "addParametricReLU");
}

IEinsumLayer* INetworkDefinition::addEinsum(ITensor* const* inputs, int32_t nbInputs, const char* equation) {
  if (nbInputs < 1 || nbInputs > 4 || !inputs)
    throw Error("addEinsum: takes 1 to 4 inputs, got " + std::to_string(nbInputs));
  auto layer = newLayer<IEinsumLayer>();
  layer->setEquation(equation);
  return attach(*this, std::move(layer), std::vector<ITensor*>(inputs, inputs + nbInputs), 1, "addEinsum");
}

IOneHotLayer* INetworkDefinition::addOneHot(ITensor& indices, ITensor& values, int64_t depth, int32_t axis) {
  auto layer = newLayer<IOneHotLayer>();
  layer->setDepth(depth);
  layer->setAxis(axis);
  return attach(*this, std::move(layer), {&indices, &values}, 1, "addOneHot");
}

INonZeroLayer* INetworkDefinition::addNonZero(ITensor& input) {
  return attach(*this, newLayer<INonZeroLayer>(), {&input}, 1, "addNonZero");
}

IShapeLayer* INetworkDefinition::addShape(ITensor& input) {
  return attach(*this, newLayer<IShapeLayer>(), {&input}, 1, "addShape");
}

IFillLayer* INetworkDefinition::addFill(Dims dims, FillOperation op, DataType type) {
  auto layer = newLayer<IFillLayer>();
  layer->setOperation(op);
  layer->setDataType(type);
  layer->setDimensions(dims);
  return attach(*this, std::move(layer), {}, 1, "addFill");
}

int32_t INetworkDefinition::getNbLayers() const { return static_cast<int32_t>(state_->layers_.size()); }
int32_t INetworkDefinition::getNbInputs() const { return static_cast<int32_t>(state_->inputs_.size()); }
int32_t INetworkDefinition::getNbOutputs() const { return static_cast<int32_t>(state_->outputs_.size()); }
uint64_t INetworkDefinition::getInferenceVisits() const { return state_->inferenceVisits_; }

ILayer* INetworkDefinition::getLayer(int32_t index) const {
  return index >= 0 && index < getNbLayers() ? &state_->layers_[index]->api() : nullptr;
}
ITensor* INetworkDefinition::getInput(int32_t index) const {
  return index >= 0 && index < getNbInputs() ? state_->inputs_[index] : nullptr;
}
ITensor* INetworkDefinition::getOutput(int32_t index) const {
  return index >= 0 && index < getNbOutputs() ? state_->outputs_[index] : nullptr;
}

int32_t INetworkDefinition::indexOf(const ILayer* layer) const {
  const auto& layers = state_->layers_;
  for (size_t i = 0; i < layers.size(); ++i)
    if (&layers[i]->api() == layer) return static_cast<int32_t>(i);
  return -1;
}

void INetworkDefinition::removeLayer(ILayer* layer) {
  int32_t idx = indexOf(layer);
  if (idx < 0) throw Error("removeLayer: layer is not part of this network");
  NetworkState& s = *state_;
  const LayerBase& removed = *s.layers_[idx];
  std::unordered_set<const TensorImpl*> dead(removed.outputs_.begin(), removed.outputs_.end());
  for (auto* out : s.outputs_)
    if (dead.count(out))
      throw Error("removeLayer: " + layer->describe() + " produces network output '" + out->name_ + "'");
  for (auto& other : s.layers_)
    for (auto* in : other->inputs_)
      if (dead.count(in))
        throw Error("removeLayer: an output of " + layer->describe() + " is still used by " + other->api().describe());
  s.layers_.erase(s.layers_.begin() + idx);
  s.tensors_.erase(std::remove_if(s.tensors_.begin(), s.tensors_.end(),
                                  [&](const std::unique_ptr<TensorImpl>& t) { return dead.count(t.get()) > 0; }),
                   s.tensors_.end());
  s.renumber(idx, s.layers_.size());
  s.invalidateFrom(idx);
}

void INetworkDefinition::moveLayer(ILayer* layer, int32_t index) {
  int32_t from = indexOf(layer);
  if (from < 0 || index < 0 || index >= getNbLayers()) throw Error("moveLayer: layer or index out of range");
  auto& layers = state_->layers_;
  std::unique_ptr<LayerBase> owned = std::move(layers[from]);
  layers.erase(layers.begin() + from);
  layers.insert(layers.begin() + index, std::move(owned));
  state_->renumber(std::min(from, index), std::max(from, index) + 1);
  state_->invalidateFrom(std::min(from, index));
}

void INetworkDefinition::replaceAllUses(ITensor& from, ITensor& to) {
  TensorImpl& target = internals(to);
  for (auto& layer : state_->layers_)
    for (auto*& in : layer->inputs_)
      if (in == &from) {
        in = &target;
        state_->invalidateFrom(layer->position_);
      }
  replaceOutput(from, to);
}

void INetworkDefinition::replaceOutput(ITensor& from, ITensor& to) {
  TensorImpl& source = internals(from);
  TensorImpl& target = internals(to);
  for (auto*& out : state_->outputs_) {
    if (out == &source) {
      // The replacement takes over the output's name so bindings stay stable.
      std::string name = source.name_;
      source.name_ += " (replaced)";
      target.name_ = name;
      out = &target;
    }
  }
}

void INetworkDefinition::inferShapes() const {
  // Creation order is execution order, so a layer's outputs depend only on earlier layers: the
  // layers before the earliest change keep their outputs, and only the rest are inferred again.
  NetworkState& s = *state_;
  for (size_t l = s.inferredLayers_; l < s.layers_.size(); ++l) {
    const LayerBase& layer = *s.layers_[l];
    std::vector<TensorDesc> ins;
    ins.reserve(layer.inputs_.size());
    for (size_t i = 0; i < layer.inputs_.size(); ++i) {
      const TensorImpl* in = layer.inputs_[i];
      // An input made by a later layer has no shape yet (a shape tensor created after the layer it
      // feeds), which is named here rather than seen as a bad input.
      if (in->producer_ && (in->producer_->network_ != this || in->producer_->position_ >= l))
        throw Error(layer.api().describe() + ": input " + std::to_string(i) + " ('" + in->name_ + "') is produced by " +
                    in->producer_->api().describe() +
                    ", added after this layer; add the layers computing an input before the layer that reads it");
      ins.push_back({in->dims_, in->type_, in->values_});
    }
    ++s.inferenceVisits_;
    std::vector<TensorDesc> outs = layer.inferOutputs(ins);
    if (!outs.empty()) outs[0].values = evaluateShapeValues(layer.api(), ins, outs[0]);
    for (size_t i = 0; i < outs.size() && i < layer.outputs_.size(); ++i) {
      layer.outputs_[i]->dims_ = outs[i].dims;
      layer.outputs_[i]->type_ = outs[i].type;
      layer.outputs_[i]->values_ = std::move(outs[i].values);
    }
    s.inferredLayers_ = l + 1;
  }
}

void INetworkDefinition::validate() const {
  const NetworkState& s = *state_;
  if (s.outputs_.empty()) throw Error("network has no outputs: call markOutput on at least one tensor");
  // Inputs and outputs are bound by name at run time, so each name must be distinct and non-empty.
  std::set<std::string> names;
  for (auto* t : s.inputs_) {
    if (t->name_.empty()) throw Error("a network input has an empty name; name it with ITensor::setName");
    if (!names.insert(t->name_).second) throw Error("two network inputs share the name '" + t->name_ + "'");
  }
  for (auto* t : s.outputs_) {
    if (t->isInput_)
      throw Error("network output '" + t->name_ + "' is also a network input; add an Identity layer between them");
    if (t->name_.empty()) throw Error("a network output has an empty name; name it with ITensor::setName");
    if (!names.insert(t->name_).second) throw Error("two network inputs/outputs share the name '" + t->name_ + "'");
  }
  // Layers must come after the producers of their inputs (creation order is execution order).
  std::unordered_set<const TensorImpl*> available(s.inputs_.begin(), s.inputs_.end());
  for (const auto& layer : s.layers_) {
    for (auto* in : layer->inputs_)
      if (!available.count(in))
        throw Error(layer->api().describe() + ": input '" + in->name_ +
                    "' is produced by a later layer or is not part of the network");
    for (auto* out : layer->outputs_) available.insert(out);
  }
  inferShapes();
}

}  // namespace trt
