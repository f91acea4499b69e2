// Network definition: tensors, layers and the network that owns them, in the shape of
// TensorRT's INetworkDefinition. Shapes are inferred on demand from the layers' parameters,
// so a converter can call getDimensions() on any output right after adding a layer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trt/types.h"

namespace trt {

class ILayer;
class INetworkDefinition;
class PlanWriter;
class PlanReader;

//! A tensor of the network: a network input, a layer output, or both a layer output and a network output.
class ITensor {
 public:
  //! Sets the tensor's name; network inputs and outputs are bound by it at run time.
  void setName(const char* name);
  //! The tensor's name.
  const char* getName() const { return name_.c_str(); }
  //! The tensor's dimensions (inferred from its producer; -1 where only known at run time).
  Dims getDimensions() const;
  //! Sets the dimensions of a network input; refused for layer outputs.
  void setDimensions(Dims dims);
  //! The element type.
  DataType getType() const;
  //! Sets the element type of a network input; for layer outputs use ILayer::setOutputType.
  void setType(DataType type);
  //! True for tensors created with addInput.
  bool isNetworkInput() const { return isInput_; }
  //! True for tensors passed to markOutput.
  bool isNetworkOutput() const;
  //! The layer that produces this tensor, or nullptr for a network input.
  ILayer* getProducer() const { return producer_; }
  //! For a shape tensor (a small int32/int64 tensor computed from shapes and constants), its values
  //! as far as the build knows them (kUnknownShapeValue where a dynamic dimension decides); else empty.
  std::vector<int64_t> getShapeValues() const;

 private:
  friend class INetworkDefinition;
  friend class ILayer;
  ITensor(INetworkDefinition* network, std::string name) : network_(network), name_(std::move(name)) {}
  INetworkDefinition* network_;
  std::string name_;
  ILayer* producer_ = nullptr;
  bool isInput_ = false;
  Dims dims_;                         // inputs: as declared; outputs: cached inference
  DataType type_ = DataType::kFLOAT;  // inputs: as declared; outputs: cached inference
  std::vector<int64_t> values_;       // shape tensors: cached host evaluation
};

//! An element of a shape tensor whose value is only known at run time (dynamic input dims).
constexpr int64_t kUnknownShapeValue = INT64_MIN;
//! Integer tensors up to this many elements have their values evaluated on the host while shapes
//! are inferred (shape tensors: sizes, reshape dims, slice bounds).
constexpr int64_t kMaxShapeTensorVolume = 64;

//! Shape and type of one tensor, as used by shape inference.
struct TensorDesc {
  Dims dims;
  DataType type = DataType::kFLOAT;
  //! A shape tensor's values (row-major; kUnknownShapeValue where only the run time knows), or
  //! empty when the tensor is not a shape tensor.
  std::vector<int64_t> values = {};
};

//! Base of every layer: inputs, outputs, name, and the kind-specific shape inference.
class ILayer {
 public:
  virtual ~ILayer() = default;
  //! The layer's kind.
  LayerType getType() const { return type_; }
  //! Sets the name used in logs, errors and the engine inspector.
  void setName(const char* name) { name_ = name ? name : ""; }
  //! The layer's name.
  const char* getName() const { return name_.c_str(); }
  //! Number of inputs.
  int32_t getNbInputs() const { return static_cast<int32_t>(inputs_.size()); }
  //! Input i, or nullptr when out of range.
  ITensor* getInput(int32_t index) const;
  //! Replaces input i; the tensor must belong to the same network. Index == getNbInputs() adds an optional
  //! input: a convolution's residual (index 1), a matrix multiply's bias (index 2) or a normalization's
  //! residual (index 3).
  void setInput(int32_t index, ITensor& tensor);
  //! Number of outputs.
  int32_t getNbOutputs() const { return static_cast<int32_t>(outputs_.size()); }
  //! Output i, or nullptr when out of range.
  ITensor* getOutput(int32_t index) const;
  //! Requests an output element type (honoured by Identity as a cast; others must match).
  void setOutputType(int32_t index, DataType type);
  //! The requested output type, or the inferred one when none was requested.
  DataType getOutputType(int32_t index) const;
  //! Pins the type the layer computes in (kFLOAT keeps it out of FP16 even when the builder may use FP16).
  void setPrecision(DataType type);
  //! The pinned precision (kFLOAT when none is pinned).
  DataType getPrecision() const { return precisionSet_ ? precision_ : DataType::kFLOAT; }
  //! Whether setPrecision was called (and not reset).
  bool precisionIsSet() const { return precisionSet_; }
  //! Lets the builder choose the precision again.
  void resetPrecision();

  // --- used by the engine itself ---
  //! Infers output shapes and types from input shapes and types; throws Error naming the layer.
  virtual std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const = 0;
  //! Writes the kind-specific parameters to a plan.
  virtual void writeParams(PlanWriter& writer) const = 0;
  //! Reads the kind-specific parameters from a plan (bounds-checked, validated).
  virtual void readParams(PlanReader& reader) = 0;
  //! A prefix for errors: `Layer 'name' (Kind)`.
  std::string describe() const;
  //! Explicit output types requested with setOutputType (kind-agnostic; -1 = none).
  const std::vector<int32_t>& requestedOutputTypes() const { return requestedTypes_; }

 protected:
  explicit ILayer(LayerType type) : type_(type) {}
  void markChanged();

