// Builder passes: each rewrites the network in place and returns how many layers it changed.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "trt/builder.h"
#include "trt/network.h"

namespace trt {
namespace passes {

//! Removes layers whose outputs reach no network output.
int32_t removeDeadLayers(INetworkDefinition& network);
//! Evaluates layers whose inputs are all constants and replaces them with Constant layers.
int32_t foldConstants(INetworkDefinition& network);
//! Merges consecutive transpose-only shuffles into one and drops shuffles that move nothing.
int32_t foldShuffles(INetworkDefinition& network);
//! foldShuffles, and also merges a transpose with the reshape after it (and a reshape, with the transpose before
//! it, into the transpose after it) where the merged shuffle reads memory in order: a view, no copy (a channels-
//! last exit transpose, a flatten and the permute back). Run after the layout, once the fusions that match the
//! converters' head splits and merges have run.
int32_t foldShufflesIntoViews(INetworkDefinition& network);
//! Folds `conv(dequantize(quantize(x)))` and `matmul(dequantize(quantize(x)), constant)` (per-tensor
//! scale s) into INT8 layers reading x: input scale s, weights quantized per output channel.
//! A layer whose weights lie on no INT8 grid (not fake-quantized) is named in `offGrid` (when given): its weights
//! are quantized per output channel, so it differs from the float layer by their rounding.
int32_t fuseQuantizedLayers(INetworkDefinition& network, std::vector<std::string>* offGrid = nullptr);
//! True for a layer that can switch to INT8: a float32 channels-first convolution, or a matrix
//! multiply of a float32 input (as is) by a 2-D float32 constant (as is or transposed).
bool canRunInInt8(const ILayer& layer);
//! Switches such a layer to INT8 with input scale `inputScale`; weights get per-channel scales (a
//! matrix multiply reads a new INT8 constant [N, K] instead of its float weights). Returns whether the weights lay
//! on an INT8 grid in every output channel (int8::findWeightGrid): INT8 then computes exactly what the float layer
//! computes on them.
bool switchToInt8(INetworkDefinition& network, ILayer& layer, float inputScale);
//! True for a layer that can switch to FP8 E4M3: a matrix multiply of a float32 input (as is) by a 2-D
//! float32 constant (as is or transposed) whose K and N are multiples of 16, or by a stack of P such matrices
//! [P, ...] (a bias row each, [P, 1, N], or one bias) that all read the input's one matrix.
bool canRunInFp8(const ILayer& layer);
//! Switches such a layer to FP8 with input scale `inputScale`: it reads a new FP8 constant [N, K] ([P, N, K])
//! quantized with one per-tensor scale instead of its float weights.
void switchToFp8(INetworkDefinition& network, ILayer& layer, float inputScale);
//! Gives the FP8 products that read one float tensor one shared Quantize layer (to FP8, the tensor's scale)
//! instead of a quantization each (Q, K and V projections read one tensor; a stack of them reads the codes through
//! its [1, rows, K] view); returns how many products changed.
int32_t shareFp8Quantization(INetworkDefinition& network);
//! Moves a quantization-aware model's FP8 scales into its quantizations and dequantizations (both with scale 1 from
//! the frontend): quantize(clip(x / s, -448, 448)) becomes quantize(x, s) and dequantize(q) * s dequantize(q, s),
//! in float32 (exact: FP8 quantization divides by its scale).
int32_t foldFp8QuantizationScales(INetworkDefinition& network);
//! Makes a product by constant weights that reads an FP8 dequantization an FP8 product reading the codes (input
//! scale the dequantization's), where its weights lie on an FP8 grid (fp8GridCodes); other products stay float.
int32_t fuseFp8QuantizedProducts(INetworkDefinition& network);
//! Whether `values` are each exactly (in float32) an E4M3 code times one scale (a fake-quantized weight matrix): sets
//! the scale (amax / m, m the largest code's value, to within two float steps) and the codes. False for values off
//! every such grid, or not finite.
bool fp8GridCodes(const std::vector<float>& values, float& scale, std::vector<uint8_t>& codes);
//! Zero biases [n] of a type, one constant each, for FP8 products without a bias (an FP8 input leaves the output's
//! type to the bias).
class ZeroBiases {
 public:
  //! The zero bias [n] of `type` (made on first use, named after its first `reader`).
  ITensor* of(INetworkDefinition& network, int64_t n, DataType type, const std::string& reader);

