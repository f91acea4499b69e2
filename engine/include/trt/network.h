// Network definition: tensors, layers and the network that owns them, in the shape of
// TensorRT's INetworkDefinition. Shapes are inferred on demand from the layers' parameters,
// so a converter can call getDimensions() on any output right after adding a layer.
//
// The classes here are interfaces, as TensorRT's: they hold no state (the network keeps its state
// behind one pointer) and declare no engine-internal hooks; the engine implements them under
// engine/src. Tensors and layers are created and owned by their network.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "trt/types.h"

namespace trt {

class ILayer;
class INetworkDefinition;
class NetworkState;

//! A tensor of the network: a network input, a layer output, or both a layer output and a network output.
class ITensor {
 public:
  //! Sets the tensor's name; network inputs and outputs are bound by it at run time.
  virtual void setName(const char* name) = 0;
  //! The tensor's name.
  virtual const char* getName() const = 0;
  //! The tensor's dimensions (inferred from its producer; -1 where only known at run time).
  virtual Dims getDimensions() const = 0;
  //! Sets the dimensions of a network input; refused for layer outputs.
  virtual void setDimensions(Dims dims) = 0;
  //! The element type.
  virtual DataType getType() const = 0;
  //! Sets the element type of a network input; for layer outputs use ILayer::setOutputType.
  virtual void setType(DataType type) = 0;
  //! True for tensors created with addInput.
  virtual bool isNetworkInput() const = 0;
  //! True for tensors passed to markOutput.
  virtual bool isNetworkOutput() const = 0;
  //! The layer that produces this tensor, or nullptr for a network input.
  virtual ILayer* getProducer() const = 0;
  //! For a shape tensor (a small int32/int64 tensor computed from shapes and constants), its values
  //! as far as the build knows them (kUnknownShapeValue where a dynamic dimension decides); else empty.
  virtual std::vector<int64_t> getShapeValues() const = 0;