 private:
  friend class INetworkDefinition;
  LayerType type_;
  std::string name_;
  INetworkDefinition* network_ = nullptr;
  std::vector<ITensor*> inputs_;
  std::vector<ITensor*> outputs_;
  std::vector<int32_t> requestedTypes_;
  DataType precision_ = DataType::kFLOAT;
  bool precisionSet_ = false;
  size_t position_ = 0;  // index in the network's layers (kept by INetworkDefinition)
};

//! What convolutions and deconvolutions share: output maps, the kernel window (size, stride,
//! padding, dilation), groups and float32 weights.
class IConvolutionBase : public ILayer {
 public:
  //! Number of output feature maps.
  int32_t getNbOutputMaps() const { return nbOutputMaps_; }
  //! Sets the number of output feature maps (must match the kernel weights).
  void setNbOutputMaps(int32_t n);
  //! Kernel spatial size (1 to 3 dims).
  Dims getKernelSizeNd() const { return kernelSize_; }
  void setKernelSizeNd(Dims k);
  //! Stride per spatial dimension (default 1).
  void setStrideNd(Dims stride);
  Dims getStrideNd() const { return stride_; }
  //! Symmetric padding per spatial dimension.
  void setPaddingNd(Dims padding);
  Dims getPaddingNd() const { return prePadding_; }
  //! Padding before each spatial dimension (not negative).
  void setPrePadding(Dims padding);
  Dims getPrePadding() const { return prePadding_; }
  //! Padding after each spatial dimension; a deconvolution's may be negative: the output grows there
  //! instead (PyTorch's output_padding p is post padding = padding - p).
  void setPostPadding(Dims padding);
  Dims getPostPadding() const { return postPadding_; }
  //! Dilation per spatial dimension (default 1).
  void setDilationNd(Dims dilation);
  Dims getDilationNd() const { return dilation_; }
  //! Number of groups; input and output channels must both divide by it.
  void setNbGroups(int32_t groups);
  int32_t getNbGroups() const { return groups_; }
  //! Kernel weights as float32: [out, in/groups, k...] for a convolution, [in, out/groups, k...] for a
  //! deconvolution (PyTorch's layouts).
  void setKernelWeights(Weights w);
  Weights getKernelWeights() const;
  //! Bias weights, [out] as float32, or count 0 for none.
  void setBiasWeights(Weights w);
  Weights getBiasWeights() const;

 protected:
  explicit IConvolutionBase(LayerType type) : ILayer(type) {}
  //! Checks `in` is [N, C, spatial...] for the kernel, with static C splitting into the groups, and
  //! that the bias (if any) has one value per output map.
  void requireGroupedInput(const Dims& in, const char* kind) const;
  //! Reads output maps, kernel size, stride, paddings, dilation and groups from a plan, checked by the
  //! rules the setters apply.
  void readWindowParams(PlanReader& reader);
  int32_t nbOutputMaps_ = 0;
  Dims kernelSize_;
  Dims stride_, prePadding_, postPadding_, dilation_;
  int32_t groups_ = 1;
  std::vector<float> kernel_;
  std::vector<float> bias_;
};

class IConvolutionLayer : public IConvolutionBase {
 public:
  IConvolutionLayer() : IConvolutionBase(LayerType::kCONVOLUTION) {}
  //! A second input, when set (by the builder's residual fusion), is added to the output after the bias
  //! and before the fused activation: y = act(conv(x) + bias + residual).
  //! Folds activation `type` into the output (set by the builder's fusion pass).
  void setFusedActivation(int32_t activationOrMinusOne);
  int32_t getFusedActivation() const { return fusedActivation_; }
  //! Channels-last tensors: input, residual and output are [N, H, W, C] instead of [N, C, H, W]
  //! (2-D convolutions; set by the builder's layout pass for the CUDA backend's NHWC kernels).
  void setChannelsLast(bool channelsLast) {
    channelsLast_ = channelsLast;
    markChanged();
  }
  bool getChannelsLast() const { return channelsLast_; }
  //! Makes the convolution INT8 (set by the builder from Q/DQ pairs or calibration): the FP32 (or FP16) input
  //! is quantized with `inputScale` (q = clamp(round(x / s), -128, 127)), the weights per output
  //! channel with `weightScales`, products summed in INT32, then y = act(sum * s * ws[c] + bias + residual).
  void setInt8Scales(float inputScale, std::vector<float> weightScales);
  //! The input scale, or 0 when the convolution is not INT8.
  float getInt8InputScale() const { return int8InputScale_; }
  //! Per-output-channel weight scales of an INT8 convolution (empty otherwise).
  const std::vector<float>& getInt8WeightScales() const { return int8WeightScales_; }
  //! True once setInt8Scales was called.
  bool isInt8() const { return int8InputScale_ > 0.f; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  bool channelsLast_ = false;
  int32_t fusedActivation_ = -1;
  float int8InputScale_ = 0.f;
  std::vector<float> int8WeightScales_;
};

class IDeconvolutionLayer : public IConvolutionBase {
 public:
  IDeconvolutionLayer() : IConvolutionBase(LayerType::kDECONVOLUTION) {}

