// The L2 flush buffer of tactic timing (tactic_timing.cuh).
#include <map>
#include <mutex>
#include <utility>

#include "backends/cuda/tactic_timing.cuh"

namespace trt {
namespace cuda {

// A buffer twice the current GPU's L2, written before each timed call so that the call starts with a
// cold L2 as it does inside a network, where the layers before it evict its filters. Timed hot (one
// layer run again and again), the own grouped kernel, which reads its filters per block, looked faster
// than cuDNN on ResNeXt-50's layers and made the network 2x slower. Made once per device and kept for
// the process; nullptr (no flush) where it cannot be allocated.
void* l2FlushBuffer(size_t& bytes) {
  static std::mutex mutex;
  static std::map<int, std::pair<void*, size_t>> buffers;
  int device = 0;
  check(cudaGetDevice(&device), "cudaGetDevice");
  std::lock_guard<std::mutex> lock(mutex);
  auto it = buffers.find(device);
  if (it == buffers.end()) {
    int l2 = 0;
    void* data = nullptr;
    size_t size = 0;
    if (cudaDeviceGetAttribute(&l2, cudaDevAttrL2CacheSize, device) == cudaSuccess && l2 > 0) {
      size = 2 * static_cast<size_t>(l2);
      if (cudaMalloc(&data, size) != cudaSuccess) {
        cudaGetLastError();  // clears the failed allocation's error
        data = nullptr;
        size = 0;
      }
    }
    it = buffers.emplace(device, std::make_pair(data, size)).first;
  }
  bytes = it->second.second;
  return it->second.first;
}

}  // namespace cuda
}  // namespace trt
