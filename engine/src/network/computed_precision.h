// The precision a built layer computes in, as the inspector reports it.
#pragma once

#include "trt/network.h"

namespace trt {

//! The type `layer` computes in after the builder's passes: kINT8 for INT8 convolutions and matrix
//! products, else the type of its floating inputs (the 16-bit one when it has any), else its output's.
DataType computedPrecision(const ILayer& layer);

}  // namespace trt
