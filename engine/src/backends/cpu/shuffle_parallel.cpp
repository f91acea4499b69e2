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
// A permutation that moves the input's last dim (runs of one element): output dim `k` walks the input's
// last dim, the output's last dim reads the input with a stride. Tiles of 32 x 32 elements of those two
// dims keep both the reads and the writes along cache lines (an element at a time, each output row read
// 32-byte-strided input: ViT's patch embedding permute took 3.4 ms at batch 8).
template <typename T>
void transposeTiles(const T* src, T* dst, int rank, const int64_t* outDims, const int64_t* strideOfOut, int k) {
  constexpr int64_t kTile = 32;
  const int l = rank - 1;
  int64_t outStride[Dims::MAX_DIMS];
  int64_t s = 1;
  for (int i = rank - 1; i >= 0; --i) {
    outStride[i] = s;
    s *= outDims[i];
  }
  const int64_t tilesK = (outDims[k] + kTile - 1) / kTile, tilesL = (outDims[l] + kTile - 1) / kTile;
  int64_t outer = 1;
  for (int i = 0; i < rank; ++i)
    if (i != k && i != l) outer *= outDims[i];
  forEachRange(outer * tilesK * tilesL, kTile * kTile * 4, [&](int64_t first, int64_t last) {
    for (int64_t item = first; item < last; ++item) {
      const int64_t tl = item % tilesL, tk = (item / tilesL) % tilesK;
      int64_t rest = item / (tilesL * tilesK), inBase = 0, outBase = 0;
      for (int i = rank - 1; i >= 0; --i) {
        if (i == k || i == l) continue;
        const int64_t idx = rest % outDims[i];
        rest /= outDims[i];
        inBase += idx * strideOfOut[i];
        outBase += idx * outStride[i];
      }
      const int64_t k0 = tk * kTile, k1 = std::min(outDims[k], k0 + kTile);
      const int64_t l0 = tl * kTile, l1 = std::min(outDims[l], l0 + kTile);
      for (int64_t il = l0; il < l1; ++il) {
        const T* from = src + inBase + il * strideOfOut[l];
        T* to = dst + outBase + il;
        for (int64_t ik = k0; ik < k1; ++ik) to[ik * outStride[k]] = from[ik];
      }
    }
  });
}

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
  if (kept == rank && rank >= 2) {
    int k = 0;  // the output dim that walks the input's last dim
    while (perm[k] != rank - 1) ++k;
    switch (elem) {
      case 1:
        return transposeTiles(src, dst, rank, outDims, strideOfOut, k);
      case 2:
        return transposeTiles(reinterpret_cast<const uint16_t*>(src), reinterpret_cast<uint16_t*>(dst), rank, outDims,
                              strideOfOut, k);
      case 4:
        return transposeTiles(reinterpret_cast<const uint32_t*>(src), reinterpret_cast<uint32_t*>(dst), rank, outDims,
                              strideOfOut, k);
      case 8:
        return transposeTiles(reinterpret_cast<const uint64_t*>(src), reinterpret_cast<uint64_t*>(dst), rank, outDims,
                              strideOfOut, k);
      default:
        break;
    }
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
  // Copies, views, two transposes and zero-padded outputs run the reference's kernel.
  if (firstId == secondId || inputs[0].data == output.data || shuffle.getZeroPaddedLastDimension() > 0) return false;
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