  //! Output [N, out, o...] with o = (i - 1) * stride + dilation * (k - 1) + 1 - pre - post per spatial dim.
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

class IActivationLayer : public ILayer {
 public:
  IActivationLayer() : ILayer(LayerType::kACTIVATION) {}
  //! The activation function.
  void setActivationType(ActivationType type);
  ActivationType getActivationType() const { return activation_; }
  //! First parameter (leaky slope, elu alpha, clip lower bound, ...).
  void setAlpha(float alpha);
  float getAlpha() const { return alpha_; }
  //! Second parameter (clip upper bound, scaled-tanh scale, ...).
  void setBeta(float beta);
  float getBeta() const { return beta_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ActivationType activation_ = ActivationType::kRELU;
  float alpha_ = 0.f, beta_ = 0.f;
};

class IPoolingLayer : public ILayer {
 public:
  IPoolingLayer() : ILayer(LayerType::kPOOLING) {}
  //! Max or average.
  void setPoolingType(PoolingType type);
  PoolingType getPoolingType() const { return pooling_; }
  //! Window size per spatial dimension (1 to 3 dims).
  void setWindowSizeNd(Dims window);
  Dims getWindowSizeNd() const { return window_; }
  //! Stride per spatial dimension (defaults to the window size).
  void setStrideNd(Dims stride);
  Dims getStrideNd() const { return stride_; }
  //! Symmetric padding per spatial dimension.
  void setPaddingNd(Dims padding);
  Dims getPaddingNd() const { return prePadding_; }
  void setPrePadding(Dims padding);
  Dims getPrePadding() const { return prePadding_; }
  void setPostPadding(Dims padding);
  Dims getPostPadding() const { return postPadding_; }
  //! Round output sizes down (floor) or up (ceil mode).
  void setPaddingMode(PaddingMode mode);
  PaddingMode getPaddingMode() const { return paddingMode_; }
  //! Average pooling divides by the in-bounds count only when true (default true, as TensorRT).
  void setAverageCountExcludesPadding(bool exclusive);
  bool getAverageCountExcludesPadding() const { return excludePadding_; }
  //! Channels-last tensors: [N, H, W, C] in and out (2-D windows; set by the builder's layout pass).
  void setChannelsLast(bool channelsLast) {
    channelsLast_ = channelsLast;
    markChanged();
  }
  bool getChannelsLast() const { return channelsLast_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  bool channelsLast_ = false;
  PoolingType pooling_ = PoolingType::kMAX;
  Dims window_, stride_, prePadding_, postPadding_;
  PaddingMode paddingMode_ = PaddingMode::kEXPLICIT_ROUND_DOWN;
  bool excludePadding_ = true;
};

class IElementWiseLayer : public ILayer {
 public:
  IElementWiseLayer() : ILayer(LayerType::kELEMENTWISE) {}
  //! The binary operation; inputs broadcast as in numpy.
  void setOperation(ElementWiseOperation op);
  ElementWiseOperation getOperation() const { return op_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ElementWiseOperation op_ = ElementWiseOperation::kSUM;
};

class IMatrixMultiplyLayer : public ILayer {
 public:
  IMatrixMultiplyLayer() : ILayer(LayerType::kMATRIX_MULTIPLY) {}
  //! How input `index` (0 or 1) is used: as is, transposed, or as a vector.
  void setOperation(int32_t index, MatrixOperation op);
  MatrixOperation getOperation(int32_t index) const;
  //! A third input, when set (by the builder's bias fusion), is a bias of one value per output column
  //! (volume = the output's last dimension), added before the fused activation.
  //! Folds ReLU into the output (set by the builder's fusion pass; -1 for none).
  void setFusedActivation(int32_t activationOrMinusOne);
  int32_t getFusedActivation() const { return fusedActivation_; }
  //! Scales the product before the bias (set by the builder when a scalar multiply follows; default 1).
  void setAlpha(float alpha);
  float getAlpha() const { return alpha_; }
  //! Makes the product INT8 (set by the builder from Q/DQ pairs or calibration): input 0 (float32 or
  //! float16, used as is) is quantized with `inputScale`; input 1 must then be an INT8 matrix [N, K] used
  //! transposed, its row n quantized with `weightScales[n]`; products are summed in INT32, then
  //! y = act(alpha * (sum * s * ws[n]) + bias[n]) in FP32, stored in input 0's type.
  void setInt8Scales(float inputScale, std::vector<float> weightScales);
  //! The input scale, or 0 when the product is not INT8.
  float getInt8InputScale() const { return int8InputScale_; }
  //! Per-output-column weight scales of an INT8 product (empty otherwise).
  const std::vector<float>& getInt8WeightScales() const { return int8WeightScales_; }
  //! True once setInt8Scales was called.
  bool isInt8() const { return int8InputScale_ > 0.f; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  MatrixOperation ops_[2] = {MatrixOperation::kNONE, MatrixOperation::kNONE};
  int32_t fusedActivation_ = -1;
  float alpha_ = 1.f;
  float int8InputScale_ = 0.f;
  std::vector<float> int8WeightScales_;
};

//! Order of dimensions for a transpose: output dim i takes input dim order[i].
struct Permutation {
  int32_t order[Dims::MAX_DIMS] = {0, 1, 2, 3, 4, 5, 6, 7};
};

class IShuffleLayer : public ILayer {
 public:
  IShuffleLayer() : ILayer(LayerType::kSHUFFLE) {}
  //! Transpose applied before the reshape.
  void setFirstTranspose(Permutation permutation);
  Permutation getFirstTranspose() const { return first_; }
  //! Reshape dimensions; 0 copies the input dim (when zero is a placeholder), -1 is inferred. An
  //! optional input 1 (setInput(1, t)), a 1-D shape tensor, gives them at run time instead.
  void setReshapeDimensions(Dims dims);
  Dims getReshapeDimensions() const { return reshape_; }
  //! The reshape dimensions in effect: input 1's values when set (-2 where the run time decides), else
  //! the static ones.
  Dims requestedReshape(const std::vector<TensorDesc>& inputs) const;
  //! Transpose applied after the reshape.
  void setSecondTranspose(Permutation permutation);
  Permutation getSecondTranspose() const { return second_; }
  //! Whether 0 in the reshape dims copies the input dim (default true).
  void setZeroIsPlaceholder(bool zeroIsPlaceholder);
  bool getZeroIsPlaceholder() const { return zeroIsPlaceholder_; }
  //! True when setReshapeDimensions was called.
  bool hasReshape() const { return hasReshape_ || getNbInputs() > 1; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Permutation first_, second_;
  Dims reshape_;
  bool hasReshape_ = false;
  bool zeroIsPlaceholder_ = true;
};

//! Read-only bytes that copies of a network (the builder's working copy) share instead of copying, and
//! that may be lent by the caller (a framework tensor) instead of copied into the network.
class SharedBytes {
 public:
  SharedBytes() = default;
  //! A copy of `size` bytes at `data`.
  static SharedBytes copyOf(const void* data, size_t size);
  //! Takes `bytes` over without copying.
  static SharedBytes adopt(std::vector<uint8_t>&& bytes);
  //! Refers to `size` bytes at `data` without copying; `owner` keeps them alive and unchanged.
  static SharedBytes borrow(const void* data, size_t size, std::shared_ptr<const void> owner);
  //! The first byte (nullptr when empty).
  const uint8_t* data() const { return data_; }
  //! The number of bytes.
  size_t size() const { return size_; }
  //! Whether there are no bytes.
  bool empty() const { return size_ == 0; }

