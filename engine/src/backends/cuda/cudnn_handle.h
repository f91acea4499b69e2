// A cuDNN handle owned by the graph caches of the cuDNN frontend's users (the fused attention, the graph
// convolutions): created with the cache, destroyed with it, bound to the launch's stream before each use.
#pragma once

#include <cuda_runtime.h>
#include <cudnn.h>

#include "trt/types.h"

namespace trt {
namespace cuda {

class CudnnHandle {
 public:
  //! Creates the handle; throws Error when cuDNN cannot start.
  CudnnHandle() {
    if (cudnnCreate(&handle_) != CUDNN_STATUS_SUCCESS) throw Error("CUDA backend: cudnnCreate failed");
  }
  ~CudnnHandle() {
    if (handle_) cudnnDestroy(handle_);
  }
  CudnnHandle(const CudnnHandle&) = delete;
  CudnnHandle& operator=(const CudnnHandle&) = delete;

  //! The handle with `stream` (a cudaStream_t) as its stream; throws Error when cuDNN refuses it.
  cudnnHandle_t on(void* stream) {
    if (cudnnSetStream(handle_, static_cast<cudaStream_t>(stream)) != CUDNN_STATUS_SUCCESS)
      throw Error("CUDA backend: cudnnSetStream failed");
    return handle_;
  }
  //! The handle as last bound.
  cudnnHandle_t get() const { return handle_; }

 private:
  cudnnHandle_t handle_ = nullptr;
};

}  // namespace cuda
}  // namespace trt
