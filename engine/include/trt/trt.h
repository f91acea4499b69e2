// The engine's public API in one include.
#pragma once
#include "trt/builder.h"
#include "trt/network.h"
#include "trt/runtime.h"
#include "trt/types.h"
