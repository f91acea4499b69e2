#include "plan_mutator.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "plan_image.h"

namespace trt_fuzz {
namespace {

using Rng = std::mt19937;

// Values at the edges the reader and the kernels must handle: zero, signs, powers of two around the
// 32-bit limits (the reader bounds dimensions to 2^31 - 1), and the extremes of each type.
const int64_t kInterestingInts[] = {
    0,   1,     -1,    2,           3,         -2,          4,         7,           8,           16,        255,
    256, 65535, 65536, (1ll << 30), INT32_MAX, (1ll << 31), INT32_MIN, (1ll << 32), (1ll << 40), INT64_MAX, INT64_MIN};
const double kInterestingFloats[] = {0.0,
                                     -0.0,
                                     1.0,
                                     -1.0,
                                     0.5,
                                     2.0,
                                     1e-45,
                                     1e-38,
                                     65504,
                                     1e30,
                                     -1e30,
                                     3e38,
                                     1e300,
                                     -1e300,
                                     std::numeric_limits<double>::infinity(),
                                     -std::numeric_limits<double>::infinity(),
                                     std::numeric_limits<double>::quiet_NaN()};

size_t pick(Rng& rng, size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
bool oneIn(Rng& rng, unsigned n) { return pick(rng, n) == 0; }

int64_t interestingInt(Rng& rng) {
  return kInterestingInts[pick(rng, sizeof(kInterestingInts) / sizeof(kInterestingInts[0]))];
}
double interestingFloat(Rng& rng) {
  return kInterestingFloats[pick(rng, sizeof(kInterestingFloats) / sizeof(kInterestingFloats[0]))];
}

// A new value for an integer field: an edge value, a small step from the old one, or a random one.
int64_t mutateInt(Rng& rng, int64_t old) {
  switch (pick(rng, 3)) {
    case 0:
      return interestingInt(rng);
    case 1:
      return static_cast<int64_t>(static_cast<uint64_t>(old) + static_cast<uint64_t>(pick(rng, 33)) - 16);
    default:
      return static_cast<int64_t>(rng());
  }
}

// A tensor index: mostly one that exists (a real but wrong edge), sometimes just past the end or far off.
uint32_t tensorIndex(Rng& rng, const PlanImage& p) {
  if (!oneIn(rng, 8) && !p.tensors.empty()) return static_cast<uint32_t>(pick(rng, p.tensors.size()));
  return oneIn(rng, 2) ? static_cast<uint32_t>(p.tensors.size()) : static_cast<uint32_t>(mutateInt(rng, 0));
}

void mutateDims(Rng& rng, DimsRecord& d) {
  switch (pick(rng, 4)) {
    case 0:  // one extent
      if (!d.d.empty()) {
        int64_t& x = d.d[pick(rng, d.d.size())];
        x = mutateInt(rng, x);
        break;
      }
      [[fallthrough]];
    case 1:  // one more axis, rank kept consistent
      if (d.d.size() < static_cast<size_t>(trt::Dims::MAX_DIMS)) d.d.insert(d.d.begin() + pick(rng, d.d.size() + 1), 1);
      d.rank = static_cast<int32_t>(d.d.size());
      break;
    case 2:  // one axis fewer
      if (!d.d.empty()) d.d.erase(d.d.begin() + pick(rng, d.d.size()));
      d.rank = static_cast<int32_t>(d.d.size());
      break;
    default:  // a rank that disagrees with the extents (reaches the reader's rank check)
      d.rank = static_cast<int32_t>(mutateInt(rng, d.rank));
  }
}

void mutateName(Rng& rng, std::string& name, const PlanImage& p) {
  switch (pick(rng, 4)) {
    case 0:
      name.clear();
      break;
    case 1:  // another tensor's name: two bindings or tensors of one name
      if (!p.tensors.empty()) name = p.tensors[pick(rng, p.tensors.size())].name;
      break;
    case 2:
      name.push_back(static_cast<char>(rng()));
      break;
    default:
      if (!name.empty()) name[pick(rng, name.size())] = static_cast<char>(rng());
  }
}

template <typename T>
void writeAt(std::vector<uint8_t>& bytes, size_t at, T v) {
  if (at + sizeof(T) <= bytes.size()) std::memcpy(bytes.data() + at, &v, sizeof(T));
}

// Offsets in a parameter block that look like a dims record: an i32 rank 1..8 followed by that many
// i64 extents within the reader's bounds. Strides, kernels, paddings and shapes are written this way.
std::vector<size_t> dimsLikeOffsets(const std::vector<uint8_t>& params) {
  std::vector<size_t> found;
  for (size_t at = 0; at + 4 <= params.size(); ++at) {
    int32_t rank;
    std::memcpy(&rank, params.data() + at, 4);
    if (rank < 1 || rank > trt::Dims::MAX_DIMS || at + 4 + 8 * static_cast<size_t>(rank) > params.size()) continue;
    bool plausible = true;
    for (int32_t k = 0; k < rank && plausible; ++k) {
      int64_t x;
      std::memcpy(&x, params.data() + at + 4 + 8 * k, 8);
      plausible = x >= -1 && x <= INT32_MAX;
    }
    if (plausible) found.push_back(at);
  }
  return found;
}

void mutateParams(Rng& rng, std::vector<uint8_t>& params, const PlanImage& p, ByteMutator bytes) {
  const size_t n = params.size();
  switch (pick(rng, 6)) {
    case 0: {  // one extent of something dims-shaped (a stride of 0, a kernel of -1, ...)
      const std::vector<size_t> dims = dimsLikeOffsets(params);
      if (!dims.empty()) {
        const size_t at = dims[pick(rng, dims.size())];
        int32_t rank;
        std::memcpy(&rank, params.data() + at, 4);
        writeAt<int64_t>(params, at + 4 + 8 * pick(rng, static_cast<size_t>(rank)), mutateInt(rng, 1));
        break;
      }
      [[fallthrough]];
    }
    case 1: {  // a 32-bit field (enums, axes, counts, f32 scalars), mostly 4-byte aligned
      if (n < 4) break;
      const size_t at = oneIn(rng, 4) ? pick(rng, n - 3) : 4 * pick(rng, n / 4);
      int32_t oldInt;
      float oldFloat;
      std::memcpy(&oldInt, params.data() + at, 4);
      std::memcpy(&oldFloat, params.data() + at, 4);
      if (oneIn(rng, 2))
        writeAt<int32_t>(params, at, static_cast<int32_t>(mutateInt(rng, oldInt)));
      else  // an edge value, or the old one scaled (a valid but unusual value: deeper into the kernels)
        writeAt<float>(params, at, oneIn(rng, 2) ? static_cast<float>(interestingFloat(rng)) : oldFloat * -2.f);
      break;
    }
    case 2: {  // a 64-bit field (blob sizes, extents, f64 scalars)
      if (n < 8) break;
      const size_t at = pick(rng, n - 7);
      int64_t oldInt;
      std::memcpy(&oldInt, params.data() + at, 8);
      if (oneIn(rng, 2))
        writeAt<int64_t>(params, at, mutateInt(rng, oldInt));
      else
        writeAt<double>(params, at, interestingFloat(rng));
      break;
    }
    case 3:  // one byte (flags, booleans)
      if (n > 0) params[pick(rng, n)] = static_cast<uint8_t>(oneIn(rng, 2) ? pick(rng, 3) : rng());
      break;
    case 4:  // shorter or longer: a field cut off, or unread bytes
      if (oneIn(rng, 2) && n > 0)
        params.resize(pick(rng, n));
      else
        params.resize(n + 1 + pick(rng, 8), 0);
      break;
    default: {  // libFuzzer's byte mutations on this block alone, or another layer's parameters
      if (oneIn(rng, 3) && !p.layers.empty()) {
        params = p.layers[pick(rng, p.layers.size())].params;
        break;
      }
      const size_t room = n + 64;
      params.resize(room);
      params.resize(bytes(params.data(), n, room));
    }
  }
}

void mutateLayer(Rng& rng, PlanImage& p, size_t l, ByteMutator bytes) {
  LayerRecord& layer = p.layers[l];
  switch (pick(rng, 10)) {
    case 0:
    case 1:
    case 2:
      mutateParams(rng, layer.params, p, bytes);
      break;
    case 3:  // a graph edge: an input read from another tensor
      if (!layer.inputs.empty()) {
        layer.inputs[pick(rng, layer.inputs.size())] = tensorIndex(rng, p);
        break;
      }
      [[fallthrough]];
    case 4:  // one input more or fewer (optional inputs: masks, shape tensors, biases)
      if (oneIn(rng, 2) && !layer.inputs.empty())
        layer.inputs.erase(layer.inputs.begin() + pick(rng, layer.inputs.size()));
      else
        layer.inputs.insert(layer.inputs.begin() + pick(rng, layer.inputs.size() + 1), tensorIndex(rng, p));
      break;
    case 5:  // where its output goes, or how many outputs it claims
      if (!layer.outputs.empty() && !oneIn(rng, 4))
        layer.outputs[pick(rng, layer.outputs.size())] = tensorIndex(rng, p);
      else
        layer.outputs.push_back(tensorIndex(rng, p));
      break;
    case 6:
      layer.kind = oneIn(rng, 8) ? static_cast<uint32_t>(mutateInt(rng, layer.kind))
                                 : static_cast<uint32_t>(pick(rng, trt::kLAYER_TYPE_COUNT));
      break;
    case 7:  // requested output type or pinned precision
      if (oneIn(rng, 2) && !layer.requestedTypes.empty())
        layer.requestedTypes[0] = static_cast<int32_t>(pick(rng, 12)) - 1;
      else
        layer.precision = static_cast<int32_t>(pick(rng, 12)) - 1;
      break;
    case 8:
      mutateName(rng, layer.name, p);
      break;
    default: {  // another layer's parameters kept but its edges taken: same kind, different shapes
      const size_t other = pick(rng, p.layers.size());
      layer.inputs = p.layers[other].inputs;
    }
  }
}

// Graph-level edits: layers reordered, dropped, or duplicated (a copy writing a new tensor, which a
// later layer then reads).
void mutateGraph(Rng& rng, PlanImage& p) {
  if (p.layers.empty()) return;
  const size_t l = pick(rng, p.layers.size());
  switch (pick(rng, 4)) {
    case 0:
      std::swap(p.layers[l], p.layers[pick(rng, p.layers.size())]);
      break;
    case 1:
      p.layers.erase(p.layers.begin() + l);
      break;
    case 2: {
      LayerRecord copy = p.layers[l];
      if (copy.outputs.empty() || copy.outputs[0] >= p.tensors.size()) return;
      TensorRecord t = p.tensors[copy.outputs[0]];
      t.name += "'";
      copy.name += "'";
      copy.outputs[0] = static_cast<uint32_t>(p.tensors.size());
      p.tensors.push_back(t);
      for (size_t k = l + 1; k < p.layers.size(); ++k) {
        auto& in = p.layers[k].inputs;
        auto hit = std::find(in.begin(), in.end(), p.layers[l].outputs[0]);
        if (hit != in.end() && oneIn(rng, 2)) {
          *hit = copy.outputs[0];
          break;
        }
      }
      p.layers.insert(p.layers.begin() + l + 1, std::move(copy));
      break;
    }
    default: {  // a consumer rewired to an earlier layer's output (a valid edge of another shape)
      const size_t consumer = pick(rng, p.layers.size());
      if (consumer == 0 || p.layers[consumer].inputs.empty()) return;
      const LayerRecord& producer = p.layers[pick(rng, consumer)];
      if (!producer.outputs.empty())
        p.layers[consumer].inputs[pick(rng, p.layers[consumer].inputs.size())] = producer.outputs[0];
    }
  }
}

void mutateTensor(Rng& rng, PlanImage& p) {
  if (p.tensors.empty()) return;
  TensorRecord& t = p.tensors[pick(rng, p.tensors.size())];
  switch (pick(rng, 4)) {
    case 0:
      mutateDims(rng, t.dims);
      break;
    case 1:
      t.type = oneIn(rng, 4) ? static_cast<int32_t>(mutateInt(rng, t.type)) : static_cast<int32_t>(pick(rng, 11));
      break;
    case 2:
      t.isInput = static_cast<uint8_t>(oneIn(rng, 8) ? rng() : (t.isInput ^ 1));
      break;
    default:
      mutateName(rng, t.name, p);
  }
}

void mutateBindings(Rng& rng, PlanImage& p) {
  std::vector<uint32_t>& list = oneIn(rng, 2) ? p.inputs : p.outputs;
  switch (pick(rng, 3)) {
    case 0:
      list.push_back(oneIn(rng, 2) && !list.empty() ? list[pick(rng, list.size())] : tensorIndex(rng, p));
      break;
    case 1:
      if (!list.empty()) list.erase(list.begin() + pick(rng, list.size()));
      break;
    default:
      if (!list.empty()) list[pick(rng, list.size())] = tensorIndex(rng, p);
  }
}

void mutateHeader(Rng& rng, PlanImage& p) {
  switch (pick(rng, 7)) {
    case 0:
      p.backend = static_cast<uint32_t>(oneIn(rng, 4) ? mutateInt(rng, 0) : pick(rng, 3));
      break;
    case 1:
      p.builderFlags ^= 1ull << pick(rng, 64);
      break;
    case 2:
      p.workspaceLimit = static_cast<uint64_t>(mutateInt(rng, static_cast<int64_t>(p.workspaceLimit)));
      break;
    case 3:
      p.timingIterations = static_cast<int32_t>(mutateInt(rng, p.timingIterations));
      break;
    case 4:
      (oneIn(rng, 2) ? p.smMajor : p.smMinor) = static_cast<int32_t>(mutateInt(rng, 0));
      break;
    case 5:  // another format version: the same records read with another version's layout
      p.version = static_cast<uint32_t>(1 + pick(rng, trt::kPlanFormatVersion));
      break;
    default:
      mutateName(rng, oneIn(rng, 2) ? p.producer : p.deviceName, p);
  }
}

void mutateProfilesOrTactics(Rng& rng, PlanImage& p) {
  if (oneIn(rng, 2) && p.version >= 11) {
    if (p.tactics.empty() || oneIn(rng, 6)) {
      p.tactics.push_back({static_cast<uint32_t>(pick(rng, p.layers.size() + 1)), {1, 2, 3, 3}, {0, 0}, {}});
      return;
    }
    TacticRecordRaw& t = p.tactics[pick(rng, p.tactics.size())];
    std::vector<int64_t>& v = oneIn(rng, 2) ? t.shape : t.choice;
    switch (pick(rng, 4)) {
      case 0:
        t.layer = static_cast<uint32_t>(oneIn(rng, 4) ? mutateInt(rng, t.layer) : pick(rng, p.layers.size()));
        break;
      case 1:
        v.push_back(mutateInt(rng, 0));
        break;
      case 2:
        if (!v.empty()) v.pop_back();
        break;
      default:
        if (!v.empty()) v[pick(rng, v.size())] = mutateInt(rng, 0);
    }
    return;
  }
  if (p.profiles.empty()) {
    p.profiles.emplace_back();
    return;
  }
  auto& profile = p.profiles[pick(rng, p.profiles.size())];
  if (profile.empty() || oneIn(rng, 8)) {  // a range for some tensor
    RangeRecord r;
    r.name = p.tensors.empty() ? "x" : p.tensors[pick(rng, p.tensors.size())].name;
    for (int s = 0; s < 3; ++s) {
      r.set[s] = 1;
      r.dims[s] = p.tensors.empty() ? DimsRecord{} : p.tensors[pick(rng, p.tensors.size())].dims;
    }
    profile.push_back(r);
    return;
  }
  RangeRecord& r = profile[pick(rng, profile.size())];
  const size_t s = pick(rng, 3);
  switch (pick(rng, 4)) {
    case 0:
    case 1:
      mutateDims(rng, r.dims[s]);
      break;
    case 2:
      r.set[s] = static_cast<uint8_t>(oneIn(rng, 8) ? rng() : (r.set[s] ^ 1));
      break;
    default:
      mutateName(rng, r.name, p);
  }
}

void mutateImage(Rng& rng, PlanImage& p, ByteMutator bytes) {
  switch (pick(rng, 10)) {
    case 0:
    case 1:
    case 2:
    case 3:
      if (!p.layers.empty()) {
        mutateLayer(rng, p, pick(rng, p.layers.size()), bytes);
        break;
      }
      [[fallthrough]];
    case 4:
      mutateGraph(rng, p);
      break;
    case 5:
    case 6:
      mutateTensor(rng, p);
      break;
    case 7:
      mutateBindings(rng, p);
      break;
    case 8:
      mutateProfilesOrTactics(rng, p);
      break;
    default:
      mutateHeader(rng, p);
  }
}

size_t emit(const std::vector<uint8_t>& plan, uint8_t* out, size_t maxSize) {
  if (plan.size() > maxSize) return 0;
  std::memcpy(out, plan.data(), plan.size());
  return plan.size();
}

}  // namespace

size_t mutatePlan(uint8_t* data, size_t size, size_t maxSize, unsigned seed, ByteMutator bytes) {
  Rng rng(seed);
  PlanImage image;
  // One mutation in sixteen stays byte-level even on a plan that decodes: it reaches what the records
  // cannot express (bytes between fields, a record cut in two).
  if (!oneIn(rng, 16) && decodePlan(data, size, image)) {
    const size_t edits = 1 + pick(rng, 3);
    for (size_t i = 0; i < edits; ++i) mutateImage(rng, image, bytes);
    std::vector<size_t> counts;
    std::vector<uint8_t> plan = encodePlan(image, &counts);
    if (oneIn(rng, 24) && !counts.empty()) {  // a count that lies about what follows
      const size_t at = counts[pick(rng, counts.size())];
      uint32_t n;
      std::memcpy(&n, plan.data() + at, 4);
      n = oneIn(rng, 2) ? n + static_cast<uint32_t>(pick(rng, 3)) - 1 : static_cast<uint32_t>(mutateInt(rng, 0));
      std::memcpy(plan.data() + at, &n, 4);
      seal(plan);
    }
    if (const size_t written = emit(plan, data, maxSize)) return written;
  }
  return bytes(data, size, maxSize);
}

size_t crossPlans(const uint8_t* a, size_t sizeA, const uint8_t* b, size_t sizeB, uint8_t* out, size_t maxOut,
                  unsigned seed) {
  Rng rng(seed);
  PlanImage first, second;
  if (!decodePlan(a, sizeA, first) || !decodePlan(b, sizeB, second) || first.layers.empty() || second.layers.empty())
    return 0;
  LayerRecord& target = first.layers[pick(rng, first.layers.size())];
  const LayerRecord& donor = second.layers[pick(rng, second.layers.size())];
  if (oneIn(rng, 2)) {  // the donor's kind and parameters on the target's edges
    target.kind = donor.kind;
    target.params = donor.params;
  } else {  // parameters of a same-kind layer of the other plan (another version's layout, other values)
    for (const LayerRecord& l : second.layers)
      if (l.kind == target.kind && oneIn(rng, 2)) target.params = l.params;
  }
  return emit(encodePlan(first), out, maxOut);
}

}  // namespace trt_fuzz