 private:
  std::shared_ptr<const void> owner_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

class IConstantLayer : public ILayer {
 public:
  IConstantLayer() : ILayer(LayerType::kCONSTANT) {}
  //! Sets the values (copied); the count must match the dimensions' volume.
  void setWeights(Weights weights);
  //! Sets the values without copying them: `owner` keeps `weights.values` alive and unchanged for as
  //! long as this network, or a copy made of it, exists (the caller's tensor lent to the network).
  void setWeights(Weights weights, std::shared_ptr<const void> owner);
  Weights getWeights() const;
  //! Sets the output dimensions.
  void setDimensions(Dims dims);
  Dims getDimensions() const { return dims_; }
  //! Raw bytes of the values.
  const SharedBytes& bytes() const { return bytes_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Dims dims_;
  DataType dataType_ = DataType::kFLOAT;
  SharedBytes bytes_;
};

class IReduceLayer : public ILayer {
 public:
  IReduceLayer() : ILayer(LayerType::kREDUCE) {}
  void setOperation(ReduceOperation op);
  ReduceOperation getOperation() const { return op_; }
  //! Bit i set reduces over dimension i.
  void setReduceAxes(uint32_t axes);
  uint32_t getReduceAxes() const { return axes_; }
  //! Keep reduced dimensions as size 1.
  void setKeepDimensions(bool keep);
  bool getKeepDimensions() const { return keep_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ReduceOperation op_ = ReduceOperation::kSUM;
  uint32_t axes_ = 0;
  bool keep_ = false;
};

class ISoftMaxLayer : public ILayer {
 public:
  ISoftMaxLayer() : ILayer(LayerType::kSOFTMAX) {}
  //! Bit mask with exactly one bit: the axis softmax normalizes over. An optional second input
  //! (setInput(1, mask)) is added to the input first, broadcast: softmax(x + mask), as attention's mask.
  void setAxes(uint32_t axes);
  uint32_t getAxes() const { return axes_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  uint32_t axes_ = 0;  // 0 means "not set": TensorRT's default, the last of the three innermost
};

class IConcatenationLayer : public ILayer {
 public:
  IConcatenationLayer() : ILayer(LayerType::kCONCATENATION) {}
  //! The axis inputs are joined along (default 0).
  void setAxis(int32_t axis);
  int32_t getAxis() const { return axis_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int32_t axis_ = 0;
  ScatterReduction reduction_ = ScatterReduction::kNONE;
  bool includeSelf_ = true;
  ScatterMode mode_ = ScatterMode::kELEMENT;
};

//! Copies its input; with setOutputType it casts.
class IIdentityLayer : public ILayer {
 public:
  IIdentityLayer() : ILayer(LayerType::kIDENTITY) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

//! Elementwise unary function: math on floats, NOT on bools, ISINF/ISNAN giving bools.
class IUnaryLayer : public ILayer {
 public:
  IUnaryLayer() : ILayer(LayerType::kUNARY) {}
  //! The function applied to every element.
  void setOperation(UnaryOperation op);
  UnaryOperation getOperation() const { return op_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  UnaryOperation op_ = UnaryOperation::kEXP;
};

//! A strided window of the input: output[i] = input[start + i * stride] per dimension. Optional
//! inputs 1, 2 and 3 (setInput) are 1-D shape tensors that replace start, size and stride: a window
//! computed from run-time sizes.
class ISliceLayer : public ILayer {
 public:
  ISliceLayer() : ILayer(LayerType::kSLICE) {}
  //! First element read in each dimension.
  void setStart(Dims start);
  Dims getStart() const { return start_; }
  //! Output size in each dimension.
  void setSize(Dims size);
  Dims getSize() const { return size_; }
  //! Step in each dimension (may be negative to walk backwards).
  void setStride(Dims stride);
  Dims getStride() const { return stride_; }
  //! How reads outside the input are resolved (default: they are an error).
  void setMode(SampleMode mode);
  SampleMode getMode() const { return mode_; }
  //! Value written for reads outside the input in kFILL mode (converted to the tensor's type).
  void setFillValue(double value);
  double getFillValue() const { return fill_; }

