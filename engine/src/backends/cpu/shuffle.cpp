// Shuffle = transpose, reshape (no data movement), transpose.
#include <cstring>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

bool isIdentity(const int32_t* perm, int rank) {
  for (int i = 0; i < rank; ++i)
    if (perm[i] != i) return false;
  return true;
}

void permuteCopy(const void* src, const Dims& dims, const int32_t* perm, void* dst, size_t elemSize) {
  const int rank = dims.nbDims;
  const int64_t n = dims.volume();
  if (rank == 0 || isIdentity(perm, rank)) {
    if (dst != src) std::memmove(dst, src, static_cast<size_t>(n) * elemSize);
    return;
  }
  int64_t inStride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; --i) {
    inStride[i] = s;
    s *= dims.d[i];
  }
  int64_t outDims[Dims::MAX_DIMS], strideOfOut[Dims::MAX_DIMS];
  for (int i = 0; i < rank; ++i) {
    outDims[i] = dims.d[perm[i]];
    strideOfOut[i] = inStride[perm[i]];
  }
  const auto* in = static_cast<const uint8_t*>(src);
  auto* out = static_cast<uint8_t*>(dst);
  int64_t idx[Dims::MAX_DIMS] = {};
  int64_t offset = 0;
  for (int64_t o = 0; o < n; ++o) {
    std::memcpy(out + o * elemSize, in + offset * elemSize, elemSize);
    for (int i = rank - 1; i >= 0; --i) {
      offset += strideOfOut[i];
      if (++idx[i] < outDims[i]) break;
      offset -= strideOfOut[i] * outDims[i];
      idx[i] = 0;
    }
  }
}

// Rows of `from` elements of `elem` bytes, each followed by zeros up to `to` elements.
void padRows(const uint8_t* src, int64_t rows, int64_t from, int64_t to, size_t elem, uint8_t* dst) {
  const size_t kept = static_cast<size_t>(from) * elem, padded = static_cast<size_t>(to) * elem;
  for (int64_t r = 0; r < rows; ++r) {
    if (kept > 0) std::memcpy(dst + r * padded, src + r * kept, kept);  // an empty row has no source at all
    std::memset(dst + r * padded + kept, 0, padded - kept);
  }
}

void runShuffle(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& shuffle = static_cast<const IShuffleLayer&>(layer);
  const size_t elem = dataTypeSize(inputs[0].type);
  const Dims& in = inputs[0].dims;
  const Permutation first = shuffle.getFirstTranspose(), second = shuffle.getSecondTranspose();
  const Dims out = layer_util::shuffleOutputBeforePadding(shuffle, in, output.dims);
  // A zero-padded shuffle moves into a buffer of the transposes' shape (none for an empty row), then pads its rows.
  const bool padded = out != output.dims;
  std::vector<uint8_t> unpadded(padded ? static_cast<size_t>(out.volume()) * elem : 0);
  void* dst = padded ? unpadded.data() : output.data;
  const bool firstId = isIdentity(first.order, in.nbDims), secondId = isIdentity(second.order, out.nbDims);
  const Dims mid = layer_util::shapeBeforeSecondTranspose(out, second);
  if (secondId) {  // also the plain copy when both transposes are identities
    permuteCopy(inputs[0].data, in, first.order, dst, elem);
  } else if (firstId) {
    permuteCopy(inputs[0].data, mid, second.order, dst, elem);
  } else {
    std::vector<uint8_t> tmp(static_cast<size_t>(in.volume()) * elem);
    permuteCopy(inputs[0].data, in, first.order, tmp.data(), elem);
    permuteCopy(tmp.data(), mid, second.order, dst, elem);
  }
  if (padded) {
    const int64_t from = out.d[out.nbDims - 1], to = output.dims.d[output.dims.nbDims - 1];
    padRows(unpadded.data(), to > 0 ? output.dims.volume() / to : 0, from, to, elem,
            static_cast<uint8_t*>(output.data));
  }
}

void runConstant(const ILayer& layer, const std::vector<TensorView>&, TensorView& output) {
  const auto& constant = static_cast<const IConstantLayer&>(layer);
  if (output.data != constant.bytes().data())
    std::memcpy(output.data, constant.bytes().data(), constant.bytes().size());
}

void runConcatenation(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const int axis = static_cast<const IConcatenationLayer&>(layer).getAxis();
  const size_t elem = dataTypeSize(output.type);
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < axis; ++i) outer *= output.dims.d[i];
  for (int i = axis + 1; i < output.dims.nbDims; ++i) inner *= output.dims.d[i];
  const int64_t outRow = output.dims.d[axis] * inner;
  int64_t offset = 0;
  for (const TensorView& in : inputs) {
    const int64_t row = in.dims.d[axis] * inner;
    for (int64_t o = 0; o < outer; ++o) {
      std::memcpy(static_cast<uint8_t*>(output.data) + (o * outRow + offset) * elem,
                  static_cast<const uint8_t*>(in.data) + o * row * elem, static_cast<size_t>(row) * elem);
    }
    offset += row;
  }
}

}  // namespace cpu
}  // namespace trt