 protected:
  virtual ~ITensor() = default;  // owned by its network
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

//! Base of every layer: inputs, outputs, name and pinned precision. Each kind's interface
//! (IConvolutionLayer, ...) adds its parameters; getType() says which one a layer is.
class ILayer {
 public:
  virtual ~ILayer() = default;
  //! The layer's kind.
  virtual LayerType getType() const = 0;
  //! Sets the name used in logs, errors and the engine inspector.
  virtual void setName(const char* name) = 0;
  //! The layer's name.
  virtual const char* getName() const = 0;
  //! Number of inputs.
  virtual int32_t getNbInputs() const = 0;
  //! Input i, or nullptr when out of range.
  virtual ITensor* getInput(int32_t index) const = 0;
  //! Replaces input i; the tensor must belong to the same network. Index == getNbInputs() adds an optional
  //! input: a convolution's residual (index 1), a matrix multiply's bias (index 2) or a normalization's
  //! residual (index 3).
  virtual void setInput(int32_t index, ITensor& tensor) = 0;
  //! Number of outputs.
  virtual int32_t getNbOutputs() const = 0;
  //! Output i, or nullptr when out of range.
  virtual ITensor* getOutput(int32_t index) const = 0;
  //! Requests an output element type (honoured by Identity as a cast; others must match).
  virtual void setOutputType(int32_t index, DataType type) = 0;
  //! The requested output type, or the inferred one when none was requested.
  virtual DataType getOutputType(int32_t index) const = 0;
  //! Pins the type the layer computes in (kFLOAT keeps it out of FP16 even when the builder may use FP16).
  virtual void setPrecision(DataType type) = 0;
  //! The pinned precision (kFLOAT when none is pinned).
  virtual DataType getPrecision() const = 0;
  //! Whether setPrecision was called (and not reset).
  virtual bool precisionIsSet() const = 0;
  //! Lets the builder choose the precision again.
  virtual void resetPrecision() = 0;
  //! A prefix for errors: `Layer 'name' (Kind)`.
  std::string describe() const;
};

//! What convolutions and deconvolutions share: output maps, the kernel window (size, stride,
//! padding, dilation), groups and float32 weights.
class IConvolutionBase : public ILayer {
 public:
  //! Number of output feature maps.
  virtual int32_t getNbOutputMaps() const = 0;
  //! Sets the number of output feature maps (must match the kernel weights).
  virtual void setNbOutputMaps(int32_t n) = 0;
  //! Kernel spatial size (1 to 3 dims).
  virtual Dims getKernelSizeNd() const = 0;
  virtual void setKernelSizeNd(Dims k) = 0;
  //! Stride per spatial dimension (default 1).
  virtual void setStrideNd(Dims stride) = 0;
  virtual Dims getStrideNd() const = 0;
  //! Symmetric padding per spatial dimension.
  virtual void setPaddingNd(Dims padding) = 0;
  virtual Dims getPaddingNd() const = 0;
  //! Padding before each spatial dimension (not negative).
  virtual void setPrePadding(Dims padding) = 0;
  virtual Dims getPrePadding() const = 0;
  //! Padding after each spatial dimension; a deconvolution's may be negative: the output grows there
  //! instead (PyTorch's output_padding p is post padding = padding - p).
  virtual void setPostPadding(Dims padding) = 0;
  virtual Dims getPostPadding() const = 0;
  //! Dilation per spatial dimension (default 1).
  virtual void setDilationNd(Dims dilation) = 0;
  virtual Dims getDilationNd() const = 0;
  //! Number of groups; input and output channels must both divide by it.
  virtual void setNbGroups(int32_t groups) = 0;
  virtual int32_t getNbGroups() const = 0;
  //! Kernel weights as float32: [out, in/groups, k...] for a convolution, [in, out/groups, k...] for a
  //! deconvolution (PyTorch's layouts).
  virtual void setKernelWeights(Weights w) = 0;
  virtual Weights getKernelWeights() const = 0;
  //! Bias weights, [out] as float32, or count 0 for none.
  virtual void setBiasWeights(Weights w) = 0;
  virtual Weights getBiasWeights() const = 0;
};

class IConvolutionLayer : public IConvolutionBase {
 public:
  //! A second input, when set (by the builder's residual fusion), is added to the output after the bias
  //! and before the fused activation: y = act(conv(x) + bias + residual).
  //! Folds activation `type` into the output (set by the builder's fusion pass).
  virtual void setFusedActivation(int32_t activationOrMinusOne) = 0;
  virtual int32_t getFusedActivation() const = 0;
  //! The fused activation's alpha and beta, as IActivationLayer's (clip's bounds, leaky ReLU's slope); the
  //! kinds without parameters ignore them. Both 0 until set.
  virtual void setFusedActivationParameters(float alpha, float beta) = 0;
  //! The fused activation's alpha (see setFusedActivationParameters).
  virtual float getFusedActivationAlpha() const = 0;
  //! The fused activation's beta (see setFusedActivationParameters).
  virtual float getFusedActivationBeta() const = 0;
  //! Channels-last tensors: input, residual and output are [N, H, W, C] instead of [N, C, H, W]
  //! (2-D convolutions; set by the builder's layout pass for the CUDA backend's NHWC kernels).
  virtual void setChannelsLast(bool channelsLast) = 0;
  virtual bool getChannelsLast() const = 0;
  //! Makes the convolution INT8 (set by the builder from Q/DQ pairs or calibration): the FP32 (or FP16) input
  //! is quantized with `inputScale` (q = clamp(round(x / s), -128, 127)), the weights per output
  //! channel with `weightScales`, products summed in INT32, then y = act(sum * s * ws[c] + bias + residual).
  virtual void setInt8Scales(float inputScale, std::vector<float> weightScales) = 0;
  //! The input scale, or 0 when the convolution is not INT8.
  virtual float getInt8InputScale() const = 0;
  //! Per-output-channel weight scales of an INT8 convolution (empty otherwise).
  virtual const std::vector<float>& getInt8WeightScales() const = 0;
  //! True once setInt8Scales was called.
  virtual bool isInt8() const = 0;
  //! INT8 tensors between INT8 convolutions (set by the builder where a backend reads and writes them): an INT8
  //! convolution may read INT8 codes already quantized with its input scale (a Quantize's output) instead of
  //! floats, and with `scale` > 0 writes INT8 codes q = clamp(round_half_even(y * (1/scale)), -128, 127) of its
  //! output y (after bias, residual and activation) instead of y; 0 (the default) writes floats. A convolution
  //! that reads codes and writes floats writes the type requested with setOutputType (float32 or float16).
  virtual void setInt8OutputScale(float scale) = 0;
  //! The output's INT8 scale, or 0 when the output is float.
  virtual float getInt8OutputScale() const = 0;
  //! An INT8 residual (set by the builder where a block's output stays INT8 codes): with `scale` > 0 the residual
  //! (input 1) of an INT8 convolution is INT8 codes q of that scale, added as the floats q * scale before the
  //! activation; 0 (the default) means a float residual of the convolution's float type.
  virtual void setInt8ResidualScale(float scale) = 0;
  //! The residual's INT8 scale, or 0 when the residual (if any) is float.
  virtual float getInt8ResidualScale() const = 0;
};

class IDeconvolutionLayer : public IConvolutionBase {
 public:
};

class IActivationLayer : public ILayer {
 public:
  //! The activation function.
  virtual void setActivationType(ActivationType type) = 0;
  virtual ActivationType getActivationType() const = 0;
  //! First parameter (leaky slope, elu alpha, clip lower bound, ...).
  virtual void setAlpha(float alpha) = 0;
  virtual float getAlpha() const = 0;
  //! Second parameter (clip upper bound, scaled-tanh scale, ...).
  virtual void setBeta(float beta) = 0;
  virtual float getBeta() const = 0;
};

class IPoolingLayer : public ILayer {
 public:
  //! Max or average.
  virtual void setPoolingType(PoolingType type) = 0;
  virtual PoolingType getPoolingType() const = 0;
  //! Window size per spatial dimension (1 to 3 dims).
  virtual void setWindowSizeNd(Dims window) = 0;
  virtual Dims getWindowSizeNd() const = 0;
  //! Stride per spatial dimension (defaults to the window size).
  virtual void setStrideNd(Dims stride) = 0;
  virtual Dims getStrideNd() const = 0;
  //! Symmetric padding per spatial dimension.
  virtual void setPaddingNd(Dims padding) = 0;
  virtual Dims getPaddingNd() const = 0;
  virtual void setPrePadding(Dims padding) = 0;
  virtual Dims getPrePadding() const = 0;
  virtual void setPostPadding(Dims padding) = 0;
  virtual Dims getPostPadding() const = 0;
  //! Round output sizes down (floor) or up (ceil mode).
  virtual void setPaddingMode(PaddingMode mode) = 0;
  virtual PaddingMode getPaddingMode() const = 0;
  //! Average pooling divides by the in-bounds count only when true (default true, as TensorRT).
  virtual void setAverageCountExcludesPadding(bool exclusive) = 0;
  virtual bool getAverageCountExcludesPadding() const = 0;
  //! Channels-last tensors: [N, H, W, C] in and out (2-D windows; set by the builder's layout pass).
  virtual void setChannelsLast(bool channelsLast) = 0;
  virtual bool getChannelsLast() const = 0;
};

class IElementWiseLayer : public ILayer {
 public:
  //! The binary operation; inputs broadcast as in numpy.
  virtual void setOperation(ElementWiseOperation op) = 0;
  virtual ElementWiseOperation getOperation() const = 0;
};

class IMatrixMultiplyLayer : public ILayer {
 public:
  //! How input `index` (0 or 1) is used: as is, transposed, or as a vector.
  virtual void setOperation(int32_t index, MatrixOperation op) = 0;
  virtual MatrixOperation getOperation(int32_t index) const = 0;
  //! A third input, when set (by the builder's bias fusion), is a bias of one value per output column
  //! (volume = the output's last dimension), added before the fused activation. A fourth, after the bias
  //! (by the builder's residual fusion), is a residual of the output's shape and type:
  //! y = act(alpha * A.B + bias + residual).
  //! Folds ReLU into the output (set by the builder's fusion pass; -1 for none).
  virtual void setFusedActivation(int32_t activationOrMinusOne) = 0;
  virtual int32_t getFusedActivation() const = 0;
  //! Scales the product before the bias (set by the builder when a scalar multiply follows; default 1).
  virtual void setAlpha(float alpha) = 0;
  virtual float getAlpha() const = 0;
  //! Makes the product INT8 (set by the builder from Q/DQ pairs or calibration): input 0 (float32 or
  //! float16, used as is) is quantized with `inputScale`; input 1 must then be an INT8 matrix [N, K] used
  //! transposed, its row n quantized with `weightScales[n]`; products are summed in INT32, then
  //! y = act(alpha * (sum * s * ws[n]) + bias[n] + residual) in FP32, stored in input 0's type.
  virtual void setInt8Scales(float inputScale, std::vector<float> weightScales) = 0;
  //! The input scale, or 0 when the product is not INT8.
  virtual float getInt8InputScale() const = 0;
  //! Per-output-column weight scales of an INT8 product (empty otherwise).
  virtual const std::vector<float>& getInt8WeightScales() const = 0;
  //! True once setInt8Scales was called.
  virtual bool isInt8() const = 0;
  //! Makes the product FP8 E4M3 (set by the builder from calibration in BuilderFlag::kFP8 builds): input 0
  //! (float32, float16 or bfloat16, used as is) is quantized per tensor as q(x / inputScale) (saturating at
  //! ±448); input 1 must then be an FP8 matrix [N, K] used transposed, quantized with `weightScale`; the
  //! products are summed in FP32, then y = act(alpha * inputScale * weightScale * sum + bias + residual) in
  //! input 0's type. Both scales positive and finite.
  virtual void setFp8Scales(float inputScale, float weightScale) = 0;
  //! The FP8 input scale, or 0 when the product is not FP8.
  virtual float getFp8InputScale() const = 0;
  //! The FP8 weight scale, or 0 when the product is not FP8.
  virtual float getFp8WeightScale() const = 0;
  //! True once setFp8Scales was called.
  virtual bool isFp8() const = 0;
  //! Makes an FP8 product write E4M3 codes (set by the builder where an FP8 quantization alone reads the
  //! product): with z = alpha * s_in * s_w * sum + bias rounded to its float type T (the bias's type for an FP8
  //! input, else input 0's) as the product would store it, it writes q(T(act(z)) / outputScale), saturating, as a
  //! Quantize to FP8 with that activation folded in computes the codes of the stored z. No residual then. 0 (the
  //! default): the float output.
  virtual void setFp8OutputScale(float outputScale) = 0;
  //! The scale of the FP8 codes the product writes, or 0 for a float output.
  virtual float getFp8OutputScale() const = 0;
};

//! Order of dimensions for a transpose: output dim i takes input dim order[i].
struct Permutation {
  int32_t order[Dims::MAX_DIMS] = {0, 1, 2, 3, 4, 5, 6, 7};
};

class IShuffleLayer : public ILayer {
 public:
  //! Transpose applied before the reshape.
  virtual void setFirstTranspose(Permutation permutation) = 0;
  virtual Permutation getFirstTranspose() const = 0;
  //! Reshape dimensions; 0 copies the input dim (when zero is a placeholder), -1 is inferred. An
  //! optional input 1 (setInput(1, t)), a 1-D shape tensor, gives them at run time instead.
  virtual void setReshapeDimensions(Dims dims) = 0;
  virtual Dims getReshapeDimensions() const = 0;
  //! The reshape dimensions in effect: input 1's values when set (-2 where the run time decides), else
  //! the static ones.
  virtual Dims requestedReshape(const std::vector<TensorDesc>& inputs) const = 0;
  //! Transpose applied after the reshape.
  virtual void setSecondTranspose(Permutation permutation) = 0;
  virtual Permutation getSecondTranspose() const = 0;
  //! Whether 0 in the reshape dims copies the input dim (default true).
  virtual void setZeroIsPlaceholder(bool zeroIsPlaceholder) = 0;
  virtual bool getZeroIsPlaceholder() const = 0;
  //! True when setReshapeDimensions was called.
  virtual bool hasReshape() const = 0;
  //! Zeros appended to the last dimension of the output: it grows from what the transposes give to `size`, the new
  //! positions 0 (the builder pads a channels-last RGB image to the 4 channels cuDNN's first-layer kernels read, so
  //! cuDNN does not pad it again); 0 (default) for none. Only without a reshape, on a static last dimension.
  virtual void setZeroPaddedLastDimension(int64_t size) = 0;
  virtual int64_t getZeroPaddedLastDimension() const = 0;
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
  //! Sets the values (copied); the count must match the dimensions' volume.
  virtual void setWeights(Weights weights) = 0;
  //! Sets the values without copying them: `owner` keeps `weights.values` alive and unchanged for as
  //! long as this network, or a copy made of it, exists (the caller's tensor lent to the network).
  virtual void setWeights(Weights weights, std::shared_ptr<const void> owner) = 0;
  virtual Weights getWeights() const = 0;
  //! Sets the output dimensions.
  virtual void setDimensions(Dims dims) = 0;
  virtual Dims getDimensions() const = 0;
  //! Raw bytes of the values.
  virtual const SharedBytes& bytes() const = 0;
};

class IReduceLayer : public ILayer {
 public:
  virtual void setOperation(ReduceOperation op) = 0;
  virtual ReduceOperation getOperation() const = 0;
  //! Bit i set reduces over dimension i.
  virtual void setReduceAxes(uint32_t axes) = 0;
  virtual uint32_t getReduceAxes() const = 0;
  //! Keep reduced dimensions as size 1.
  virtual void setKeepDimensions(bool keep) = 0;
  virtual bool getKeepDimensions() const = 0;
};

class ISoftMaxLayer : public ILayer {
 public:
  //! Bit mask with exactly one bit: the axis softmax normalizes over. An optional second input
  //! (setInput(1, mask)) is added to the input first, broadcast: softmax(x + mask), as attention's mask.
  virtual void setAxes(uint32_t axes) = 0;
  virtual uint32_t getAxes() const = 0;
};

class IConcatenationLayer : public ILayer {
 public:
  //! The axis inputs are joined along (default 0).
  virtual void setAxis(int32_t axis) = 0;
  virtual int32_t getAxis() const = 0;
};

//! Copies its input; with setOutputType it casts.
class IIdentityLayer : public ILayer {
 public:
};

//! Elementwise unary function: math on floats, NOT on bools, ISINF/ISNAN giving bools.
class IUnaryLayer : public ILayer {
 public:
  //! The function applied to every element.
  virtual void setOperation(UnaryOperation op) = 0;
  virtual UnaryOperation getOperation() const = 0;
};

//! A strided window of the input: output[i] = input[start + i * stride] per dimension. Optional
//! inputs 1, 2 and 3 (setInput) are 1-D shape tensors that replace start, size and stride: a window
//! computed from run-time sizes.
class ISliceLayer : public ILayer {
 public:
  //! First element read in each dimension.
  virtual void setStart(Dims start) = 0;
  virtual Dims getStart() const = 0;
  //! Output size in each dimension.
  virtual void setSize(Dims size) = 0;
  virtual Dims getSize() const = 0;
  //! Step in each dimension (may be negative to walk backwards).
  virtual void setStride(Dims stride) = 0;
  virtual Dims getStride() const = 0;
  //! How reads outside the input are resolved (default: they are an error).
  virtual void setMode(SampleMode mode) = 0;
  virtual SampleMode getMode() const = 0;
  //! Value written for reads outside the input in kFILL mode (converted to the tensor's type).
  virtual void setFillValue(double value) = 0;
  virtual double getFillValue() const = 0;
  //! Start, size and stride with shape-tensor inputs' values in place of the static ones
  //! (kUnknownShapeValue where the run time decides).
  struct Window {
    Dims start, size, stride;
  };
  virtual Window effectiveWindow(const std::vector<TensorDesc>& inputs) const = 0;
};

//! Elementwise choice: output = condition ? thenInput : elseInput, all three broadcast as in numpy.
class ISelectLayer : public ILayer {
 public:
};

//! Gathers slices of data along an axis by int32/int64 indices (TensorRT's default gather mode):
//! output shape = data[:axis] + indices + data[axis+1:].
class IGatherLayer : public ILayer {
 public:
  //! The data axis the indices select along.
  virtual void setGatherAxis(int32_t axis) = 0;
  virtual int32_t getGatherAxis() const = 0;
  //! Slices by index (default) or one element per index (element mode).
  virtual void setMode(GatherMode mode) = 0;
  virtual GatherMode getMode() const = 0;
};

//! Resizes the input to given output dims by nearest, (multi-)linear or cubic interpolation, with
//! PyTorch's coordinate rules (see ResizeCoordinateTransformation); float32 data.
class IResizeLayer : public ILayer {
 public:
  //! The output dims (same rank as the input); setInput(1, shapeTensor) gives them at run time instead.
  virtual void setOutputDimensions(Dims dims) = 0;
  virtual Dims getOutputDimensions() const = 0;
  virtual void setResizeMode(InterpolationMode mode) = 0;
  virtual InterpolationMode getResizeMode() const = 0;
  virtual void setCoordinateTransformation(ResizeCoordinateTransformation transform) = 0;
  virtual ResizeCoordinateTransformation getCoordinateTransformation() const = 0;
  //! Input elements per output element in each dim (1/scale_factor); 0 means in/out.
  virtual void setScales(const std::vector<double>& ratios) = 0;
  virtual const std::vector<double>& getScales() const = 0;
};

//! The k largest or smallest elements along one axis, sorted, as values (the input's type) or as
//! int64 indices. Ties go to the lower index; NaN counts as larger than every number (PyTorch).
//! Optional input 1 (setInput(1, k)), a [1] int32/int64 shape tensor, gives k at run time instead
//! (a sort of a whole dynamic axis, or a k computed from sizes).
class ITopKLayer : public ILayer {
 public:
  virtual void setOperation(TopKOperation op) = 0;
  virtual TopKOperation getOperation() const = 0;
  //! Sets the number of elements kept (ignored while input 1 gives k at run time).
  virtual void setK(int64_t k) = 0;
  //! The static k; a run-time k is the output's size along the axis.
  virtual int64_t getK() const = 0;
  //! Bit i set selects along dimension i (exactly one bit).
  virtual void setReduceAxes(uint32_t axes) = 0;
  virtual uint32_t getReduceAxes() const = 0;
  virtual void setOutputKind(TopKOutput kind) = 0;
  virtual TopKOutput getOutputKind() const = 0;
};

//! (x - mean) / sqrt(var + epsilon) * scale + bias, with mean and (biased) variance over the axes in
//! the mask, computed in FP32 whatever x's type; inputs x, scale, bias (scale and bias broadcast to x),
//! and optionally a residual of x's shape added to x first (set by the builder's fusion pass).
class INormalizationLayer : public ILayer {
 public:
  //! Added to the variance before the square root (default 1e-5).
  virtual void setEpsilon(float eps) = 0;
  virtual float getEpsilon() const = 0;
  //! Bit i set normalizes over dimension i (at least one bit).
  virtual void setAxes(uint32_t axesMask) = 0;
  virtual uint32_t getAxes() const = 0;
};

//! What Quantize and Dequantize share: symmetric INT8 scales (zero point 0), one for the tensor or
//! one per index of an axis.
class IQuantizationLayer : public ILayer {
 public:
  //! One positive scale (per tensor) or one per index of the axis.
  virtual void setScales(std::vector<float> scales) = 0;
  virtual const std::vector<float>& getScales() const = 0;
  //! The axis the scales run along; -1 for a per-tensor scale.
  virtual void setAxis(int32_t axis) = 0;
  virtual int32_t getAxis() const = 0;
};

//! Quantization to INT8 (TensorRT's IQuantizeLayer, symmetric): q = clamp(round_half_even(x * (1/s)),
//! -128, 127) with one scale, or one per index of `axis`. FP32 or FP16 input, INT8 output. With setToType(kFP8):
//! q = E4M3(x / s) (a correctly rounded division) rounded to nearest even and saturated at ±448, one scale per
//! tensor, from a float32,
//! float16 or bfloat16 input (the FP8 products' shared input quantization).
class IQuantizeLayer : public IQuantizationLayer {
 public:
  //! The output type: kINT8 (default) or kFP8.
  virtual void setToType(DataType type) = 0;
  virtual DataType getToType() const = 0;
  //! FP8 only: q = E4M3(act(x) / s) with the activation computed in float (set by the builder when an
  //! activation's only reader is the quantization; -1 for none). Activations without parameters: ReLU,
  //! sigmoid, tanh, GELU (erf or tanh form), SiLU, hard-swish.
  virtual void setFusedActivation(int32_t activationOrMinusOne) = 0;
  virtual int32_t getFusedActivation() const = 0;
};

//! Dequantization of INT8 (or FP8 E4M3, one scale per tensor) to FP32 (TensorRT's IDequantizeLayer):
//! y = q * s, scales as IQuantizeLayer.
class IDequantizeLayer : public IQuantizationLayer {
 public:
};

//! Running sum or product along one axis (TensorRT's ICumulativeLayer): y[i] = x[0] op ... op x[i]
//! (exclusive: up to x[i-1], starting from 0 or 1; reverse: from the far end). float32, float16
//! (accumulated in FP32), int32 and int64 (accumulated in int64).
class ICumulativeLayer : public ILayer {
 public:
  virtual void setOperation(CumulativeOperation op) = 0;
  virtual CumulativeOperation getOperation() const = 0;
  //! The axis accumulated along (0 to rank - 1).
  virtual void setAxis(int32_t axis) = 0;
  virtual int32_t getAxis() const = 0;
  //! Exclude the current element (default false).
  virtual void setExclusive(bool exclusive) = 0;
  virtual bool getExclusive() const = 0;
  //! Accumulate from the last element backwards (default false).
  virtual void setReverse(bool reverse) = 0;
  virtual bool getReverse() const = 0;
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
  virtual void setAxis(int32_t axis) = 0;
  virtual int32_t getAxis() const = 0;
  //! kELEMENT (default) or kND.
  virtual void setMode(ScatterMode mode) = 0;
  virtual ScatterMode getMode() const = 0;
  //! Combines updates with the elements they land on (duplicate indices all count) instead of
  //! writing them; with `includeSelf` false an element any index reaches starts from the
  //! reduction's identity instead of its data value (torch.scatter_reduce's include_self). kMEAN
  //! divides by the number of values combined. Reductions take float32, float16, int32 or int64
  //! data (kMEAN floating point only).
  virtual void setReduction(ScatterReduction reduction, bool includeSelf = true) = 0;
  virtual ScatterReduction getReduction() const = 0;
  virtual bool getIncludeSelf() const = 0;
};

//! 2-D grid sampling (TensorRT's IGridSampleLayer, torch.nn.functional.grid_sample): input
//! [N, C, H, W] read at the normalized (x, y) positions of grid [N, Ho, Wo, 2], giving [N, C, Ho, Wo].
//! -1 and 1 are the centers of the corner pixels with alignCorners, else their outer edges.
//! Interpolation: kNEAREST (round half to even), kLINEAR (bilinear) or kCUBIC (bicubic, A = -0.75).
//! Positions outside the input: kFILL (zeros), kCLAMP (the border) or kREFLECT (mirrored at the edges).
class IGridSampleLayer : public ILayer {
 public:
  virtual void setInterpolationMode(InterpolationMode mode) = 0;
  virtual InterpolationMode getInterpolationMode() const = 0;
  virtual void setAlignCorners(bool alignCorners) = 0;
  virtual bool getAlignCorners() const = 0;
  //! kFILL (default), kCLAMP or kREFLECT.
  virtual void setSampleMode(SampleMode mode) = 0;
  virtual SampleMode getSampleMode() const = 0;
};

//! The dimensions of its input as a 1-D int64 tensor [rank] (a shape tensor: evaluated on the host
//! while shapes are inferred, so it can feed reshape dimensions, slice bounds and fill dimensions).
class IShapeLayer : public ILayer {
 public:
};

//! A generated tensor: a constant, or alpha + sum_d beta[d] * index[d] (linspace, arange). Its
//! dimensions are static (setDimensions) or, with input 0 set, the values of a 1-D shape tensor.
class IFillLayer : public ILayer {
 public:
  virtual void setOperation(FillOperation op) = 0;
  virtual FillOperation getOperation() const = 0;
  //! Output dimensions when no shape tensor gives them.
  virtual void setDimensions(Dims dims) = 0;
  virtual Dims getDimensions() const = 0;
  //! Output element type: kFLOAT, kHALF, kINT32, kINT64 or kBOOL (kBOOL for kCONSTANT only).
  virtual void setDataType(DataType type) = 0;
  virtual DataType getDataType() const = 0;
  //! The constant, or the linspace's first value.
  virtual void setAlpha(double alpha) = 0;
  virtual double getAlpha() const = 0;
  //! Linspace steps, one per output dimension (dimension d adds beta[d] * index[d]).
  virtual void setBeta(std::vector<double> beta) = 0;
  virtual const std::vector<double>& getBeta() const = 0;
};

//! The coordinates of the input's nonzero (true) elements, in row-major order: int64 [rank, count].
//! count is data-dependent: -1 until the layer has run; later layers' shapes follow it at run time and
//! a network output whose shape depends on it is returned through an IOutputAllocator.
class INonZeroLayer : public ILayer {
 public:
};

//! Einstein summation over 1 to 4 float inputs: "ij,jk->ik", or implicit ("ij,jk": labels used once,
//! in alphabetical order). A label repeated in one input takes its diagonal; a size-1 dimension
//! broadcasts to its label's size (as torch.einsum); labels missing from the output are summed.
class IEinsumLayer : public ILayer {
 public:
  //! Sets the equation (letters, commas, an optional "->" and output letters; no spaces or ellipses).
  virtual void setEquation(const char* equation) = 0;
  virtual const char* getEquation() const = 0;
};

//! One-hot encoding: indices (int32/int64) give output[..., depth axis at `axis`, ...] = on where the
//! position equals the index (negative indices count from the end), off elsewhere and for indices
//! outside [-depth, depth). Input 1 holds [off, on] in the output type.
class IOneHotLayer : public ILayer {
 public:
  //! Positions along the new axis (> 0).
  virtual void setDepth(int64_t depth) = 0;
  virtual int64_t getDepth() const = 0;
  //! Where the new axis goes in the output (-1: last).
  virtual void setAxis(int32_t axis) = 0;
  virtual int32_t getAxis() const = 0;
};

//! y = (x * scale + shift) ^ power with coefficients per tensor, per channel or per element of a
//! sample (ScaleMode); an empty coefficient list means the identity (scale 1, shift 0, power 1).
//! In the per-channel mode further inputs
//! (setInput(1, t), ...) make x the concatenation of all inputs along the channel axis: the builder
//! folds a concatenation read only by such a scale into it, so the joined tensor is never written.
class IScaleLayer : public ILayer {
 public:
  virtual void setMode(ScaleMode mode) = 0;
  virtual ScaleMode getMode() const = 0;
  //! The channel axis for kCHANNEL and the first per-element axis for kELEMENTWISE (default 1).
  virtual void setChannelAxis(int32_t axis) = 0;
  virtual int32_t getChannelAxis() const = 0;
  virtual void setShift(std::vector<float> shift) = 0;
  virtual const std::vector<float>& getShift() const = 0;
  virtual void setScale(std::vector<float> scale) = 0;
  virtual const std::vector<float>& getScale() const = 0;
  virtual void setPower(std::vector<float> power) = 0;
  virtual const std::vector<float>& getPower() const = 0;
  //! How many coefficients each non-empty list needs for an input of `dims`.
  virtual int64_t coefficientCount(const Dims& dims) const = 0;
  //! Folds an activation without parameters into the output, act((x * scale + shift) ^ power) (set by the
  //! builder's activation fusion; -1 for none).
  virtual void setFusedActivation(int32_t activationOrMinusOne) = 0;
  virtual int32_t getFusedActivation() const = 0;
};

//! y = x > 0 ? x : slope * x (PyTorch's prelu: -0.0 takes the slope), the slope (input 1) broadcast to x.
class IParametricReLULayer : public ILayer {
 public:
};

//! Scaled dot-product attention, PyTorch's F.scaled_dot_product_attention without dropout:
//! softmax(Q K^T * scale + mask) V over inputs Q [B, H, Sq, D], K [B, H, Sk, D], V [B, H, Sk, Dv], giving
//! [B, H, Sq, Dv]. An optional fourth input, the mask (given to addAttention), broadcast to [B, H, Sq, Sk], is
//! added to the scaled scores (Q's floating type) or says which keys take part (bool, false = left out). A
//! 5-D mask [G, P, H or 1, Sq or 1, Sk or 1] broadcasts to the scores with their batch viewed as [B / P, P]
//! (P divides B; G is 1 or B / P): a mask that repeats every P batches (one per window of a windowed attention).
class IAttentionLayer : public ILayer {
 public:
  //! The factor the scores are multiplied by (finite); unset, it is 1 / sqrt(D).
  virtual void setScale(float scale) = 0;
  virtual bool hasScale() const = 0;
  //! The set scale, or 1 / sqrt(headSize) when none is set.
  virtual float scaleFor(int64_t headSize) const = 0;
  //! Causal: query i attends to keys 0..i only (the mask's top-left triangle, as PyTorch's is_causal).
  virtual void setCausal(bool causal) = 0;
  virtual bool getCausal() const = 0;
  //! A query row whose every key is masked out gives 0 (true, PyTorch's scaled_dot_product_attention) or
  //! NaN (false: what the explicit softmax chain the builder fuses gives).
  virtual void setZeroFullyMaskedRows(bool zero) = 0;
  virtual bool getZeroFullyMaskedRows() const = 0;
};

//! Root-mean-square normalization (PyTorch's rms_norm): y = x / sqrt(mean(x^2) + epsilon) * scale, the
//! mean over the last dimensions (those in the axes mask), computed in FP32 whatever x's type and
//! rounded once. Input 1, when given, is the scale, of x's type and broadcast to x.
class IRMSNormalizationLayer : public ILayer {
 public:
  //! Added to the mean square before the root (finite, not negative; default float32's epsilon,
  //! 1.1920929e-07, PyTorch's default).
  virtual void setEpsilon(float eps) = 0;
  //! The epsilon.
  virtual float getEpsilon() const = 0;
  //! Bit i set normalizes over dimension i; the bits must be the input's last dimensions (at least one).
  virtual void setAxes(uint32_t axesMask) = 0;
  //! The axes mask.
  virtual uint32_t getAxes() const = 0;
};

//! A network: inputs, layers in creation order, outputs. It owns its tensors and layers; its state is
//! the engine's (one pointer, as TensorRT's mImpl).
class INetworkDefinition {
 public:
  INetworkDefinition();
  ~INetworkDefinition();
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
  //! RMS normalization of `input` over the last dimensions in `axesMask`, times `scale` (or nullptr).
  IRMSNormalizationLayer* addRMSNormalization(ITensor& input, ITensor* scale, uint32_t axesMask);