  //! Start, size and stride with shape-tensor inputs' values in place of the static ones
  //! (kUnknownShapeValue where the run time decides).
  struct Window {
    Dims start, size, stride;
  };
  Window effectiveWindow(const std::vector<TensorDesc>& inputs) const;

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Dims start_, size_, stride_;
  SampleMode mode_ = SampleMode::kSTRICT_BOUNDS;
  double fill_ = 0.0;
};

//! Elementwise choice: output = condition ? thenInput : elseInput, all three broadcast as in numpy.
class ISelectLayer : public ILayer {
 public:
  ISelectLayer() : ILayer(LayerType::kSELECT) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

//! Gathers slices of data along an axis by int32/int64 indices (TensorRT's default gather mode):
//! output shape = data[:axis] + indices + data[axis+1:].
class IGatherLayer : public ILayer {
 public:
  IGatherLayer() : ILayer(LayerType::kGATHER) {}
  //! The data axis the indices select along.
  void setGatherAxis(int32_t axis);
  int32_t getGatherAxis() const { return axis_; }
  //! Slices by index (default) or one element per index (element mode).
  void setMode(GatherMode mode);
  GatherMode getMode() const { return mode_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int32_t axis_ = 0;
  GatherMode mode_ = GatherMode::kDEFAULT;
};

//! Resizes the input to given output dims by nearest, (multi-)linear or cubic interpolation, with
//! PyTorch's coordinate rules (see ResizeCoordinateTransformation); float32 data.
class IResizeLayer : public ILayer {
 public:
  IResizeLayer() : ILayer(LayerType::kRESIZE) {}
  //! The output dims (same rank as the input); setInput(1, shapeTensor) gives them at run time instead.
  void setOutputDimensions(Dims dims);
  Dims getOutputDimensions() const { return outDims_; }
  void setResizeMode(InterpolationMode mode);
  InterpolationMode getResizeMode() const { return mode_; }
  void setCoordinateTransformation(ResizeCoordinateTransformation transform);
  ResizeCoordinateTransformation getCoordinateTransformation() const { return transform_; }
  //! Input elements per output element in each dim (1/scale_factor); 0 means in/out.
  void setScales(const std::vector<double>& ratios);
  const std::vector<double>& getScales() const { return ratios_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  Dims outDims_;
  InterpolationMode mode_ = InterpolationMode::kNEAREST;
  ResizeCoordinateTransformation transform_ = ResizeCoordinateTransformation::kASYMMETRIC;
  std::vector<double> ratios_;
};

//! The k largest or smallest elements along one axis, sorted, as values (the input's type) or as
//! int64 indices. Ties go to the lower index; NaN counts as larger than every number (PyTorch).
//! Optional input 1 (setInput(1, k)), a [1] int32/int64 shape tensor, gives k at run time instead
//! (a sort of a whole dynamic axis, or a k computed from sizes).
class ITopKLayer : public ILayer {
 public:
  ITopKLayer() : ILayer(LayerType::kTOPK) {}
  void setOperation(TopKOperation op);
  TopKOperation getOperation() const { return op_; }
  //! Sets the number of elements kept (ignored while input 1 gives k at run time).
  void setK(int64_t k);
  //! The static k; a run-time k is the output's size along the axis.
  int64_t getK() const { return k_; }
  //! Bit i set selects along dimension i (exactly one bit).
  void setReduceAxes(uint32_t axes);
  uint32_t getReduceAxes() const { return axes_; }
  void setOutputKind(TopKOutput kind);
  TopKOutput getOutputKind() const { return output_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  TopKOperation op_ = TopKOperation::kMAX;
  int64_t k_ = 1;
  uint32_t axes_ = 1;
  TopKOutput output_ = TopKOutput::kVALUES;
};

//! (x - mean) / sqrt(var + epsilon) * scale + bias, with mean and (biased) variance over the axes in
//! the mask, computed in FP32 whatever x's type; inputs x, scale, bias (scale and bias broadcast to x),
//! and optionally a residual of x's shape added to x first (set by the builder's fusion pass).
class INormalizationLayer : public ILayer {
 public:
  INormalizationLayer() : ILayer(LayerType::kNORMALIZATION) {}
  //! Added to the variance before the square root (default 1e-5).
  void setEpsilon(float eps);
  float getEpsilon() const { return epsilon_; }
  //! Bit i set normalizes over dimension i (at least one bit).
  void setAxes(uint32_t axesMask);
  uint32_t getAxes() const { return axes_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  float epsilon_ = 1e-5f;
  uint32_t axes_ = 1;
};

//! What Quantize and Dequantize share: symmetric INT8 scales (zero point 0), one for the tensor or
//! one per index of an axis.
class IQuantizationLayer : public ILayer {
 public:
  //! One positive scale (per tensor) or one per index of the axis.
  void setScales(std::vector<float> scales);
  const std::vector<float>& getScales() const { return scales_; }
  //! The axis the scales run along; -1 for a per-tensor scale.
  void setAxis(int32_t axis);
  int32_t getAxis() const { return axis_; }

  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 protected:
  using ILayer::ILayer;
  //! Checks one input of type `expected` whose axis matches the scales.
  void checkInput(const std::vector<TensorDesc>& inputs, DataType expected, const char* verb) const;

