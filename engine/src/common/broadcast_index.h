// Where element i of a broadcast result reads an operand (numpy broadcasting: right-aligned, size-1
// dims repeat), shared by the CPU reference and the CUDA kernels that broadcast one operand.
#pragma once

#include <cstdint>

#include "common/host_device.h"
#include "trt/types.h"

namespace trt {

struct BroadcastIndex {
  int32_t rank = 0;
  int64_t dims[Dims::MAX_DIMS] = {};     // the result's dims
  int64_t strides[Dims::MAX_DIMS] = {};  // the operand's element strides per result dim (0: repeated)

  BroadcastIndex(const Dims& result, const Dims& operand) {
    rank = result.nbDims;
    int64_t stride = 1;
    for (int d = rank - 1, k = operand.nbDims - 1; d >= 0; --d, --k) {
      dims[d] = result.d[d];
      const int64_t size = k >= 0 ? operand.d[k] : 1;
      strides[d] = size == 1 ? 0 : stride;
      stride *= size;
    }
  }

  //! The operand's element for result element i.
  TRT_HOST_DEVICE int64_t operator()(int64_t i) const {
    int64_t offset = 0;
    for (int d = rank - 1; d >= 0; --d) {
      offset += (i % dims[d]) * strides[d];
      i /= dims[d];
    }
    return offset;
  }
};

}  // namespace trt
