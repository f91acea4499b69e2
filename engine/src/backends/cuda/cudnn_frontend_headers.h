// The cuDNN frontend's headers (header-only C++ over cuDNN's graph API), for the files built with
// TORCHTRT_WITH_CUDNN_FRONTEND (engine/CMakeLists.txt: the fused attention and the graph convolutions), with the
// handle holder they share.
#pragma once

// The frontend's headers define helpers a file may not call (-Wunused-function).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include <cudnn_frontend.h>
#pragma GCC diagnostic pop

#include "backends/cuda/cudnn_handle.h"