 private:
  std::vector<float> scales_{1.f};
  int32_t axis_ = -1;
};

//! Quantization to INT8 (TensorRT's IQuantizeLayer, symmetric): q = clamp(round_half_even(x * (1/s)),
//! -128, 127) with one scale, or one per index of `axis`. FP32 input, INT8 output.
class IQuantizeLayer : public IQuantizationLayer {
 public:
  IQuantizeLayer() : IQuantizationLayer(LayerType::kQUANTIZE) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
};

//! Dequantization of INT8 to FP32 (TensorRT's IDequantizeLayer): y = q * s, scales as IQuantizeLayer.
class IDequantizeLayer : public IQuantizationLayer {
 public:
  IDequantizeLayer() : IQuantizationLayer(LayerType::kDEQUANTIZE) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
};

//! Running sum or product along one axis (TensorRT's ICumulativeLayer): y[i] = x[0] op ... op x[i]
//! (exclusive: up to x[i-1], starting from 0 or 1; reverse: from the far end). float32, float16
//! (accumulated in FP32), int32 and int64 (accumulated in int64).
class ICumulativeLayer : public ILayer {
 public:
  ICumulativeLayer() : ILayer(LayerType::kCUMULATIVE) {}
  void setOperation(CumulativeOperation op);
  CumulativeOperation getOperation() const { return op_; }
  //! The axis accumulated along (0 to rank - 1).
  void setAxis(int32_t axis);
  int32_t getAxis() const { return axis_; }
  //! Exclude the current element (default false).
  void setExclusive(bool exclusive);
  bool getExclusive() const { return exclusive_; }
  //! Accumulate from the last element backwards (default false).
  void setReverse(bool reverse);
  bool getReverse() const { return reverse_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  CumulativeOperation op_ = CumulativeOperation::kSUM;
  int32_t axis_ = 0;
  bool exclusive_ = false;
  bool reverse_ = false;
};

//! Scatter (TensorRT's IScatterLayer): y = data, then updates written into it.
//! kELEMENT (torch.scatter): indices (int32/int64, the data's rank, no larger than the data outside
//! the axis) and updates (the indices' shape): y[p with p[axis] = indices[p]] = updates[p] for every
//! position p of the indices; indices must lie in [0, size of the axis).
//! kND (ONNX ScatterND, x[i, j] = v): indices [..., k] hold index tuples into the data's first k
//! dimensions; updates [indices' leading dims..., data dims k...]: each tuple's slice of y is
//! replaced by (or reduced with) its slice of updates. The axis is not used.
//! Updates are the data's type. When two positions write the same element without a reduction,
//! which one wins is unspecified (as in PyTorch).
class IScatterLayer : public ILayer {
 public:
  IScatterLayer() : ILayer(LayerType::kSCATTER) {}
  void setAxis(int32_t axis);
  int32_t getAxis() const { return axis_; }
  //! kELEMENT (default) or kND.
  void setMode(ScatterMode mode);
  ScatterMode getMode() const { return mode_; }
  //! Combines updates with the elements they land on (duplicate indices all count) instead of
  //! writing them; with `includeSelf` false an element any index reaches starts from the
  //! reduction's identity instead of its data value (torch.scatter_reduce's include_self). kMEAN
  //! divides by the number of values combined. Reductions take float32, float16, int32 or int64
  //! data (kMEAN floating point only).
  void setReduction(ScatterReduction reduction, bool includeSelf = true);
  ScatterReduction getReduction() const { return reduction_; }
  bool getIncludeSelf() const { return includeSelf_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int32_t axis_ = 0;
  ScatterReduction reduction_ = ScatterReduction::kNONE;
  bool includeSelf_ = true;
  ScatterMode mode_ = ScatterMode::kELEMENT;
};

//! 2-D grid sampling (TensorRT's IGridSampleLayer, torch.nn.functional.grid_sample): input
//! [N, C, H, W] read at the normalized (x, y) positions of grid [N, Ho, Wo, 2], giving [N, C, Ho, Wo].
//! -1 and 1 are the centers of the corner pixels with alignCorners, else their outer edges.
//! Interpolation: kNEAREST (round half to even), kLINEAR (bilinear) or kCUBIC (bicubic, A = -0.75).
//! Positions outside the input: kFILL (zeros), kCLAMP (the border) or kREFLECT (mirrored at the edges).
class IGridSampleLayer : public ILayer {
 public:
  IGridSampleLayer() : ILayer(LayerType::kGRID_SAMPLE) {}
  void setInterpolationMode(InterpolationMode mode);
  InterpolationMode getInterpolationMode() const { return mode_; }
  void setAlignCorners(bool alignCorners);
  bool getAlignCorners() const { return alignCorners_; }
  //! kFILL (default), kCLAMP or kREFLECT.
  void setSampleMode(SampleMode mode);
  SampleMode getSampleMode() const { return sampleMode_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  InterpolationMode mode_ = InterpolationMode::kLINEAR;
  bool alignCorners_ = false;
  SampleMode sampleMode_ = SampleMode::kFILL;
};

//! The dimensions of its input as a 1-D int64 tensor [rank] (a shape tensor: evaluated on the host
//! while shapes are inferred, so it can feed reshape dimensions, slice bounds and fill dimensions).
class IShapeLayer : public ILayer {
 public:
  IShapeLayer() : ILayer(LayerType::kSHAPE) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

//! A generated tensor: a constant, or alpha + sum_d beta[d] * index[d] (linspace, arange). Its
//! dimensions are static (setDimensions) or, with input 0 set, the values of a 1-D shape tensor.
class IFillLayer : public ILayer {
 public:
  IFillLayer() : ILayer(LayerType::kFILL) {}
  void setOperation(FillOperation op);
  FillOperation getOperation() const { return op_; }
  //! Output dimensions when no shape tensor gives them.
  void setDimensions(Dims dims);
  Dims getDimensions() const { return dims_; }
  //! Output element type: kFLOAT, kHALF, kINT32, kINT64 or kBOOL (kBOOL for kCONSTANT only).
  void setDataType(DataType type);
  DataType getDataType() const { return type_; }
  //! The constant, or the linspace's first value.
  void setAlpha(double alpha);
  double getAlpha() const { return alpha_; }
  //! Linspace steps, one per output dimension (dimension d adds beta[d] * index[d]).
  void setBeta(std::vector<double> beta);
  const std::vector<double>& getBeta() const { return beta_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  FillOperation op_ = FillOperation::kCONSTANT;
  Dims dims_{};
  DataType type_ = DataType::kFLOAT;
  double alpha_ = 0.0;
  std::vector<double> beta_;
};

//! The coordinates of the input's nonzero (true) elements, in row-major order: int64 [rank, count].
//! count is data-dependent: -1 until the layer has run; later layers' shapes follow it at run time and
//! a network output whose shape depends on it is returned through an IOutputAllocator.
class INonZeroLayer : public ILayer {
 public:
  INonZeroLayer() : ILayer(LayerType::kNON_ZERO) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

//! Einstein summation over 1 to 4 float inputs: "ij,jk->ik", or implicit ("ij,jk": labels used once,
//! in alphabetical order). A label repeated in one input takes its diagonal; a size-1 dimension
//! broadcasts to its label's size (as torch.einsum); labels missing from the output are summed.
class IEinsumLayer : public ILayer {
 public:
  IEinsumLayer() : ILayer(LayerType::kEINSUM) {}
  //! Sets the equation (letters, commas, an optional "->" and output letters; no spaces or ellipses).
  void setEquation(const char* equation);
  const char* getEquation() const { return equation_.c_str(); }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  std::string equation_;
};

//! One-hot encoding: indices (int32/int64) give output[..., depth axis at `axis`, ...] = on where the
//! position equals the index (negative indices count from the end), off elsewhere and for indices
//! outside [-depth, depth). Input 1 holds [off, on] in the output type.
class IOneHotLayer : public ILayer {
 public:
  IOneHotLayer() : ILayer(LayerType::kONE_HOT) {}
  //! Positions along the new axis (> 0).
  void setDepth(int64_t depth);
  int64_t getDepth() const { return depth_; }
  //! Where the new axis goes in the output (-1: last).
  void setAxis(int32_t axis);
  int32_t getAxis() const { return axis_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  int64_t depth_ = 1;
  int32_t axis_ = -1;
};

//! y = (x * scale + shift) ^ power with coefficients per tensor, per channel or per element of a
//! sample (ScaleMode); an empty coefficient list means the identity (scale 1, shift 0, power 1).
class IScaleLayer : public ILayer {
 public:
  IScaleLayer() : ILayer(LayerType::kSCALE) {}
  void setMode(ScaleMode mode);
  ScaleMode getMode() const { return mode_; }
  //! The channel axis for kCHANNEL and the first per-element axis for kELEMENTWISE (default 1).
  void setChannelAxis(int32_t axis);
  int32_t getChannelAxis() const { return channelAxis_; }
  void setShift(std::vector<float> shift);
  const std::vector<float>& getShift() const { return shift_; }
  void setScale(std::vector<float> scale);
  const std::vector<float>& getScale() const { return scale_; }
  void setPower(std::vector<float> power);
  const std::vector<float>& getPower() const { return power_; }
  //! How many coefficients each non-empty list needs for an input of `dims`.
  int64_t coefficientCount(const Dims& dims) const;

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  ScaleMode mode_ = ScaleMode::kUNIFORM;
  int32_t channelAxis_ = 1;
  std::vector<float> shift_, scale_, power_;
};

//! y = x > 0 ? x : slope * x (PyTorch's prelu: -0.0 takes the slope), the slope (input 1) broadcast to x.
class IParametricReLULayer : public ILayer {
 public:
  IParametricReLULayer() : ILayer(LayerType::kPARAMETRIC_RELU) {}
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
};

//! Scaled dot-product attention, PyTorch's F.scaled_dot_product_attention without dropout:
//! softmax(Q K^T * scale + mask) V over inputs Q [B, H, Sq, D], K [B, H, Sk, D], V [B, H, Sk, Dv], giving
//! [B, H, Sq, Dv]. An optional fourth input, the mask (given to addAttention), broadcast to [B, H, Sq, Sk], is
//! added to the scaled scores (Q's floating type) or says which keys take part (bool, false = left out).
class IAttentionLayer : public ILayer {
 public:
  IAttentionLayer() : ILayer(LayerType::kATTENTION) {}
  //! The factor the scores are multiplied by (finite); unset, it is 1 / sqrt(D).
  void setScale(float scale);
  bool hasScale() const { return hasScale_; }
  //! The set scale, or 1 / sqrt(headSize) when none is set.
  float scaleFor(int64_t headSize) const;
  //! Causal: query i attends to keys 0..i only (the mask's top-left triangle, as PyTorch's is_causal).
  void setCausal(bool causal);
  bool getCausal() const { return causal_; }
  //! A query row whose every key is masked out gives 0 (true, PyTorch's scaled_dot_product_attention) or
  //! NaN (false: what the explicit softmax chain the builder fuses gives).
  void setZeroFullyMaskedRows(bool zero);
  bool getZeroFullyMaskedRows() const { return zeroFullyMaskedRows_; }

  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  float scale_ = 0.f;
  bool hasScale_ = false;
  bool causal_ = false;
  bool zeroFullyMaskedRows_ = true;
};

//! Creates an empty layer of a kind (used by the plan reader).
std::unique_ptr<ILayer> makeLayer(LayerType type);

//! A network: inputs, layers in creation order, outputs.
class INetworkDefinition {
 public:
  INetworkDefinition() = default;
  INetworkDefinition(const INetworkDefinition&) = delete;
  INetworkDefinition& operator=(const INetworkDefinition&) = delete;

