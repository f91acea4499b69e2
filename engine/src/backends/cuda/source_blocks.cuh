// Kernels that read several sources into one output (a concatenation, a per-channel scale of several inputs) give
// each source a range of the grid's blocks of its own, in proportion to its work: a warp reads one source, and the
// search for it is the block's, alike for all its threads (a search per element made a warp's lanes read kernel
// parameters one after another: DenseNet-121's scales ran at a third of the memory's speed).
#pragma once

#include <algorithm>
#include <cstdint>

namespace trt {
namespace cuda {

//! Sources one launch takes (kernel parameters stay well under their 4 KB).
constexpr int kSourcesPerLaunch = 32;

//! This block's source: the last s < count whose first block is at most blockIdx.x.
template <int N>
__device__ __forceinline__ int sourceOfBlock(const uint32_t (&firstBlock)[N], int count) {
  int lo = 0, hi = count - 1;
  while (lo < hi) {
    const int mid = (lo + hi + 1) / 2;
    if (firstBlock[mid] <= blockIdx.x)
      lo = mid;
    else
      hi = mid - 1;
  }
  return lo;
}

//! Sets firstBlock[0..count] to each source's first block (firstBlock[count]: the grid's size), `work(s)` items of
//! source s, 256 threads a block, about 4096 blocks in all; returns the grid's size.
template <typename Work>
uint32_t assignSourceBlocks(uint32_t* firstBlock, int count, Work work) {
  int64_t total = 0;
  for (int s = 0; s < count; ++s) total += work(s);
  const int64_t perBlock = 256 * std::max<int64_t>(1, (total + 256 * 4096 - 1) / (256 * 4096));
  uint32_t blocks = 0;
  for (int s = 0; s < count; ++s) {
    firstBlock[s] = blocks;
    blocks += static_cast<uint32_t>(std::max<int64_t>(1, (work(s) + perBlock - 1) / perBlock));
  }
  firstBlock[count] = blocks;
  return blocks;
}

}  // namespace cuda
}  // namespace trt
