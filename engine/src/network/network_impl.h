// The engine's side of the network definition: what trt/network.h's interfaces stand for. Tensors and
// layers keep their state here, the layer kinds implement their interfaces on LayerImpl (each kind in
// its own file, engine/src/layers/<kind>.cpp), and the network's state sits behind
// INetworkDefinition's one pointer. The public header holds no state and none of these hooks, so a
// change here recompiles no custom converter.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trt/network.h"

namespace trt {

class LayerBase;
class PlanWriter;
class PlanReader;

//! A tensor of a network: a network input or a layer output.
class TensorImpl final : public ITensor {
 public:
  TensorImpl(INetworkDefinition* network, std::string name) : network_(network), name_(std::move(name)) {}
  ~TensorImpl() override = default;
  void setName(const char* name) override { name_ = name ? name : ""; }  // names never change shapes
  const char* getName() const override { return name_.c_str(); }
  Dims getDimensions() const override;
  void setDimensions(Dims dims) override;
  DataType getType() const override;
  void setType(DataType type) override;
  bool isNetworkInput() const override { return isInput_; }
  bool isNetworkOutput() const override;
  ILayer* getProducer() const override;
  std::vector<int64_t> getShapeValues() const override;

  INetworkDefinition* network_;
  std::string name_;
  LayerBase* producer_ = nullptr;
  bool isInput_ = false;
  Dims dims_;                         // inputs: as declared; outputs: cached inference
  DataType type_ = DataType::kFLOAT;  // inputs: as declared; outputs: cached inference
  std::vector<int64_t> values_;       // shape tensors: cached host evaluation
};

//! The engine's view of a tensor; throws Error when `tensor` is not a tensor of a network.
TensorImpl& internals(ITensor& tensor);
const TensorImpl& internals(const ITensor& tensor);

//! What every layer has beside its kind's interface: inputs, outputs, name, pinned precision and its
//! place in the network, and the hooks the network, the plan and the builder call.
class LayerBase {
 public:
  virtual ~LayerBase() = default;
  //! Infers output shapes and types from input shapes and types; throws Error naming the layer.
  virtual std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const = 0;
  //! Writes the kind-specific parameters to a plan.
  virtual void writeParams(PlanWriter& writer) const = 0;
  //! Reads the kind-specific parameters from a plan (bounds-checked, validated).
  virtual void readParams(PlanReader& reader) = 0;
  //! The layer as its public interface.
  virtual ILayer& api() = 0;
  virtual const ILayer& api() const = 0;
  //! Explicit output types requested with setOutputType (kind-agnostic; -1 = none).
  const std::vector<int32_t>& requestedOutputTypes() const { return requestedTypes_; }

  LayerType type_;
  std::string name_;
  INetworkDefinition* network_ = nullptr;
  std::vector<TensorImpl*> inputs_;
  std::vector<TensorImpl*> outputs_;
  std::vector<int32_t> requestedTypes_;
  DataType precision_ = DataType::kFLOAT;
  bool precisionSet_ = false;
  size_t position_ = 0;  // index in the network's layers (kept by the network)

 protected:
  explicit LayerBase(LayerType type) : type_(type) {}
  //! Outputs of this layer and the layers after it must be inferred again.
  void markChanged();
  // ILayer's methods, shared by every kind (LayerImpl forwards to them).
  ITensor* inputAt(int32_t index) const;
  ITensor* outputAt(int32_t index) const;
  void replaceInput(int32_t index, ITensor& tensor);
  void requestOutputType(int32_t index, DataType type);
  DataType outputTypeAt(int32_t index) const;
  void pinPrecision(DataType type);
};

//! The engine's view of a layer; throws Error when `layer` is not a layer of this engine.
LayerBase& internals(ILayer& layer);
const LayerBase& internals(const ILayer& layer);

//! A layer kind's implementation base: ILayer's methods over LayerBase's state, under the kind's
//! interface `Interface` (IConvolutionLayer, ...).
template <class Interface>
class LayerImpl : public Interface, public LayerBase {
 public:
  LayerType getType() const override { return type_; }
  void setName(const char* name) override { name_ = name ? name : ""; }
  const char* getName() const override { return name_.c_str(); }
  int32_t getNbInputs() const override { return static_cast<int32_t>(inputs_.size()); }
  ITensor* getInput(int32_t index) const override { return inputAt(index); }
  void setInput(int32_t index, ITensor& tensor) override { replaceInput(index, tensor); }
  int32_t getNbOutputs() const override { return static_cast<int32_t>(outputs_.size()); }
  ITensor* getOutput(int32_t index) const override { return outputAt(index); }
  void setOutputType(int32_t index, DataType type) override { requestOutputType(index, type); }
  DataType getOutputType(int32_t index) const override { return outputTypeAt(index); }
  void setPrecision(DataType type) override { pinPrecision(type); }
  DataType getPrecision() const override { return precisionSet_ ? precision_ : DataType::kFLOAT; }
  bool precisionIsSet() const override { return precisionSet_; }
  void resetPrecision() override {
    precisionSet_ = false;
    markChanged();
  }
  ILayer& api() override { return *this; }
  const ILayer& api() const override { return *this; }

 protected:
  explicit LayerImpl(LayerType type) : LayerBase(type) {}
};

//! The network's state: the tensors and layers it owns, its inputs and outputs, and how far shapes
//! are inferred.
class NetworkState {
 public:
  //! The state behind `network`.
  static NetworkState& of(const INetworkDefinition& network) { return *network.state_; }

  //! Inserts a layer built elsewhere (plan reader, builder passes) with its inputs and `nbOutputs`
  //! new outputs; returns it.
  LayerBase& adoptLayer(INetworkDefinition& network, std::unique_ptr<LayerBase> layer,
                        const std::vector<ITensor*>& inputs, int32_t nbOutputs);
  //! A new tensor owned by the network.
  TensorImpl* newTensor(INetworkDefinition& network, const std::string& name);
  //! The outputs of layers from `position` on may have changed (a parameter, an input, the order).
  void invalidateFrom(size_t position) { inferredLayers_ = std::min(inferredLayers_, position); }
  //! Renumbers the positions of layers [from, to).
  void renumber(size_t from, size_t to);

  std::vector<std::unique_ptr<TensorImpl>> tensors_;
  std::vector<std::unique_ptr<LayerBase>> layers_;
  std::vector<TensorImpl*> inputs_;
  std::vector<TensorImpl*> outputs_;
  size_t inferredLayers_ = 0;  // layers [0, inferredLayers_) have their outputs inferred
  uint64_t inferenceVisits_ = 0;
  int64_t nextTensorNumber_ = 0;
};

}  // namespace trt
