// The fast path's transposes: the data movement of the reference's Shuffle (bit-identical), in runs
// of the trailing dims a permutation keeps in place (BERT's head split and merge keep the head width:
// runs of 64 floats instead of one memcpy an element) and over the cores. BERT-base spent 8% of a
// CPU call in its 48 transposes on one thread.
#include <algorithm>
#include <cstring>

#include "backends/cpu/cpu_kernels.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {

namespace {
// dst = src (dims) permuted by perm, as permuteCopy, over the cores.
void permuteParallel(const uint8_t* src, const Dims& dims, const int32_t* perm, uint8_t* dst, size_t elem) {
  const int rank = dims.nbDims;
  int64_t inStride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; --i) {
    inStride[i] = s;
    s *= dims.d[i];
  }
  // Trailing output dims that are the input's trailing dims in order form contiguous runs.
  int kept = rank;
  while (kept > 0 && perm[kept - 1] == kept - 1) --kept;
  int64_t run = 1;
  for (int i = kept; i < rank; ++i) run *= dims.d[i];
  int64_t outDims[Dims::MAX_DIMS], strideOfOut[Dims::MAX_DIMS];
  int64_t outer = 1;
  for (int i = 0; i < kept; ++i) {
    outDims[i] = dims.d[perm[i]];
    strideOfOut[i] = inStride[perm[i]];
    outer *= outDims[i];
  }
  const size_t runBytes = static_cast<size_t>(run) * elem;
  forEachRange(outer, run * 2, [&](int64_t first, int64_t last) {
    // The input offset of output run `first`, then stepped like an odometer.
    int64_t idx[Dims::MAX_DIMS] = {};
    int64_t offset = 0, rest = first;
    for (int i = kept - 1; i >= 0; --i) {
      idx[i] = rest % outDims[i];
      rest /= outDims[i];
      offset += idx[i] * strideOfOut[i];
    }
    for (int64_t o = first; o < last; ++o) {
      std::memcpy(dst + o * runBytes, src + offset * static_cast<int64_t>(elem), runBytes);
      for (int i = kept - 1; i >= 0; --i) {
        offset += strideOfOut[i];
        if (++idx[i] < outDims[i]) break;
        offset -= strideOfOut[i] * outDims[i];
        idx[i] = 0;
      }
    }
  });
}
}  // namespace

bool runShuffleParallel(const ILayer& layer, const std::vector<TensorView>& inputs, TensorView& output) {
  const auto& shuffle = static_cast<const IShuffleLayer&>(layer);
  const Dims& in = inputs[0].dims;
  const Permutation first = shuffle.getFirstTranspose(), second = shuffle.getSecondTranspose();
  const bool firstId = isIdentity(first.order, in.nbDims), secondId = isIdentity(second.order, output.dims.nbDims);
  if (firstId == secondId || inputs[0].data == output.data) return false;  // copies, views, two transposes
  if (output.dims.volume() == 0) return true;
  const size_t elem = dataTypeSize(inputs[0].type);
  const auto* src = static_cast<const uint8_t*>(inputs[0].data);
  auto* dst = static_cast<uint8_t*>(output.data);
  if (secondId)
    permuteParallel(src, in, first.order, dst, elem);
  else
    permuteParallel(src, layer_util::shapeBeforeSecondTranspose(output.dims, second), second.order, dst, elem);
  return true;
}

}  // namespace cpu
}  // namespace trt