  //! Adds a network input with a name, type and dims (-1 for dynamic dims).
  ITensor* addInput(const char* name, DataType type, Dims dims);
  //! Marks a tensor as a network output.
  void markOutput(ITensor& tensor);
  //! Removes a tensor from the outputs.
  void unmarkOutput(ITensor& tensor);
  //! N-d convolution over input [N, C, spatial...] with kernel [out, C/groups, kernelSize...].
  IConvolutionLayer* addConvolutionNd(ITensor& input, int32_t nbOutputMaps, Dims kernelSize, Weights kernelWeights,
                                      Weights biasWeights);
  //! N-d transposed convolution over input [N, C, spatial...] with kernel [C, out/groups, kernelSize...].
  IDeconvolutionLayer* addDeconvolutionNd(ITensor& input, int32_t nbOutputMaps, Dims kernelSize, Weights kernelWeights,
                                          Weights biasWeights);
  //! Activation function applied elementwise.
  IActivationLayer* addActivation(ITensor& input, ActivationType type);
  //! N-d pooling over the last windowSize.nbDims dimensions.
  IPoolingLayer* addPoolingNd(ITensor& input, PoolingType type, Dims windowSize);
  //! Binary elementwise operation with broadcasting.
  IElementWiseLayer* addElementWise(ITensor& input1, ITensor& input2, ElementWiseOperation op);
  //! Matrix product of the last two dims with batch broadcasting.
  IMatrixMultiplyLayer* addMatrixMultiply(ITensor& input0, MatrixOperation op0, ITensor& input1, MatrixOperation op1);
  //! Transpose / reshape / transpose.
  IShuffleLayer* addShuffle(ITensor& input);
  //! A constant tensor; the weights are copied.
  IConstantLayer* addConstant(Dims dims, Weights weights);
  //! A constant tensor whose weights are lent, not copied: `owner` keeps them alive and unchanged while
  //! the network or a copy of it exists (IConstantLayer::setWeights(Weights, owner)).
  IConstantLayer* addConstant(Dims dims, Weights weights, std::shared_ptr<const void> owner);
  //! Reduction over the axes in the bit mask.
  IReduceLayer* addReduce(ITensor& input, ReduceOperation op, uint32_t reduceAxes, bool keepDimensions);
  //! Softmax over one axis.
  ISoftMaxLayer* addSoftMax(ITensor& input);
  //! Concatenation of inputs along an axis.
  IConcatenationLayer* addConcatenation(ITensor* const* inputs, int32_t nbInputs);
  //! Identity (copy or cast).
  IIdentityLayer* addIdentity(ITensor& input);
  //! Elementwise unary function.
  IUnaryLayer* addUnary(ITensor& input, UnaryOperation operation);
  //! Strided slice with static start, size and stride per dimension.
  ISliceLayer* addSlice(ITensor& input, Dims start, Dims size, Dims stride);
  //! condition ? thenInput : elseInput (condition is bool).
  ISelectLayer* addSelect(ITensor& condition, ITensor& thenInput, ITensor& elseInput);
  //! Gather along `axis` of data by indices (out-of-range indices are an error at run time).
  IGatherLayer* addGather(ITensor& data, ITensor& indices, int32_t axis);
  //! Resize to `outputDims` (nearest, asymmetric coordinates until set otherwise).
  IResizeLayer* addResize(ITensor& input, Dims outputDims);
  //! Top k along the axes bit (one bit), values or int64 indices.
  ITopKLayer* addTopK(ITensor& input, TopKOperation op, int64_t k, uint32_t reduceAxes,
                      TopKOutput output = TopKOutput::kVALUES);

