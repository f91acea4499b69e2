// FP8 quantization of a large 16-bit tensor by a table of every 16-bit value's code (fp8_quantize_table.h).
#include "backends/cuda/fp8_quantize_table.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <tuple>

#include "backends/cuda/fp8_codes.cuh"
#include "backends/cuda/reduction_util.cuh"

namespace trt {
namespace cuda {

namespace {
constexpr int kTableBytes = 65536;  // one code for each 16-bit pattern
constexpr int kThreads = 512;
constexpr int kBlocksPerSm = 3;  // 64 KiB of shared memory each

// The tables of this context by (scale's bits, activation, type), freed with it.
struct Fp8Tables {
  std::map<std::tuple<uint32_t, int32_t, int32_t>, uint8_t*> byKey;
  bool sharedMemorySet = false;      // the lookup kernel's 64 KiB of dynamic shared memory allowed (once a context)
  bool sharedMemoryRefused = false;  // ... or refused: no table is tried again
  ~Fp8Tables() {
    for (auto& entry : byKey)
      if (entry.second) cudaFree(entry.second);
  }
};

// table[b] = the code of the 16-bit pattern b of T, as quantizeFp8Kernel computes an element's (one pair, both a).
template <typename T>
__global__ void buildFp8TableKernel(float scale, int32_t activation, uint8_t* table) {
  const int b = blockIdx.x * blockDim.x + threadIdx.x;
  if (b >= kTableBytes) return;
  const uint16_t bits = static_cast<uint16_t>(b);
  T value;
  memcpy(&value, &bits, sizeof(bits));
  const float a = activated<T>(toFloat(value), activation);
  table[b] = static_cast<uint8_t>(quantizePair(a, a, scale) & 0xFF);
}

// q = table[x], eight elements (one 16-byte load, one 8-byte store) a thread and step, the table staged in shared
// memory by each block; the block (0, 0) also looks up the `tail` elements after the last full vector.
__global__ void __launch_bounds__(kThreads)
    quantizeByTableKernel(const uint4* x, int64_t vectors, const uint8_t* table, uint2* q, int tail) {
  extern __shared__ uint4 staged[];  // kTableBytes
  const uint4* source = reinterpret_cast<const uint4*>(table);
  for (int i = threadIdx.x; i < kTableBytes / 16; i += blockDim.x) staged[i] = source[i];
  __syncthreads();
  const uint8_t* codes = reinterpret_cast<const uint8_t*>(staged);
  const int64_t step = static_cast<int64_t>(gridDim.x) * blockDim.x;
  for (int64_t v = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; v < vectors; v += step) {
    const uint4 raw = x[v];
    const uint16_t* bits = reinterpret_cast<const uint16_t*>(&raw);
    uint2 out;
    uint8_t* o = reinterpret_cast<uint8_t*>(&out);
#pragma unroll
    for (int k = 0; k < 8; ++k) o[k] = codes[bits[k]];
    q[v] = out;
  }
  if (blockIdx.x == 0 && static_cast<int>(threadIdx.x) < tail) {
    const uint16_t* rest = reinterpret_cast<const uint16_t*>(x + vectors);
    reinterpret_cast<uint8_t*>(q + vectors)[threadIdx.x] = codes[rest[threadIdx.x]];
  }
}

// The context's table for (scale, activation, type), built on first use (the engine's first run: never inside a
// captured graph, whose runs repeat a run already made).
const uint8_t* tableFor(LaunchContext& ctx, DataType type, float scale, int32_t activation) {
  auto& slot = ctx.kindState[LayerType::kQUANTIZE];
  if (!slot) slot = std::make_shared<Fp8Tables>();
  Fp8Tables& state = *static_cast<Fp8Tables*>(slot.get());
  if (state.sharedMemoryRefused) return nullptr;
  if (!state.sharedMemorySet) {
    if (cudaFuncSetAttribute(quantizeByTableKernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kTableBytes) !=
        cudaSuccess) {
      (void)cudaGetLastError();
      state.sharedMemoryRefused = true;  // a GPU without 64 KiB a block: the direct kernel computes the codes
      return nullptr;
    }
    state.sharedMemorySet = true;
  }
  auto& tables = state.byKey;
  uint32_t scaleBits = 0;
  std::memcpy(&scaleBits, &scale, sizeof(scaleBits));
  const auto key = std::make_tuple(scaleBits, activation, static_cast<int32_t>(type));
  auto it = tables.find(key);
  if (it != tables.end()) return it->second;  // nullptr: building it failed once; the direct kernel runs
  // A run being captured into a graph may not allocate (a table is built by the first run of its shape, which is
  // never captured; one whose build failed is not tried again): the direct kernel computes the codes.
  cudaStreamCaptureStatus capture = cudaStreamCaptureStatusNone;
  if (cudaStreamIsCapturing(ctx.stream, &capture) != cudaSuccess || capture != cudaStreamCaptureStatusNone)
    return nullptr;
  uint8_t* table = nullptr;
  if (cudaMalloc(&table, kTableBytes) != cudaSuccess) {
    (void)cudaGetLastError();
    tables.emplace(key, nullptr);  // out of memory: the direct kernel computes the codes
    return nullptr;
  }
  tables.emplace(key, table);  // freed with the context, whatever happens below
  if (type == DataType::kHALF)
    buildFp8TableKernel<__half><<<kTableBytes / 256, 256, 0, ctx.stream>>>(scale, activation, table);
  else
    buildFp8TableKernel<__nv_bfloat16><<<kTableBytes / 256, 256, 0, ctx.stream>>>(scale, activation, table);
  check(cudaGetLastError(), "FP8 code table kernel launch");
  return table;
}
}  // namespace

bool quantizeToFp8ByTable(LaunchContext& ctx, DataType type, const void* x, float scale, uint8_t* q, int64_t total,
                          int32_t activation) {
  if ((type != DataType::kHALF && type != DataType::kBF16) || activation < 0 || total < kFp8TableMinimumElements ||
      reinterpret_cast<uintptr_t>(x) % 16 != 0 || reinterpret_cast<uintptr_t>(q) % 8 != 0)
    return false;
  const uint8_t* table = tableFor(ctx, type, scale, activation);
  if (!table) return false;
  const int64_t vectors = total / 8;
  const int64_t blocks = std::min<int64_t>((vectors + kThreads - 1) / kThreads,
                                           static_cast<int64_t>(multiprocessorCount()) * kBlocksPerSm);
  quantizeByTableKernel<<<static_cast<unsigned>(blocks), kThreads, kTableBytes, ctx.stream>>>(
      static_cast<const uint4*>(x), vectors, table, reinterpret_cast<uint2*>(q), static_cast<int>(total % 8));
  check(cudaGetLastError(), "FP8 table quantization kernel launch");
  return true;
}

}  // namespace cuda
}  // namespace trt