 private:
  struct Made {
    int64_t n;
    DataType type;
    ITensor* tensor;
  };
  std::vector<Made> made_;
};
//! Folds an activation without parameters (GELU, ReLU, SiLU, ...) whose only reader is a quantization to FP8
//! into it: one kernel reads the activation's input and writes the FP8 codes of act(x) computed in float.
int32_t fuseActivationIntoFp8Quantize(INetworkDefinition& network);
//! Moves the activation an FP8 product fused (BERT's exact GELU after its first FFN product) into the quantization
//! to FP8 that alone reads the product, where the backend's FP8 product cannot compute it in its own epilogue
//! (`productFuses` false): the product writes act's input, rounded to its type, and one kernel writes the codes
//! of act(x) (the activation's value rounded to that type first, as the unfused layers store it) instead of a
//! separate epilogue pass that writes act(x) for the quantization to read back.
int32_t moveFp8ProductActivationIntoQuantize(INetworkDefinition& network,
                                             const std::function<bool(ActivationType)>& productFuses);
//! Folds a quantization to FP8 (one scale, at most one activation between it and the product, one a product may
//! carry; the product's own only ReLU) that alone reads an FP8 product without a residual into that product: it
//! writes the codes (IMatrixMultiplyLayer::setFp8OutputScale) and carries the activation, where
//! `writesCodes(product, activation)`.
int32_t foldFp8QuantizeIntoProduct(INetworkDefinition& network,
                                   const std::function<bool(const IMatrixMultiplyLayer&, int32_t)>& writesCodes);
//! Replaces a Select whose condition is a constant of one value (all true, all false) by the input it picks,
//! where that input has the output's shape and type (a traced model's default mask: DistilBERT's masked_fill).
int32_t foldUniformSelects(INetworkDefinition& network);
//! Replaces a concatenation of strided slices of one tensor that tile it exactly (Swin's patch merging: the four
//! parities of H and W joined along the channels) by one transpose of that tensor (a reshape splitting the strided
//! dims, a transpose, a reshape merging them).
int32_t foldTilingSliceConcatenations(INetworkDefinition& network);
//! Folds a per-channel multiply or add after a convolution into its weights and bias.
int32_t foldConvolutionScale(INetworkDefinition& network);
//! Makes a per-channel Scale that is the only reader of a concatenation along its channel axis read the
//! concatenation's inputs instead (it scales their concatenation): the joined tensor is never written.
int32_t foldConcatenationIntoScale(INetworkDefinition& network);
//! Folds `conv(x) + r` (same shape, r computed before the convolution) into the convolution's residual input.
int32_t fuseConvolutionResidual(INetworkDefinition& network);
//! Folds `a + b` (same shapes) feeding only a normalization into the normalization's residual input.
int32_t fuseNormalizationResidual(INetworkDefinition& network);
//! Reads shifted-window attention (scores viewed [B, nW, H, N, N] to add a constant window mask, Swin) with batch
//! B and nW*H heads, its mask and position bias one constant [1, nW*H, N, N]: the chain attention fusion takes.
int32_t foldWindowedAttentionBias(INetworkDefinition& network);
//! Makes a channels-last 1x1 convolution of `x * gate` (a squeeze-and-excitation gate [N, 1, 1, C]) one product
//! batched over the images by weights scaled per image: the multiply over the whole feature map goes.
int32_t foldExcitationGates(INetworkDefinition& network);
//! Replaces `x * s + b` (s and b float32 constants varying along one axis of x) by one per-channel Scale layer (a
//! batch norm after a concatenation, DenseNet's; after the folds of scales into convolutions and products).
int32_t fuseChannelAffine(INetworkDefinition& network);
//! Rewrites `masked_fill(scores, m, fill)` read only by a last-axis softmax, the fill -inf or at most -1e30, as
//! `scores + where(m, fill, 0)` (exact for finite scores: such a fill absorbs each), m taken before its expand to the
//! scores' shape, so the softmax and attention fusions take it as an additive mask (DistilBERT's padding mask).
int32_t foldMaskedFillIntoAdditiveMask(INetworkDefinition& network);
//! Folds `x + m` feeding only a softmax into the softmax's additive mask input (x of the sum's shape, m broadcast).
int32_t fuseSoftMaxMask(INetworkDefinition& network);
//! Folds a product's multiplication or division by a scalar constant into its alpha.
int32_t fuseMatrixMultiplyScale(INetworkDefinition& network);
//! Replaces MatMul(Q, K^T) -> [scalar scale] -> SoftMax(last axis, [mask]) -> MatMul(., V) over 4-D
//! [B, H, S, D] tensors by one Attention layer (keeping the softmax's NaN for fully masked rows).
int32_t fuseAttention(INetworkDefinition& network);
//! Folds a scalar multiply of an Attention layer's query (also through a reshape) into the layer's scale.
int32_t foldAttentionQueryScale(INetworkDefinition& network);
//! Drops an Attention layer's mask when it is a constant that masks nothing (all zero, or all true).
int32_t removeInertAttentionMasks(INetworkDefinition& network);
//! Lets Attention layers read and write [B, S, H, D] (sequence-major) where a head split's or merge's
//! shuffle swaps dims 1 and 2 next to them: the swap is dropped and the rest is a memory view.
int32_t foldAttentionLayouts(INetworkDefinition& network);
//! Folds `gamma * matmul` (gamma a float32 constant with one value per output column, the product by a 2-D constant
//! with an optional constant bias) into new weights and bias scaled by gamma (ConvNeXt's layer scale).
int32_t foldMatrixMultiplyColumnScale(INetworkDefinition& network);
//! Folds `matmul + b` (b a constant with one value per output column) into the matrix multiply's bias input.
int32_t fuseMatrixMultiplyBias(INetworkDefinition& network);
//! Folds `x + matmul` (x of the product's shape and type, also through a reshape of the product) into the
//! product's residual input (a zero bias added when it has none).
int32_t fuseMatrixMultiplyResidual(INetworkDefinition& network);
//! Runs layers that only rearrange whole rows (shuffles and slices keeping the last axis) after a product by a
//! square constant matrix before it instead, when a residual add then reads the product (Swin's window reverse).
int32_t moveRowOrderBeforeProducts(INetworkDefinition& network);
//! Replaces a run of layers that only move whole rows, two or more of them copying, by one gather of rows by a
//! constant index table (Swin's roll and window cut).
int32_t gatherRowMoverChains(INetworkDefinition& network);
//! Folds a cast between float32, float16 and bfloat16 into the copying transpose before or after it (the
//! transpose's output type becomes the cast's): a channels-last region's exit to float32 NCHW in one pass.
int32_t fuseCastTranspose(INetworkDefinition& network);
//! Pads the NHWC image a channels-last 16-bit convolution of 3 input channels reads to 4 channels (zeros, written by
//! the transpose that makes the image, IShuffleLayer::setZeroPaddedLastDimension) and its weights with zero taps: the
//! 4 channels cuDNN's first-layer kernels read, so cuDNN does not pad the image in a kernel of its own.
int32_t padFewChannelConvolutionInputs(INetworkDefinition& network);
//! Stacks products of one input by constant matrices of one shape (Q, K, V projections) into one product by
//! [P, K, N] weights whose P results are outer-axis slices of its output (views: nothing is copied).
int32_t stackSiblingProducts(INetworkDefinition& network);
//! Stacks the column blocks of a product whose output only equal last-axis slices read (GPT-2's fused
//! Q/K/V projection) into one product by [P, K, n] weights, its P results outer-axis slices (views).
int32_t stackColumnSlicedProducts(INetworkDefinition& network);
//! Stacks the column blocks of a product split by a reshape and a transpose that brings the block axis first,
//! then one select per block (Swin's packed Q/K/V), into one product by [P, K, n] weights; each select reads
//! its block through a view and a reshape + transpose (which the attention layout folds into strides).
int32_t stackHeadSplitProducts(INetworkDefinition& network);
//! Reads a fused shifted-window attention per window: Q, K, V [B*nW, H, N, D] as the window partition gives them
//! instead of reshaped to windows x heads, its bias a 5-D mask [1, nW, H, N, N] repeating every nW batches.
int32_t regroupWindowedAttention(INetworkDefinition& network);
//! Replaces `x * sigmoid(x)` by one SiLU activation and `x * hardsigmoid(x)` by one hard-swish.
int32_t fuseGatedActivation(INetworkDefinition& network);
//! Replaces GELU's tanh form written out as layers (0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))))
//! by one GELU_TANH activation.
int32_t fuseTanhGelu(INetworkDefinition& network);
//! Replaces RMS normalization written out ([w *] x * rsqrt(mean(x^2, last dims) + eps)) by one RMSNormalization layer.
int32_t fuseRmsNormalization(INetworkDefinition& network);
//! Folds an activation without parameters (ReLU, sigmoid, tanh, GELU, SiLU, hard-swish, softsign) that
//! is the only consumer of a convolution into it, and likewise one that `matrixMultiplyActivation`
//! accepts (the backend's ExecutionBackend::fusesMatrixMultiplyActivation) into a matrix multiply.
int32_t fuseActivation(
    INetworkDefinition& network, const std::function<bool(ActivationType)>& matrixMultiplyActivation =
                                     [](ActivationType type) { return type == ActivationType::kRELU; });
//! Switches regions of 2-D convolutions whose input type `convolutionType` accepts (the backend's
//! ExecutionBackend::prefersChannelsLast), with the pooling and elementwise layers between them, to
//! channels-last tensors, adding transposes where a region of at least `minConvolutions` convolutions
//! meets the rest of the network.
//! `int8Convolution` says which INT8 convolutions may join a region (none where it is empty).
int32_t useChannelsLast(INetworkDefinition& network, const std::function<bool(DataType)>& convolutionType,
                        int32_t minConvolutions = 1,
                        const std::function<bool(const IConvolutionLayer&)>& int8Convolution = {});
//! INT8 tensors between channels-last INT8 convolutions (int8_convolution_chaining.cpp): the INT8 convolutions
//! `readsCodes` accepts that read one float tensor with one input scale read one Quantize of it instead (each
//! requests its former output type); returns how many were switched.
int32_t shareInt8ConvolutionQuantization(INetworkDefinition& network,
                                         const std::function<bool(const IConvolutionLayer&)>& readsCodes);
//! A Quantize to INT8 written by a channels-last INT8 convolution that `writesCodes` accepts becomes that
//! convolution's output scale (it writes the codes) when the Quantize is the tensor's only reader, or when each
//! other reader is a channels-last INT8 convolution reading it as its residual that `readsResidualCodes` accepts
//! (a ResNet block's output: the next block's input and its residual), which then read the codes with that
//! residual scale; returns how many were folded.
int32_t foldQuantizeIntoInt8Convolution(INetworkDefinition& network,
                                        const std::function<bool(const IConvolutionLayer&)>& writesCodes,
                                        const std::function<bool(const IConvolutionLayer&)>& readsResidualCodes = {});
//! Chooses FP16, BF16 or FP32 per layer: a layer pinned with ILayer::setPrecision computes in its pin
//! where the backend has a kernel for it; other layers in `reduced` where the backend has one, else
//! FP32. A pin the backend cannot honour throws under `obeyPins` (kOBEY_PRECISION_CONSTRAINTS), else
//! adds a line to `notes`. Inserts the casts (returns how many) and keeps the outputs' declared types.
int32_t assignPrecision(INetworkDefinition& network, Backend backend, DataType reduced, bool obeyPins,
                        std::vector<std::string>& notes);

}  // namespace passes
}  // namespace trt