  //! Normalization of input over the axes in the mask, then scale and bias (layer, group, instance norm).
  INormalizationLayer* addNormalization(ITensor& input, ITensor& scale, ITensor& bias, uint32_t axesMask);

  //! Quantizes FP32 to INT8 with a per-tensor scale (axis -1) or per-axis scales.
  IQuantizeLayer* addQuantize(ITensor& input, std::vector<float> scales, int32_t axis = -1);
  //! Dequantizes INT8 to FP32 with a per-tensor scale (axis -1) or per-axis scales.
  IDequantizeLayer* addDequantize(ITensor& input, std::vector<float> scales, int32_t axis = -1);

  //! Running sum or product of input along `axis`.
  ICumulativeLayer* addCumulative(ITensor& input, int32_t axis, CumulativeOperation op, bool exclusive = false,
                                  bool reverse = false);

  //! Element scatter of updates into a copy of data along `axis` (torch.scatter).
  IScatterLayer* addScatter(ITensor& data, ITensor& indices, ITensor& updates, int32_t axis);
  //! Bilinear 2-D sampling of input at grid's normalized positions, zeros outside (torch's grid_sample defaults).
  IGridSampleLayer* addGridSample(ITensor& input, ITensor& grid);

  //! The dimensions of `input` as a 1-D int64 shape tensor.
  IShapeLayer* addShape(ITensor& input);
  //! A generated tensor of static dims (setInput(0, shapeTensor) makes them run-time dims).
  IFillLayer* addFill(Dims dims, FillOperation op, DataType type = DataType::kFLOAT);

  //! The coordinates of the nonzero elements of `input`, int64 [rank, count] (count data-dependent).
  INonZeroLayer* addNonZero(ITensor& input);
  //! (x * scale + shift) ^ power per tensor, channel or element (empty lists: identity).
  IScaleLayer* addScale(ITensor& input, ScaleMode mode, std::vector<float> shift, std::vector<float> scale,
                        std::vector<float> power);
  //! Leaky ReLU with a slope tensor broadcast to the input.
  IParametricReLULayer* addParametricReLU(ITensor& input, ITensor& slope);
  //! Einstein summation of 1 to 4 inputs by `equation`.
  IEinsumLayer* addEinsum(ITensor* const* inputs, int32_t nbInputs, const char* equation);
  //! One-hot encoding of `indices` with [off, on] `values` and `depth` positions on a new last axis.
  IOneHotLayer* addOneHot(ITensor& indices, ITensor& values, int64_t depth, int32_t axis = -1);
  //! Scaled dot-product attention of query, key and value [B, H, S, D] with an optional mask (or nullptr).
  IAttentionLayer* addAttention(ITensor& query, ITensor& key, ITensor& value, ITensor* mask = nullptr);

  //! Number of layers.
  int32_t getNbLayers() const { return static_cast<int32_t>(layers_.size()); }
  //! Layer i in creation order.
  ILayer* getLayer(int32_t index) const;
  //! Number of inputs.
  int32_t getNbInputs() const { return static_cast<int32_t>(inputs_.size()); }
  //! Input i.
  ITensor* getInput(int32_t index) const;
  //! Number of outputs.
  int32_t getNbOutputs() const { return static_cast<int32_t>(outputs_.size()); }
  //! Output i.
  ITensor* getOutput(int32_t index) const;
  //! Removes a layer whose outputs are unused (used by builder passes).
  void removeLayer(ILayer* layer);
  //! Replaces every use of `from` (as layer input or network output) with `to`.
  void replaceAllUses(ITensor& from, ITensor& to);
  //! Makes `to` the network output `from` was, in its place and under its name; layers keep reading `from`.
  void replaceOutput(ITensor& from, ITensor& to);
  //! Inserts a layer built elsewhere (plan reader, builder passes) with its inputs and outputs.
  ILayer* adoptLayer(std::unique_ptr<ILayer> layer, const std::vector<ITensor*>& inputs, int32_t nbOutputs);
  //! Moves a layer to position `index` of the execution order (used by builder passes that add layers).
  void moveLayer(ILayer* layer, int32_t index);
  //! Checks the network (names, outputs, shapes) and throws Error describing the first problem.
  void validate() const;
  //! Runs shape inference for the layers whose outputs are not known yet: those added since the last
  //! inference and those after the earliest layer (or input) changed since. Converters ask for shapes
  //! after every layer they add, so re-inferring the whole network each time made building quadratic.
  void inferShapes() const;
  //! Layers shape inference has visited since the network was made (each re-inference counts).
  uint64_t getInferenceVisits() const { return inferenceVisits_; }
  //! The index of a layer in creation order.
  int32_t indexOf(const ILayer* layer) const;

 private:
  friend class ITensor;
  friend class ILayer;
  ITensor* newTensor(const std::string& name);
  template <typename L>
  L* attach(std::unique_ptr<L> layer, const std::vector<ITensor*>& inputs, int32_t nbOutputs, const char* method);
  //! The outputs of layers from `position` on may have changed (a parameter, an input, the order).
  void invalidateFrom(size_t position) const { inferredLayers_ = std::min(inferredLayers_, position); }
  //! Renumbers the positions of layers [from, to).
  void renumber(size_t from, size_t to);

  std::vector<std::unique_ptr<ITensor>> tensors_;
  std::vector<std::unique_ptr<ILayer>> layers_;
  std::vector<ITensor*> inputs_;
  std::vector<ITensor*> outputs_;
  mutable size_t inferredLayers_ = 0;  // layers [0, inferredLayers_) have their outputs inferred
  mutable uint64_t inferenceVisits_ = 0;
  int64_t nextTensorNumber_ = 0;
};

}  // namespace trt
