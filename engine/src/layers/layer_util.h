// Checks shared by the layer kinds' shape inference and parameter readers.
#pragma once

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "plan/plan_io.h"
#include "trt/network.h"

namespace trt {
namespace layer_util {

inline void requireInputs(const ILayer& layer, const std::vector<TensorDesc>& inputs, size_t n) {
  if (inputs.size() != n) {
    throw Error(layer.describe() + ": expects " + std::to_string(n) + " input(s), has " +
                std::to_string(inputs.size()));
  }
}

inline void requireFloat(const ILayer& layer, const TensorDesc& input, const char* what) {
  if (input.type != DataType::kFLOAT && input.type != DataType::kHALF && input.type != DataType::kBF16) {
    throw Error(layer.describe() + ": " + what + " must be a floating-point tensor, got " + dataTypeName(input.type));
  }
}

//! The dims of `inputs` joined along `axis` (a concatenation's, a per-channel Scale's of several inputs): the same
//! type and rank, equal dims elsewhere (-1 where unknown), the axis (within input 0's rank) summed; `axisName`
//! names it in errors.
inline Dims joinedDims(const ILayer& layer, const std::vector<TensorDesc>& inputs, int32_t axis, const char* axisName) {
  Dims out = inputs[0].dims;
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Dims& d = inputs[i].dims;
    if (inputs[i].type != inputs[0].type)
      throw Error(layer.describe() + ": input " + std::to_string(i) + " has type " + dataTypeName(inputs[i].type) +
                  ", input 0 has " + dataTypeName(inputs[0].type));
    if (d.nbDims != out.nbDims)
      throw Error(layer.describe() + ": input " + std::to_string(i) + " " + d.str() +
                  " has a different rank from input 0 " + inputs[0].dims.str());
    for (int k = 0; k < d.nbDims; ++k) {
      if (k == axis) {
        out.d[k] = (out.d[k] < 0 || d.d[k] < 0) ? -1 : out.d[k] + d.d[k];
      } else if (d.d[k] >= 0 && out.d[k] >= 0 && d.d[k] != out.d[k]) {
        throw Error(layer.describe() + ": input " + std::to_string(i) + " " + d.str() + " differs from input 0 " +
                    inputs[0].dims.str() + " outside the " + axisName + " " + std::to_string(axis));
      }
    }
  }
  return out;
}

//! A per-spatial-dimension parameter: `given` when set, else `fill` repeated n times.
inline Dims spatialOr(const Dims& given, int32_t n, int64_t fill) {
  if (given.nbDims == n) return given;
  Dims out;
  out.nbDims = n;
  for (int i = 0; i < n; ++i) out.d[i] = fill;
  return out;
}

inline void requirePositive(const ILayer& layer, const Dims& d, const char* what) {
  for (int i = 0; i < d.nbDims; ++i)
    if (d.d[i] <= 0)
      throw Error(layer.describe() + ": " + what + " " + d.str() + " must be positive in every dimension");
}

inline void requireNonNegative(const ILayer& layer, const Dims& d, const char* what) {
  for (int i = 0; i < d.nbDims; ++i)
    if (d.d[i] < 0) throw Error(layer.describe() + ": " + what + " " + d.str() + " must not be negative");
}

//! Sliding-window output length (PyTorch's rule, including ceil mode).
inline int64_t windowOutput(int64_t in, int64_t pre, int64_t post, int64_t window, int64_t stride, int64_t dilation,
                            bool ceilMode) {
  if (in < 0) return -1;
  int64_t effective = dilation * (window - 1) + 1;
  int64_t span = in + pre + post - effective;
  if (span < 0) return 0;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // In ceil mode the last window must start inside the input or its leading padding.
  if (ceilMode && (out - 1) * stride >= in + pre) --out;
  return out;
}

//! The values of a shape-tensor input (a 1-D int32/int64 tensor of `length` elements, or of at most 8
//! when `length` is -1, whose values the host evaluates); throws naming the input and its role.
inline const std::vector<int64_t>& shapeTensorValues(const ILayer& layer, const TensorDesc& t, int index,
                                                     const char* role, int64_t length = -1) {
  const bool sized = length < 0 ? (t.dims.nbDims == 1 && t.dims.d[0] >= 0 && t.dims.d[0] <= Dims::MAX_DIMS)
                                : (t.dims.nbDims == 1 && t.dims.d[0] == length);
  if ((t.type != DataType::kINT32 && t.type != DataType::kINT64) || !sized)
    throw Error(layer.describe() + ": input " + std::to_string(index) + " (" + role +
                ") must be a 1-D int32/int64 tensor of " +
                (length < 0 ? "at most " + std::to_string(Dims::MAX_DIMS) + " elements"
                            : "the input's rank " + std::to_string(length)) +
                ", got " + dataTypeName(t.type) + " " + t.dims.str());
  if (static_cast<int64_t>(t.values.size()) != t.dims.d[0])
    throw Error(layer.describe() + ": input " + std::to_string(index) + " (" + role +
                ") is not a shape tensor: its values must be computable from tensor shapes and constants "
                "(Shape, Constant, ElementWise, Gather, Concatenation layers)");
  return t.values;
}

inline void writeFloats(PlanWriter& w, const std::vector<float>& v) { w.blob(v.data(), v.size() * sizeof(float)); }

inline std::vector<float> readFloats(PlanReader& r, const char* field) {
  std::vector<uint8_t> bytes = r.blob(field, r.remaining());
  if (bytes.size() % sizeof(float) != 0)
    r.fail(field, "byte count " + std::to_string(bytes.size()) + " is not a multiple of 4");
  std::vector<float> out(bytes.size() / sizeof(float));
  if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

// The float type an INT8 convolution reading INT8 codes computes y in (and its residual has): the type requested for
// its output (float32 or float16), else float32 where it writes codes itself; false where it writes floats and no
// such type was requested. One rule for the layer's inference and the precision pass.
inline bool int8CodesFloatType(const std::vector<int32_t>& requestedOutputTypes, bool codesOut, DataType& type) {
  const int32_t requested = requestedOutputTypes.empty() ? -1 : requestedOutputTypes[0];
  if (requested == static_cast<int32_t>(DataType::kFLOAT) || requested == static_cast<int32_t>(DataType::kHALF)) {
    type = static_cast<DataType>(requested);
    return true;
  }
  type = DataType::kFLOAT;
  return codesOut;
}

// The float type an FP8 product computes and stores its value in: its bias's where it reads FP8 codes (they carry no
// float type), else its input's. One rule for the layer's inference and the backends' codes-out products.
inline DataType fp8ProductFloatType(DataType input, bool hasBias, DataType bias) {
  return input == DataType::kFP8 && hasBias ? bias : input;
}

// An FP8 product's weights [N, K], or a stack's [P, N, K] that its one input matrix is multiplied by P times
// ([P, rows, N] out), and whether its bias holds a row per matrix ([P, 1, N]) rather than one row for all. One reading
// for the CPU reference and the CUDA backend.
struct Fp8ProductShape {
  int64_t parts = 1, n = 0, k = 0, rows = 0;
  bool biasPerMatrix = false;
};
inline Fp8ProductShape fp8ProductShape(const Dims& weights, const Dims& output, const Dims* bias) {
  Fp8ProductShape s;
  s.parts = weights.nbDims == 3 ? weights.d[0] : 1;
  s.n = weights.d[weights.nbDims - 2];
  s.k = weights.d[weights.nbDims - 1];
  s.rows = s.n > 0 && s.parts > 0 ? output.volume() / (s.parts * s.n) : 0;
  s.biasPerMatrix = bias && s.parts > 1 && bias->volume() == s.parts * s.n;
  return s;
}

// INT8 scales of a convolution or matrix multiply: an input scale per tensor, weight scales per
// output channel, every one positive and finite.
inline void checkInt8Scales(const ILayer& layer, float inputScale, const std::vector<float>& weightScales) {
  if (!(inputScale > 0.f) || !std::isfinite(inputScale))
    throw Error(layer.describe() + ": the INT8 input scale must be positive and finite, got " +
                std::to_string(inputScale));
  for (float s : weightScales)
    if (!(s > 0.f) || !std::isfinite(s))
      throw Error(layer.describe() + ": INT8 weight scales must be positive and finite, got " + std::to_string(s));
}

inline void writeInt8Scales(PlanWriter& w, float inputScale, const std::vector<float>& weightScales) {
  w.f32(inputScale);  // 0 unless INT8
  writeFloats(w, weightScales);
}

// Reads what writeInt8Scales wrote; `channels` output channels need one weight scale each when INT8.
inline void readInt8Scales(PlanReader& r, int64_t channels, float& inputScale, std::vector<float>& weightScales) {
  inputScale = r.f32("int8_input_scale");
  if (!(inputScale >= 0.f) || !std::isfinite(inputScale))
    r.fail("int8_input_scale", "must be 0 or positive and finite");
  weightScales = readFloats(r, "int8_weight_scales");
  if (inputScale > 0.f && channels >= 0 && static_cast<int64_t>(weightScales.size()) != channels)
    r.fail("int8_weight_scales", "needs one scale per output channel");
  for (float s : weightScales)
    if (!(s > 0.f) || !std::isfinite(s)) r.fail("int8_weight_scales", "holds a scale that is not positive and finite");
}

inline void writeMaybeDims(PlanWriter& w, const Dims& d) { w.dims(d); }

inline std::vector<float> copyFloatWeights(const ILayer& layer, const Weights& w, const char* what) {
  if (w.count == 0) return {};
  if (w.count < 0 || !w.values)
    throw Error(layer.describe() + ": " + what + " weights have count " + std::to_string(w.count) + " but no values");
  if (w.type != DataType::kFLOAT)
    throw Error(layer.describe() + ": " + what + " weights must be float32, got " + dataTypeName(w.type));
  const float* p = static_cast<const float*>(w.values);
  return std::vector<float>(p, p + w.count);
}

inline uint32_t bitCount(uint32_t v) {
  uint32_t n = 0;
  for (; v; v &= v - 1) ++n;
  return n;
}

//! Right-aligned numpy broadcasting of two shapes; -1 stays dynamic.
inline Dims broadcastShapes(const ILayer& layer, const Dims& a, const Dims& b) {
  Dims out;
  out.nbDims = std::max(a.nbDims, b.nbDims);
  for (int i = 0; i < out.nbDims; ++i) {
    int ia = a.nbDims - out.nbDims + i, ib = b.nbDims - out.nbDims + i;
    int64_t da = ia >= 0 ? a.d[ia] : 1, db = ib >= 0 ? b.d[ib] : 1;
    if (da == db)
      out.d[i] = da;
    else if (da == 1)
      out.d[i] = db;
    else if (db == 1)
      out.d[i] = da;
    else if (da == -1 || db == -1)
      out.d[i] = da == -1 ? db : da;
    else
      throw Error(layer.describe() + ": shapes " + a.str() + " and " + b.str() +
                  " cannot be broadcast together (dimension " + std::to_string(i) + ")");
  }
  return out;
}

//! Whether a matrix product's bias of dims `bias` holds one row of N values per product of the batch: the
//! output's dims `out` (rank 3 or more, static) with a 1 for the rows (a stacked product's [P, 1, N] bias),
//! and more values than one row (a [1, 1, N] bias of a [1, M, N] output is a plain one).
inline bool isPerBatchBias(const Dims& bias, const Dims& out) {
  if (out.nbDims < 3 || bias.nbDims != out.nbDims || bias.d[out.nbDims - 2] != 1) return false;
  for (int i = 0; i < out.nbDims; ++i)
    if (i != out.nbDims - 2 && (bias.d[i] != out.d[i] || bias.d[i] < 0)) return false;
  return bias.volume() != bias.d[bias.nbDims - 1];
}

//! Strides of `in` over the index space of `out` for numpy broadcasting: 0 where `in` is broadcast.
inline void broadcastStrides(const Dims& in, const Dims& out, int64_t* strides) {
  int64_t stride = 1;
  for (int i = out.nbDims - 1; i >= 0; --i) {
    int k = in.nbDims - out.nbDims + i;
    int64_t d = k >= 0 ? in.d[k] : 1;
    strides[i] = d == 1 ? 0 : stride;
    stride *= d;
  }
}

//! [N, H, W, C] as [N, C, H, W] (the channel moves from last to second).
inline Dims channelsFirst(const Dims& nhwc) {
  Dims d = nhwc;
  d.d[1] = nhwc.d[nhwc.nbDims - 1];
  for (int i = 2; i < nhwc.nbDims; ++i) d.d[i] = nhwc.d[i - 1];
  return d;
}

//! [N, C, H, W] as [N, H, W, C].
inline Dims channelsLast(const Dims& nchw) {
  Dims d = nchw;
  for (int i = 1; i + 1 < nchw.nbDims; ++i) d.d[i] = nchw.d[i + 1];
  d.d[nchw.nbDims - 1] = nchw.d[1];
  return d;
}

//! A shuffle's shape after its reshape, before its second transpose, given its output shape.
inline Dims shapeBeforeSecondTranspose(const Dims& out, const Permutation& second) {
  Dims mid = out;
  for (int i = 0; i < mid.nbDims; ++i) mid.d[second.order[i]] = out.d[i];
  return mid;
}

//! A shuffle's output before its zero padding (IShuffleLayer::setZeroPaddedLastDimension; `out` itself when it has
//! none): the last dimension the transposes give, read from the input (a padded shuffle has no reshape).
inline Dims shuffleOutputBeforePadding(const IShuffleLayer& shuffle, const Dims& in, const Dims& out) {
  if (shuffle.getZeroPaddedLastDimension() <= 0 || out.nbDims == 0) return out;
  Dims unpadded = out;
  const int last = out.nbDims - 1;
  unpadded.d[last] = in.d[shuffle.getFirstTranspose().order[shuffle.getSecondTranspose().order[last]]];
  return unpadded;
}

}  // namespace layer_util
}  // namespace trt
