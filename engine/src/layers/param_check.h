// Parameter rules shared by each layer kind's setters and its plan reader, so that a plan can hold
// nothing the network's own API refuses (a stride of 0 read from a plan once reached a division).
// A rule reports through a ParamCheck: called from a setter it throws Error naming the layer, called
// from the plan reader it fails naming the layer, the plan field and its byte offset, as the reader's
// other errors do.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "plan/plan_io.h"
#include "trt/network.h"

namespace trt {

class ParamCheck {
 public:
  //! Rules checked by a setter of `layer`.
  explicit ParamCheck(const ILayer& layer) : layer_(&layer) {}
  //! Rules checked while `reader` reads a layer's parameters.
  explicit ParamCheck(const PlanReader& reader) : reader_(&reader) {}
  //! True when checking a plan (where a layer's initial "unset" values may appear).
  bool fromPlan() const { return reader_ != nullptr; }
  //! `what` says what is wrong with the parameter the plan stores as `field`.
  [[noreturn]] void fail(const char* field, const std::string& what) const {
    if (reader_) reader_->fail(field, what);
    throw Error(layer_->describe() + ": " + what);
  }

 private:
  const ILayer* layer_ = nullptr;
  const PlanReader* reader_ = nullptr;
};

namespace rules {

//! An enum value below `count`; `what` names it ("pooling type").
inline void enumBelow(const ParamCheck& c, const char* field, const char* what, int32_t value, int32_t count) {
  if (value < 0 || value >= count)
    c.fail(field, std::string("unknown ") + what + " " + std::to_string(value) + " (expected 0.." +
                      std::to_string(count - 1) + ")");
}

//! Every dimension > 0 (strides, dilations, kernel and window sizes: they are divided by or index steps).
inline void positive(const ParamCheck& c, const char* field, const char* what, const Dims& d) {
  for (int i = 0; i < d.nbDims; ++i)
    if (d.d[i] <= 0) c.fail(field, std::string(what) + " " + d.str() + " must be positive in every dimension");
}

inline void nonNegative(const ParamCheck& c, const char* field, const char* what, const Dims& d) {
  for (int i = 0; i < d.nbDims; ++i)
    if (d.d[i] < 0) c.fail(field, std::string(what) + " " + d.str() + " must not be negative");
}

//! A kernel or window: 1 to 3 spatial dimensions, each positive.
inline void window(const ParamCheck& c, const char* field, const char* what, const Dims& d) {
  if (d.nbDims < 1 || d.nbDims > 3) c.fail(field, std::string(what) + " " + d.str() + " must have 1 to 3 dimensions");
  positive(c, field, what, d);
}

//! A dimension index 0..7.
inline void axis(const ParamCheck& c, const char* field, const char* what, int32_t a) {
  if (a < 0 || a >= Dims::MAX_DIMS)
    c.fail(field, std::string(what) + " " + std::to_string(a) + " is not a dimension index 0.." +
                      std::to_string(Dims::MAX_DIMS - 1));
}

//! A mask of dimensions below 8 (bit i = dimension i).
inline void axesMask(const ParamCheck& c, const char* field, const char* what, uint32_t mask) {
  if (mask >> Dims::MAX_DIMS)
    c.fail(field, std::string(what) + " mask " + std::to_string(mask) + " names a dimension beyond " +
                      std::to_string(Dims::MAX_DIMS - 1));
}

//! A mask naming exactly one dimension below 8.
inline void oneAxis(const ParamCheck& c, const char* field, const char* what, uint32_t mask) {
  if (mask == 0 || (mask & (mask - 1)) != 0 || (mask >> Dims::MAX_DIMS))
    c.fail(field, std::string(what) + " mask " + std::to_string(mask) +
                      " must name exactly one dimension (one bit set, below bit " + std::to_string(Dims::MAX_DIMS) +
                      ")");
}

//! A finite value >= 0 (an infinite epsilon turns every output into 0 or NaN).
inline void finiteNonNegative(const ParamCheck& c, const char* field, const char* what, double v) {
  if (!(v >= 0.0) || !std::isfinite(v))
    c.fail(field, std::string(what) + " must be finite and >= 0, got " + std::to_string(v));
}

inline void finite(const ParamCheck& c, const char* field, const char* what, double v) {
  if (!std::isfinite(v)) c.fail(field, std::string(what) + " must be finite, got " + std::to_string(v));
}

//! A fused activation: -1 (none) or an activation type.
inline void fusedActivation(const ParamCheck& c, const char* field, int32_t a) {
  if (a < -1 || a >= kACTIVATION_TYPE_COUNT)
    c.fail(field, "fused activation " + std::to_string(a) + " is neither -1 (none) nor an activation type");
}

}  // namespace rules
}  // namespace trt
