// Reductions over any set of axes, and softmax over one axis (accumulating in double).
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

namespace {
// Integer reductions accumulate in int64 (sums and products wrap as PyTorch's int64 arithmetic does).
template <typename T>
void reduceIntegers(const IReduceLayer& reduce, const TensorView& input, TensorView& output) {
  const Dims& in = input.dims;
  const uint32_t axes = reduce.getReduceAxes();
  const ReduceOperation op = reduce.getOperation();
  int64_t outStride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = in.nbDims - 1; i >= 0; --i) {
    outStride[i] = ((axes >> i) & 1u) ? 0 : s;
    if (!((axes >> i) & 1u)) s *= in.d[i];
  }
  const int64_t nOut = output.dims.volume(), nIn = in.volume();
  int64_t init = 0;
  if (op == ReduceOperation::kPROD) init = 1;
  if (op == ReduceOperation::kMAX) init = std::numeric_limits<T>::min();
  if (op == ReduceOperation::kMIN) init = std::numeric_limits<T>::max();
  std::vector<uint64_t> acc(static_cast<size_t>(nOut), static_cast<uint64_t>(init));
  const T* src = static_cast<const T*>(input.data);
  int64_t idx[Dims::MAX_DIMS] = {};
  int64_t o = 0;
  for (int64_t i = 0; i < nIn; ++i) {
    const int64_t v = src[i];
    uint64_t& a = acc[o];
    switch (op) {
      case ReduceOperation::kSUM:
      case ReduceOperation::kAVG:
        a += static_cast<uint64_t>(v);
        break;
      case ReduceOperation::kPROD:
        a *= static_cast<uint64_t>(v);
        break;
      case ReduceOperation::kMAX:
        a = v > static_cast<int64_t>(a) ? static_cast<uint64_t>(v) : a;
        break;
      case ReduceOperation::kMIN:
        a = v < static_cast<int64_t>(a) ? static_cast<uint64_t>(v) : a;
        break;
    }
    for (int d = in.nbDims - 1; d >= 0; --d) {
      o += outStride[d];
      if (++idx[d] < in.d[d]) break;
      o -= outStride[d] * in.d[d];
      idx[d] = 0;
    }
  }
  T* dst = static_cast<T*>(output.data);
  for (int64_t i = 0; i < nOut; ++i) dst[i] = static_cast<T>(static_cast<int64_t>(acc[i]));
}
}  // namespace

void runReduce(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& reduce = static_cast<const IReduceLayer&>(layer);
  if (inputs[0].type == DataType::kINT32) return reduceIntegers<int32_t>(reduce, inputs[0], output);
  if (inputs[0].type == DataType::kINT64) return reduceIntegers<int64_t>(reduce, inputs[0], output);
  requireFloat32(layer, inputs[0], "the input");
  const Dims& in = inputs[0].dims;
  const uint32_t axes = reduce.getReduceAxes();
  const ReduceOperation op = reduce.getOperation();
  // Output strides over the input's index space: 0 on reduced axes.
  int64_t outStride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = in.nbDims - 1; i >= 0; --i) {
    if ((axes >> i) & 1u) {
      outStride[i] = 0;
    } else {
      outStride[i] = s;
      s *= in.d[i];
    }
  }
  const int64_t nOut = output.dims.volume(), nIn = in.volume();
  const int64_t reducedCount = nOut > 0 ? nIn / nOut : 0;
  double init = 0.0;
  if (op == ReduceOperation::kPROD) init = 1.0;
  if (op == ReduceOperation::kMAX) init = -std::numeric_limits<double>::infinity();
  if (op == ReduceOperation::kMIN) init = std::numeric_limits<double>::infinity();
  std::vector<double> acc(static_cast<size_t>(nOut), init);
  const float* src = inputs[0].f32();
  int64_t idx[Dims::MAX_DIMS] = {};
  int64_t o = 0;
  for (int64_t i = 0; i < nIn; ++i) {
    double v = src[i];
    double& a = acc[o];
    switch (op) {
      case ReduceOperation::kSUM:
      case ReduceOperation::kAVG:
        a += v;
        break;
      case ReduceOperation::kPROD:
        a *= v;
        break;
      case ReduceOperation::kMAX:
        a = (std::isnan(v) || v > a) ? v : a;
        break;
      case ReduceOperation::kMIN:
        a = (std::isnan(v) || v < a) ? v : a;
        break;
    }
    for (int d = in.nbDims - 1; d >= 0; --d) {
      o += outStride[d];
      if (++idx[d] < in.d[d]) break;
      o -= outStride[d] * in.d[d];
      idx[d] = 0;
    }
  }
  float* dst = output.f32();
  for (int64_t i = 0; i < nOut; ++i)
    dst[i] = static_cast<float>(op == ReduceOperation::kAVG ? acc[i] / static_cast<double>(reducedCount) : acc[i]);
}

void runSoftMax(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& softmax = static_cast<const ISoftMaxLayer&>(layer);
  requireFloat32(layer, inputs[0], "the input");
  const Dims& in = inputs[0].dims;
  int axis = in.nbDims - 1;
  if (softmax.getAxes() != 0)
    for (int i = 0; i < in.nbDims; ++i)
      if ((softmax.getAxes() >> i) & 1u) axis = i;
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= in.d[i];
  for (int i = axis + 1; i < in.nbDims; ++i) inner *= in.d[i];
  const int64_t len = in.d[axis];
  const float* src = inputs[0].f32();
  float* dst = output.f32();
  // The optional additive mask, read through broadcast strides.
  std::vector<float> masked;
  if (inputs.size() > 1) {
    requireFloat32(layer, inputs[1], "the mask");
    int64_t strides[Dims::MAX_DIMS];
    layer_util::broadcastStrides(inputs[1].dims, in, strides);
    const int64_t n = in.volume();
    masked.resize(static_cast<size_t>(n));
    int64_t idx[Dims::MAX_DIMS] = {};
    int64_t m = 0;
    for (int64_t i = 0; i < n; ++i) {
      masked[i] = src[i] + inputs[1].f32()[m];
      for (int d = in.nbDims - 1; d >= 0; --d) {
        m += strides[d];
        if (++idx[d] < in.d[d]) break;
        m -= strides[d] * in.d[d];
        idx[d] = 0;
      }
    }
    src = masked.data();
  }
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < inner; ++j) {
      const float* x = src + o * len * inner + j;
      float* y = dst + o * len * inner + j;
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t k = 0; k < len; ++k) mx = std::max(mx, x[k * inner]);
      double sum = 0.0;
      for (int64_t k = 0; k < len; ++k) {
        float e = std::exp(x[k * inner] - mx);
        y[k * inner] = e;
        sum += e;
      }
      const float inv = static_cast<float>(1.0 / sum);
      for (int64_t k = 0; k < len; ++k) y[k * inner] *= inv;
    }
  }
}

}  // namespace cpu
}  // namespace trt