  //! Number of layers.
  int32_t getNbLayers() const;
  //! Layer i in creation order.
  ILayer* getLayer(int32_t index) const;
  //! Number of inputs.
  int32_t getNbInputs() const;
  //! Input i.
  ITensor* getInput(int32_t index) const;
  //! Number of outputs.
  int32_t getNbOutputs() const;
  //! Output i.
  ITensor* getOutput(int32_t index) const;
  //! Removes a layer whose outputs are unused (used by builder passes).
  void removeLayer(ILayer* layer);
  //! Replaces every use of `from` (as layer input or network output) with `to`.
  void replaceAllUses(ITensor& from, ITensor& to);
  //! Makes `to` the network output `from` was, in its place and under its name; layers keep reading `from`.
  void replaceOutput(ITensor& from, ITensor& to);
  //! Moves a layer to position `index` of the execution order (used by builder passes that add layers).
  void moveLayer(ILayer* layer, int32_t index);
  //! Checks the network (names, outputs, shapes) and throws Error describing the first problem.
  void validate() const;
  //! Runs shape inference for the layers whose outputs are not known yet: those added since the last
  //! inference and those after the earliest layer (or input) changed since. Converters ask for shapes
  //! after every layer they add, so re-inferring the whole network each time made building quadratic.
  void inferShapes() const;
  //! Layers shape inference has visited since the network was made (each re-inference counts).
  uint64_t getInferenceVisits() const;
  //! The index of a layer in creation order.
  int32_t indexOf(const ILayer* layer) const;

 private:
  friend class NetworkState;
  std::unique_ptr<NetworkState> state_;
};

}  // namespace trt
