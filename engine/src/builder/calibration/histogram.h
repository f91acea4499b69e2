// What INT8 calibration observes of one tensor (the largest |x| and a histogram of |x|) and the
// algorithms that turn it into a threshold.
#pragma once

#include <cstdint>
#include <vector>

#include "trt/types.h"

namespace trt {
namespace calibration {

//! A histogram of |x| over [0, range) in kBins equal bins; when a value beyond the range arrives,
//! the range doubles (pairs of bins merge) until it fits, so batches can arrive in any order.
class AbsHistogram {
 public:
  static constexpr int kBins = 2048;
  //! Adds n values.
  void add(const float* values, int64_t n);
  //! The largest |x| seen.
  float amax() const { return amax_; }
  //! Upper end of the histogram's range (0 until a nonzero value arrives).
  float range() const { return range_; }
  const std::vector<double>& bins() const { return bins_; }
  //! Values seen that were finite, and that were NaN or infinite (skipped).
  int64_t finiteCount() const { return finite_; }
  int64_t nonFiniteCount() const { return nonFinite_; }

 private:
  void grow(float needed);
  float amax_ = 0.f;
  float range_ = 0.f;
  int64_t finite_ = 0, nonFinite_ = 0;
  std::vector<double> bins_ = std::vector<double>(kBins, 0.0);
};

//! The threshold |x| that maps to 127 under `algo` (entropy: KL divergence, min-max: amax,
//! percentile: 99.99th percentile of |x|).
float threshold(const AbsHistogram& h, CalibrationAlgoType algo);

//! The KL-divergence threshold alone (TensorRT's entropy calibration): among the first i bins
//! (i = 128 .. kBins), the cut whose 128-level quantization differs least from the clipped data.
float entropyThreshold(const AbsHistogram& h);

}  // namespace calibration
}  // namespace trt
