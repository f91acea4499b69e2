#include <algorithm>
#include <set>
#include <unordered_set>

#include "layers/shape_values.h"
#include "network/attach.h"
#include "trt/network.h"

namespace trt {

// ---------------- ITensor ----------------

std::vector<int64_t> ITensor::getShapeValues() const {
  if (!isInput_) network_->inferShapes();
  return values_;
}

void ITensor::setName(const char* name) { name_ = name ? name : ""; }  // names never change shapes

Dims ITensor::getDimensions() const {
  if (!isInput_) network_->inferShapes();
  return dims_;
}

void ITensor::setDimensions(Dims dims) {
  if (!isInput_)
    throw Error("ITensor::setDimensions: tensor '" + name_ +
                "' is a layer output; only network inputs take dimensions");
  dims_ = dims;
  network_->invalidateFrom(0);
}

DataType ITensor::getType() const {
  if (!isInput_) network_->inferShapes();
  return type_;
}

void ITensor::setType(DataType type) {
  if (!isInput_) {
    if (producer_) producer_->setOutputType(0, type);
    return;
  }
  type_ = type;
  network_->invalidateFrom(0);
}

bool ITensor::isNetworkOutput() const {
  const auto& outs = network_->outputs_;
  return std::find(outs.begin(), outs.end(), this) != outs.end();
}

// ---------------- ILayer ----------------

ITensor* ILayer::getInput(int32_t index) const {
  if (index < 0 || index >= getNbInputs()) return nullptr;
  return inputs_[index];
}

ITensor* ILayer::getOutput(int32_t index) const {
  if (index < 0 || index >= getNbOutputs()) return nullptr;
  return outputs_[index];
}

void ILayer::setInput(int32_t index, ITensor& tensor) {
  if (index == getNbInputs() &&
      ((type_ == LayerType::kCONVOLUTION && index == 1) || (type_ == LayerType::kMATRIX_MULTIPLY && index == 2) ||
       (type_ == LayerType::kNORMALIZATION && index == 3) || (type_ == LayerType::kSOFTMAX && index == 1) ||
       (type_ == LayerType::kSHUFFLE && index == 1) || (type_ == LayerType::kSLICE && index >= 1 && index <= 3) ||
       (type_ == LayerType::kFILL && index == 0) || (type_ == LayerType::kRESIZE && index == 1) ||
       (type_ == LayerType::kTOPK && index == 1))) {
    // Optional inputs are appended: a convolution's residual, a matrix multiply's bias, a
    // normalization's residual, a softmax's additive mask, shape tensors giving a shuffle's reshape
    // dimensions, a slice's start / size / stride, a fill's or a resize's output dimensions, a TopK's k.
    if (tensor.network_ != network_) throw Error(describe() + ": setInput tensor belongs to another network");
    inputs_.push_back(&tensor);
    markChanged();
    return;
  }
  if (index < 0 || index >= getNbInputs()) {
    throw Error(describe() + ": setInput index " + std::to_string(index) + " is out of range (layer has " +
                std::to_string(getNbInputs()) + " inputs)");
  }
  if (tensor.network_ != network_) throw Error(describe() + ": setInput tensor belongs to another network");
  inputs_[index] = &tensor;
  markChanged();
}

void ILayer::setOutputType(int32_t index, DataType type) {
  if (index < 0 || index >= getNbOutputs()) throw Error(describe() + ": setOutputType index out of range");
  requestedTypes_[index] = static_cast<int32_t>(type);
  markChanged();
}

DataType ILayer::getOutputType(int32_t index) const {
  if (index < 0 || index >= getNbOutputs()) throw Error(describe() + ": getOutputType index out of range");
  return outputs_[index]->getType();
}

void ILayer::setPrecision(DataType type) {
  if (!isValidDataType(static_cast<int32_t>(type))) throw Error(describe() + ": setPrecision got an unknown data type");
  precision_ = type;
  precisionSet_ = true;
  markChanged();
}

void ILayer::resetPrecision() {
  precisionSet_ = false;
  markChanged();
}

std::string ILayer::describe() const { return std::string("Layer '") + name_ + "' (" + layerTypeName(type_) + ")"; }

void ILayer::markChanged() {
  if (network_) network_->invalidateFrom(position_);
}

// ---------------- INetworkDefinition ----------------

ITensor* INetworkDefinition::newTensor(const std::string& name) {
  tensors_.push_back(std::unique_ptr<ITensor>(new ITensor(this, name)));
  return tensors_.back().get();
}

ITensor* INetworkDefinition::addInput(const char* name, DataType type, Dims dims) {
  if (!name || !*name) throw Error("INetworkDefinition::addInput: an input needs a non-empty name");
  for (auto* in : inputs_)
    if (in->name_ == name)
      throw Error(std::string("INetworkDefinition::addInput: an input named '") + name + "' already exists");
  if (dims.nbDims < 0 || dims.nbDims > Dims::MAX_DIMS)
    throw Error(std::string("addInput '") + name + "': invalid rank");
  for (int i = 0; i < dims.nbDims; ++i)
    if (dims.d[i] < -1)
      throw Error(std::string("addInput '") + name + "': dimension " + std::to_string(i) + " is " +
                  std::to_string(dims.d[i]) + " (use -1 for dynamic)");
  ITensor* t = newTensor(name);
  t->isInput_ = true;
  t->dims_ = dims;
  t->type_ = type;
  inputs_.push_back(t);
  return t;
}

void INetworkDefinition::markOutput(ITensor& tensor) {
  if (tensor.network_ != this) throw Error("markOutput: tensor '" + tensor.name_ + "' belongs to another network");
  if (std::find(outputs_.begin(), outputs_.end(), &tensor) == outputs_.end()) outputs_.push_back(&tensor);
}

void INetworkDefinition::unmarkOutput(ITensor& tensor) {
  outputs_.erase(std::remove(outputs_.begin(), outputs_.end(), &tensor), outputs_.end());
}

ILayer* INetworkDefinition::adoptLayer(std::unique_ptr<ILayer> layer, const std::vector<ITensor*>& inputs,
                                       int32_t nbOutputs) {
  layer->network_ = this;
  layer->inputs_ = inputs;
  layer->setName(
      ("(Unnamed Layer* " + std::to_string(layers_.size()) + ") [" + layerTypeName(layer->getType()) + "]").c_str());
  for (int i = 0; i < nbOutputs; ++i) {
    ITensor* out = newTensor("(Unnamed tensor " + std::to_string(nextTensorNumber_++) + ")");
    out->producer_ = layer.get();
    layer->outputs_.push_back(out);
    layer->requestedTypes_.push_back(-1);
  }
  layer->position_ = layers_.size();  // appended: no inferred layer depends on it
  layers_.push_back(std::move(layer));
  return layers_.back().get();
}

IConvolutionLayer* INetworkDefinition::addConvolutionNd(ITensor& input, int32_t nbOutputMaps, Dims kernelSize,
                                                        Weights kernelWeights, Weights biasWeights) {
  auto layer = std::make_unique<IConvolutionLayer>();
  layer->setNbOutputMaps(nbOutputMaps);
  layer->setKernelSizeNd(kernelSize);
  layer->setKernelWeights(kernelWeights);
  layer->setBiasWeights(biasWeights);
  return attach(std::move(layer), {&input}, 1, "addConvolutionNd");
}

IDeconvolutionLayer* INetworkDefinition::addDeconvolutionNd(ITensor& input, int32_t nbOutputMaps, Dims kernelSize,
                                                            Weights kernelWeights, Weights biasWeights) {
  auto layer = std::make_unique<IDeconvolutionLayer>();
  layer->setNbOutputMaps(nbOutputMaps);
  layer->setKernelSizeNd(kernelSize);
  layer->setKernelWeights(kernelWeights);
  layer->setBiasWeights(biasWeights);
  return attach(std::move(layer), {&input}, 1, "addDeconvolutionNd");
}

IActivationLayer* INetworkDefinition::addActivation(ITensor& input, ActivationType type) {
  auto layer = std::make_unique<IActivationLayer>();
  layer->setActivationType(type);
  return attach(std::move(layer), {&input}, 1, "addActivation");
}

IPoolingLayer* INetworkDefinition::addPoolingNd(ITensor& input, PoolingType type, Dims windowSize) {
  auto layer = std::make_unique<IPoolingLayer>();
  layer->setPoolingType(type);
  layer->setWindowSizeNd(windowSize);
  return attach(std::move(layer), {&input}, 1, "addPoolingNd");
}

IElementWiseLayer* INetworkDefinition::addElementWise(ITensor& input1, ITensor& input2, ElementWiseOperation op) {
  auto layer = std::make_unique<IElementWiseLayer>();
  layer->setOperation(op);
  return attach(std::move(layer), {&input1, &input2}, 1, "addElementWise");
}

IMatrixMultiplyLayer* INetworkDefinition::addMatrixMultiply(ITensor& input0, MatrixOperation op0, ITensor& input1,
                                                            MatrixOperation op1) {
  auto layer = std::make_unique<IMatrixMultiplyLayer>();
  layer->setOperation(0, op0);
  layer->setOperation(1, op1);
  return attach(std::move(layer), {&input0, &input1}, 1, "addMatrixMultiply");
}

IShuffleLayer* INetworkDefinition::addShuffle(ITensor& input) {
  return attach(std::make_unique<IShuffleLayer>(), {&input}, 1, "addShuffle");
}

IConstantLayer* INetworkDefinition::addConstant(Dims dims, Weights weights) {
  auto layer = std::make_unique<IConstantLayer>();
  layer->setDimensions(dims);
  layer->setWeights(weights);
  return attach(std::move(layer), {}, 1, "addConstant");
}

IConstantLayer* INetworkDefinition::addConstant(Dims dims, Weights weights, std::shared_ptr<const void> owner) {
  auto layer = std::make_unique<IConstantLayer>();
  layer->setDimensions(dims);
  layer->setWeights(weights, std::move(owner));
  return attach(std::move(layer), {}, 1, "addConstant");
}

IReduceLayer* INetworkDefinition::addReduce(ITensor& input, ReduceOperation op, uint32_t reduceAxes,
                                            bool keepDimensions) {
  auto layer = std::make_unique<IReduceLayer>();
  layer->setOperation(op);
  layer->setReduceAxes(reduceAxes);
  layer->setKeepDimensions(keepDimensions);
  return attach(std::move(layer), {&input}, 1, "addReduce");
}

ISoftMaxLayer* INetworkDefinition::addSoftMax(ITensor& input) {
  return attach(std::make_unique<ISoftMaxLayer>(), {&input}, 1, "addSoftMax");
}

IConcatenationLayer* INetworkDefinition::addConcatenation(ITensor* const* inputs, int32_t nbInputs) {
  if (!inputs || nbInputs < 1) throw Error("INetworkDefinition::addConcatenation: needs at least one input");
  return attach(std::make_unique<IConcatenationLayer>(), std::vector<ITensor*>(inputs, inputs + nbInputs), 1,
                "addConcatenation");
}

IIdentityLayer* INetworkDefinition::addIdentity(ITensor& input) {
  return attach(std::make_unique<IIdentityLayer>(), {&input}, 1, "addIdentity");
}

IUnaryLayer* INetworkDefinition::addUnary(ITensor& input, UnaryOperation operation) {
  auto layer = std::make_unique<IUnaryLayer>();
  layer->setOperation(operation);
  return attach(std::move(layer), {&input}, 1, "addUnary");
}

ISliceLayer* INetworkDefinition::addSlice(ITensor& input, Dims start, Dims size, Dims stride) {
  auto layer = std::make_unique<ISliceLayer>();
  layer->setStart(start);
  layer->setSize(size);
  layer->setStride(stride);
  return attach(std::move(layer), {&input}, 1, "addSlice");
}

ISelectLayer* INetworkDefinition::addSelect(ITensor& condition, ITensor& thenInput, ITensor& elseInput) {
  return attach(std::make_unique<ISelectLayer>(), {&condition, &thenInput, &elseInput}, 1, "addSelect");
}

IResizeLayer* INetworkDefinition::addResize(ITensor& input, Dims outputDims) {
  auto layer = std::make_unique<IResizeLayer>();
  layer->setOutputDimensions(outputDims);
  return attach(std::move(layer), {&input}, 1, "addResize");
}

INormalizationLayer* INetworkDefinition::addNormalization(ITensor& input, ITensor& scale, ITensor& bias,
                                                          uint32_t axesMask) {
  auto layer = std::make_unique<INormalizationLayer>();
  layer->setAxes(axesMask);
  return attach(std::move(layer), {&input, &scale, &bias}, 1, "addNormalization");
}

ITopKLayer* INetworkDefinition::addTopK(ITensor& input, TopKOperation op, int64_t k, uint32_t reduceAxes,
                                        TopKOutput output) {
  auto layer = std::make_unique<ITopKLayer>();
  layer->setOperation(op);
  layer->setK(k);
  layer->setReduceAxes(reduceAxes);
  layer->setOutputKind(output);
  return attach(std::move(layer), {&input}, 1, "addTopK");
}

IGatherLayer* INetworkDefinition::addGather(ITensor& data, ITensor& indices, int32_t axis) {
  auto layer = std::make_unique<IGatherLayer>();
  layer->setGatherAxis(axis);
  return attach(std::move(layer), {&data, &indices}, 1, "addGather");
}

IQuantizeLayer* INetworkDefinition::addQuantize(ITensor& input, std::vector<float> scales, int32_t axis) {
  auto layer = std::make_unique<IQuantizeLayer>();
  layer->setScales(std::move(scales));
  layer->setAxis(axis);
  return attach(std::move(layer), {&input}, 1, "addQuantize");
}

IDequantizeLayer* INetworkDefinition::addDequantize(ITensor& input, std::vector<float> scales, int32_t axis) {
  auto layer = std::make_unique<IDequantizeLayer>();
  layer->setScales(std::move(scales));
  layer->setAxis(axis);
  return attach(std::move(layer), {&input}, 1, "addDequantize");
}

ICumulativeLayer* INetworkDefinition::addCumulative(ITensor& input, int32_t axis, CumulativeOperation op,
                                                    bool exclusive, bool reverse) {
  auto layer = std::make_unique<ICumulativeLayer>();
  layer->setAxis(axis);
  layer->setOperation(op);
  layer->setExclusive(exclusive);
  layer->setReverse(reverse);
  return attach(std::move(layer), {&input}, 1, "addCumulative");
}

IScatterLayer* INetworkDefinition::addScatter(ITensor& data, ITensor& indices, ITensor& updates, int32_t axis) {
  auto layer = std::make_unique<IScatterLayer>();
  layer->setAxis(axis);
  return attach(std::move(layer), {&data, &indices, &updates}, 1, "addScatter");
}

IGridSampleLayer* INetworkDefinition::addGridSample(ITensor& input, ITensor& grid) {
  return attach(std::make_unique<IGridSampleLayer>(), {&input, &grid}, 1, "addGridSample");
}

IScaleLayer* INetworkDefinition::addScale(ITensor& input, ScaleMode mode, std::vector<float> shift,
                                          std::vector<float> scale, std::vector<float> power) {
  auto layer = std::make_unique<IScaleLayer>();
  layer->setMode(mode);
  layer->setShift(std::move(shift));
  layer->setScale(std::move(scale));
  layer->setPower(std::move(power));
  return attach(std::move(layer), {&input}, 1, "addScale");
}

IParametricReLULayer* INetworkDefinition::addParametricReLU(ITensor& input, ITensor& slope) {
  return attach(std::make_unique<IParametricReLULayer>(), {&input, &slope}, 1, "addParametricReLU");
}

IEinsumLayer* INetworkDefinition::addEinsum(ITensor* const* inputs, int32_t nbInputs, const char* equation) {
  if (nbInputs < 1 || nbInputs > 4 || !inputs)
    throw Error("addEinsum: takes 1 to 4 inputs, got " + std::to_string(nbInputs));
  auto layer = std::make_unique<IEinsumLayer>();
  layer->setEquation(equation);
  return attach(std::move(layer), std::vector<ITensor*>(inputs, inputs + nbInputs), 1, "addEinsum");
}

IOneHotLayer* INetworkDefinition::addOneHot(ITensor& indices, ITensor& values, int64_t depth, int32_t axis) {
  auto layer = std::make_unique<IOneHotLayer>();
  layer->setDepth(depth);
  layer->setAxis(axis);
  return attach(std::move(layer), {&indices, &values}, 1, "addOneHot");
}

INonZeroLayer* INetworkDefinition::addNonZero(ITensor& input) {
  return attach(std::make_unique<INonZeroLayer>(), {&input}, 1, "addNonZero");
}

IShapeLayer* INetworkDefinition::addShape(ITensor& input) {
  return attach(std::make_unique<IShapeLayer>(), {&input}, 1, "addShape");
}

IFillLayer* INetworkDefinition::addFill(Dims dims, FillOperation op, DataType type) {
  auto layer = std::make_unique<IFillLayer>();
  layer->setOperation(op);
  layer->setDataType(type);
  layer->setDimensions(dims);
  return attach(std::move(layer), {}, 1, "addFill");
}

ILayer* INetworkDefinition::getLayer(int32_t index) const {
  return index >= 0 && index < getNbLayers() ? layers_[index].get() : nullptr;
}
ITensor* INetworkDefinition::getInput(int32_t index) const {
  return index >= 0 && index < getNbInputs() ? inputs_[index] : nullptr;
}
ITensor* INetworkDefinition::getOutput(int32_t index) const {
  return index >= 0 && index < getNbOutputs() ? outputs_[index] : nullptr;
}

int32_t INetworkDefinition::indexOf(const ILayer* layer) const {
  for (size_t i = 0; i < layers_.size(); ++i)
    if (layers_[i].get() == layer) return static_cast<int32_t>(i);
  return -1;
}

void INetworkDefinition::removeLayer(ILayer* layer) {
  int32_t idx = indexOf(layer);
  if (idx < 0) throw Error("removeLayer: layer is not part of this network");
  std::unordered_set<ITensor*> dead(layer->outputs_.begin(), layer->outputs_.end());
  for (auto* out : outputs_)
    if (dead.count(out))
      throw Error("removeLayer: " + layer->describe() + " produces network output '" + out->name_ + "'");
  for (auto& other : layers_)
    for (auto* in : other->inputs_)
      if (dead.count(in))
        throw Error("removeLayer: an output of " + layer->describe() + " is still used by " + other->describe());
  layers_.erase(layers_.begin() + idx);
  tensors_.erase(std::remove_if(tensors_.begin(), tensors_.end(),
                                [&](const std::unique_ptr<ITensor>& t) { return dead.count(t.get()) > 0; }),
                 tensors_.end());
  renumber(idx, layers_.size());
  invalidateFrom(idx);
}

void INetworkDefinition::moveLayer(ILayer* layer, int32_t index) {
  int32_t from = indexOf(layer);
  if (from < 0 || index < 0 || index >= getNbLayers()) throw Error("moveLayer: layer or index out of range");
  std::unique_ptr<ILayer> owned = std::move(layers_[from]);
  layers_.erase(layers_.begin() + from);
  layers_.insert(layers_.begin() + index, std::move(owned));
  renumber(std::min(from, index), std::max(from, index) + 1);
  invalidateFrom(std::min(from, index));
}

void INetworkDefinition::renumber(size_t from, size_t to) {
  for (size_t i = from; i < to && i < layers_.size(); ++i) layers_[i]->position_ = i;
}

void INetworkDefinition::replaceAllUses(ITensor& from, ITensor& to) {
  for (auto& layer : layers_)
    for (auto*& in : layer->inputs_)
      if (in == &from) {
        in = &to;
        invalidateFrom(layer->position_);
      }
  replaceOutput(from, to);
}

void INetworkDefinition::replaceOutput(ITensor& from, ITensor& to) {
  for (auto*& out : outputs_) {
    if (out == &from) {
      // The replacement takes over the output's name so bindings stay stable.
      std::string name = from.name_;
      from.name_ += " (replaced)";
      to.name_ = name;
      out = &to;
    }
  }
}

void INetworkDefinition::inferShapes() const {
  // Creation order is execution order, so a layer's outputs depend only on earlier layers: the
  // layers before the earliest change keep their outputs, and only the rest are inferred again.
  for (size_t l = inferredLayers_; l < layers_.size(); ++l) {
    const ILayer& layer = *layers_[l];
    std::vector<TensorDesc> ins;
    ins.reserve(layer.inputs_.size());
    for (size_t i = 0; i < layer.inputs_.size(); ++i) {
      const ITensor* in = layer.inputs_[i];
      // An input made by a later layer has no shape yet (a shape tensor created after the layer it
      // feeds), which is named here rather than seen as a bad input.
      if (in->producer_ && (in->producer_->network_ != this || in->producer_->position_ >= l))
        throw Error(layer.describe() + ": input " + std::to_string(i) + " ('" + in->name_ + "') is produced by " +
                    in->producer_->describe() +
                    ", added after this layer; add the layers computing an input before the layer that reads it");
      ins.push_back({in->dims_, in->type_, in->values_});
    }
    ++inferenceVisits_;
    std::vector<TensorDesc> outs = layer.inferOutputs(ins);
    if (!outs.empty()) outs[0].values = evaluateShapeValues(layer, ins, outs[0]);
    for (size_t i = 0; i < outs.size() && i < layer.outputs_.size(); ++i) {
      layer.outputs_[i]->dims_ = outs[i].dims;
      layer.outputs_[i]->type_ = outs[i].type;
      layer.outputs_[i]->values_ = std::move(outs[i].values);
    }
    inferredLayers_ = l + 1;
  }
}

void INetworkDefinition::validate() const {
  if (outputs_.empty()) throw Error("network has no outputs: call markOutput on at least one tensor");
  // Inputs and outputs are bound by name at run time, so each name must be distinct and non-empty.
  std::set<std::string> names;
  for (auto* t : inputs_) {
    if (t->name_.empty()) throw Error("a network input has an empty name; name it with ITensor::setName");
    if (!names.insert(t->name_).second) throw Error("two network inputs share the name '" + t->name_ + "'");
  }
  for (auto* t : outputs_) {
    if (t->isInput_)
      throw Error("network output '" + t->name_ + "' is also a network input; add an Identity layer between them");
    if (t->name_.empty()) throw Error("a network output has an empty name; name it with ITensor::setName");
    if (!names.insert(t->name_).second) throw Error("two network inputs/outputs share the name '" + t->name_ + "'");
  }
  // Layers must come after the producers of their inputs (creation order is execution order).
  std::unordered_set<const ITensor*> available(inputs_.begin(), inputs_.end());
  for (const auto& layer : layers_) {
    for (auto* in : layer->inputs_)
      if (!available.count(in))
        throw Error(layer->describe() + ": input '" + in->name_ +
                    "' is produced by a later layer or is not part of the network");
    for (auto* out : layer->outputs_) available.insert(out);
  }
  inferShapes();
}

}  // namespace trt
