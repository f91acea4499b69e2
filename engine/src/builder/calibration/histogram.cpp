#include "builder/calibration/histogram.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace trt {
namespace calibration {

void AbsHistogram::grow(float needed) {
  if (range_ == 0.f) {
    range_ = needed;
    return;
  }
  while (range_ < needed) {  // double the range: bin i takes old bins 2i and 2i+1
    for (int i = 0; i < kBins / 2; ++i) bins_[i] = bins_[2 * i] + bins_[2 * i + 1];
    std::fill(bins_.begin() + kBins / 2, bins_.end(), 0.0);
    range_ *= 2.f;
  }
}

void AbsHistogram::add(const float* values, int64_t n) {
  float batchMax = 0.f;
  int64_t finite = 0;
  for (int64_t i = 0; i < n; ++i)
    if (std::isfinite(values[i])) {
      batchMax = std::max(batchMax, std::fabs(values[i]));
      ++finite;
    }
  finite_ += finite;
  nonFinite_ += n - finite;
  amax_ = std::max(amax_, batchMax);
  if (batchMax == 0.f) {
    bins_[0] += static_cast<double>(n);
    return;
  }
  if (batchMax >= range_) grow(batchMax * (1.f + 1e-6f));
  const double perBin = kBins / static_cast<double>(range_);
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(values[i])) continue;
    int b = static_cast<int>(std::fabs(values[i]) * perBin);
    bins_[std::min(b, kBins - 1)] += 1.0;
  }
}

float entropyThreshold(const AbsHistogram& h) {
  constexpr int kLevels = 128;
  const std::vector<double>& bins = h.bins();
  const int n = AbsHistogram::kBins;
  // The last nonzero bin bounds the search: cuts beyond it clip nothing.
  int last = n - 1;
  while (last > 0 && bins[last] == 0.0) --last;
  if (last + 1 <= kLevels) return h.range() * static_cast<float>(last + 1) / n;
  double bestKl = std::numeric_limits<double>::infinity();
  int bestCut = last + 1;
  std::vector<double> p, q;
  for (int cut = kLevels; cut <= last + 1; ++cut) {
    // Reference: the first `cut` bins, everything beyond folded into the last one (clipped values).
    p.assign(bins.begin(), bins.begin() + cut);
    for (int i = cut; i < n; ++i) p[cut - 1] += bins[i];
    // Candidate: the same bins merged into 128 levels, each level's mass spread over its nonzero bins.
    q.assign(cut, 0.0);
    const double step = static_cast<double>(cut) / kLevels;
    for (int level = 0; level < kLevels; ++level) {
      const int start = static_cast<int>(std::floor(level * step));
      const int end = level == kLevels - 1 ? cut : static_cast<int>(std::floor((level + 1) * step));
      double mass = 0.0;
      int nonzero = 0;
      for (int i = start; i < end; ++i) {
        mass += bins[i];
        nonzero += bins[i] != 0.0;
      }
      if (nonzero == 0) continue;
      for (int i = start; i < end; ++i)
        if (bins[i] != 0.0) q[i] = mass / nonzero;
    }
    double pSum = 0.0, qSum = 0.0;
    for (int i = 0; i < cut; ++i) {
      pSum += p[i];
      qSum += q[i];
    }
    if (pSum == 0.0 || qSum == 0.0) continue;
    double kl = 0.0;
    for (int i = 0; i < cut; ++i) {
      if (p[i] == 0.0) continue;
      const double pi = p[i] / pSum;
      // A clipped mass with no candidate mass (the folded last bin): smoothed, not infinite.
      const double qi = q[i] > 0.0 ? q[i] / qSum : 1e-12;
      kl += pi * std::log(pi / qi);
    }
    if (kl < bestKl) {
      bestKl = kl;
      bestCut = cut;
    }
  }
  return h.range() * (static_cast<float>(bestCut) + 0.5f) / n;
}

namespace {
float percentileThreshold(const AbsHistogram& h, double fraction) {
  const std::vector<double>& bins = h.bins();
  double total = 0.0;
  for (double b : bins) total += b;
  if (total == 0.0) return 0.f;
  double seen = 0.0;
  for (int i = 0; i < AbsHistogram::kBins; ++i) {
    seen += bins[i];
    if (seen >= fraction * total)
      return std::min(h.amax(), h.range() * static_cast<float>(i + 1) / AbsHistogram::kBins);
  }
  return h.amax();
}
}  // namespace

float threshold(const AbsHistogram& h, CalibrationAlgoType algo) {
  if (h.amax() == 0.f) return 0.f;
  switch (algo) {
    case CalibrationAlgoType::kMINMAX_CALIBRATION:
      return h.amax();
    case CalibrationAlgoType::kPERCENTILE_CALIBRATION:
      return percentileThreshold(h, 0.9999);
    case CalibrationAlgoType::kLEGACY_CALIBRATION:
    case CalibrationAlgoType::kENTROPY_CALIBRATION:
    case CalibrationAlgoType::kENTROPY_CALIBRATION_2:
      return std::min(h.amax(), entropyThreshold(h));
  }
  return h.amax();
}

}  // namespace calibration
}  // namespace trt
