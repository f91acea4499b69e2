// A plan decoded to its records without judging their values: the structure-aware fuzzer
// (plan_mutator.h) edits these records and encodes them again with valid sizes and CRCs, and the
// regression tests build the hostile plans it found the same way.
//
// Decoding checks only what it needs to find the next record (lengths, counts and ranks that fit the
// bytes); a tensor index out of range, an unknown kind or an invalid parameter decodes fine, so a plan
// the reader refuses can still be mutated further. Layer parameters stay raw bytes: their layout is
// each kind's. The layout is the one documented in engine/src/plan/plan_io.h, versions 1 to 11.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "plan/plan_io.h"
#include "trt/types.h"

namespace trt_fuzz {

//! Dimensions as written: a rank and its extents (the rank may disagree with the extents after a
//! mutation, to reach the reader's rank check).
struct DimsRecord {
  int32_t rank = 0;
  std::vector<int64_t> d;
};

struct TensorRecord {
  std::string name;
  int32_t type = 0;
  DimsRecord dims;
  uint8_t isInput = 0;
};

struct LayerRecord {
  uint32_t kind = 0;
  std::string name;
  std::vector<uint32_t> inputs, outputs;
  std::vector<int32_t> requestedTypes;
  int32_t precision = -1;
  std::vector<uint8_t> params;
};

struct RangeRecord {
  std::string name;
  std::array<uint8_t, 3> set{};
  std::array<DimsRecord, 3> dims;
};

struct TacticRecordRaw {
  uint32_t layer = 0;
  std::vector<int64_t> shape, choice;
  std::vector<uint8_t> artifact;  // version 18+
};

struct PlanImage {
  uint32_t version = trt::kPlanFormatVersion;
  std::string producer, deviceName;
  uint32_t backend = 0;
  int32_t smMajor = -1, smMinor = -1;
  uint64_t builderFlags = 0, workspaceLimit = 0;
  int32_t timingIterations = 1;
  std::vector<TensorRecord> tensors;
  std::vector<uint32_t> inputs, outputs;
  std::vector<LayerRecord> layers;
  std::vector<std::vector<RangeRecord>> profiles;
  std::vector<TacticRecordRaw> tactics;
};

namespace detail {

// A cursor that reports running out of bytes instead of throwing: decoding is a question, not a check.
class Cursor {
 public:
  Cursor(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  template <typename T>
  bool get(T& v) {
    if (size_ - pos_ < sizeof(T)) return false;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool bytes(size_t n, std::vector<uint8_t>& out) {
    if (size_ - pos_ < n) return false;
    out.assign(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return true;
  }
  // A blob: u64 count, then (at least kPlanAlignedBlobBytes) a padding count and that many zero bytes, then the bytes.
  bool blob(std::vector<uint8_t>& out, size_t maxBytes) {
    uint64_t n;
    if (!get(n) || n > maxBytes) return false;
    if (n >= trt::kPlanAlignedBlobBytes) {
      uint8_t pad;
      std::vector<uint8_t> skipped;
      if (!get(pad) || !bytes(pad, skipped)) return false;
    }
    return bytes(static_cast<size_t>(n), out);
  }
  bool str(std::string& s) {
    uint32_t n;
    if (!get(n) || n > trt::kPlanMaxString || size_ - pos_ < n) return false;
    s.assign(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return true;
  }
  // A count whose items (at least `minBytesEach` each) fit in what remains.
  bool count(uint32_t& n, size_t minBytesEach) { return get(n) && n <= (size_ - pos_) / minBytesEach; }
  bool dims(DimsRecord& d) {
    if (!get(d.rank) || d.rank < 0 || d.rank > trt::Dims::MAX_DIMS) return false;
    d.d.resize(static_cast<size_t>(d.rank));
    for (int64_t& x : d.d)
      if (!get(x)) return false;
    return true;
  }
  template <typename T>
  bool list(std::vector<T>& v, size_t limit = SIZE_MAX) {
    uint32_t n;
    if (!count(n, sizeof(T)) || n > limit) return false;
    v.resize(n);
    for (T& x : v)
      if (!get(x)) return false;
    return true;
  }
  size_t remaining() const { return size_ - pos_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace detail

//! Decodes `data` into `image`; false when the bytes do not follow the plan layout (the CRCs and the
//! payload size are not checked: mutated inputs are re-sealed before they are read).
inline bool decodePlan(const uint8_t* data, size_t size, PlanImage& image) {
  if (size < trt::kPlanHeaderSize || std::memcmp(data, trt::kPlanMagic, 8) != 0) return false;
  std::memcpy(&image.version, data + 8, 4);
  if (image.version < trt::kPlanMinReadableVersion || image.version > trt::kPlanFormatVersion) return false;
  detail::Cursor c(data + trt::kPlanHeaderSize, size - trt::kPlanHeaderSize);
  if (!c.str(image.producer) || !c.get(image.backend) || !c.str(image.deviceName) || !c.get(image.smMajor) ||
      !c.get(image.smMinor) || !c.get(image.builderFlags))
    return false;
  if (image.version >= 4 && (!c.get(image.workspaceLimit) || !c.get(image.timingIterations))) return false;
  uint32_t n;
  if (!c.count(n, 13)) return false;
  image.tensors.resize(n);
  for (TensorRecord& t : image.tensors)
    if (!c.str(t.name) || !c.get(t.type) || !c.dims(t.dims) || !c.get(t.isInput)) return false;
  if (!c.list(image.inputs) || !c.list(image.outputs) || !c.count(n, 24)) return false;
  image.layers.resize(n);
  for (LayerRecord& l : image.layers) {
    uint64_t paramBytes;
    if (!c.get(l.kind) || !c.str(l.name) || !c.list(l.inputs) || !c.list(l.outputs) || !c.list(l.requestedTypes))
      return false;
    if (image.version >= 3 && !c.get(l.precision)) return false;
    if (!c.get(paramBytes) || paramBytes > c.remaining() || !c.bytes(static_cast<size_t>(paramBytes), l.params))
      return false;
  }
  if (!c.count(n, 4)) return false;
  image.profiles.resize(n);
  for (auto& profile : image.profiles) {
    uint32_t ranges;
    if (!c.count(ranges, 8)) return false;
    profile.resize(ranges);
    for (RangeRecord& r : profile) {
      if (!c.str(r.name)) return false;
      for (int s = 0; s < 3; ++s)
        if (!c.get(r.set[s]) || !c.dims(r.dims[s])) return false;
    }
  }
  if (image.version >= 11) {
    if (!c.count(n, 12)) return false;
    image.tactics.resize(n);
    for (TacticRecordRaw& t : image.tactics)
      if (!c.get(t.layer) || !c.list(t.shape, 64) || !c.list(t.choice, 64) ||
          (image.version >= 18 && !c.blob(t.artifact, trt::kPlanMaxTacticArtifact)))
        return false;
  }
  return c.remaining() == 0;
}

//! Recomputes the payload size and both CRCs, so the reader parses a mutated payload field by field.
inline void seal(std::vector<uint8_t>& plan) {
  if (plan.size() < trt::kPlanHeaderSize) return;
  const uint64_t payload = plan.size() - trt::kPlanHeaderSize;
  std::memcpy(plan.data() + 16, &payload, 8);
  const uint32_t crc = trt::crc32(plan.data() + trt::kPlanHeaderSize, payload);
  std::memcpy(plan.data() + 24, &crc, 4);
  const uint32_t headerCrc = trt::crc32(plan.data(), 28);
  std::memcpy(plan.data() + 28, &headerCrc, 4);
}

//! Encodes `image` as a sealed plan (payload size and both CRCs valid). When `countOffsets` is given,
//! it receives the byte offset of every count the plan holds, so a mutation can make one lie.
inline std::vector<uint8_t> encodePlan(const PlanImage& image, std::vector<size_t>* countOffsets = nullptr) {
  trt::PlanWriter w;
  const uint8_t zeros[trt::kPlanHeaderSize] = {};
  w.raw(zeros, sizeof zeros);
  auto count = [&](size_t n) {
    if (countOffsets) countOffsets->push_back(w.size());
    w.u32(static_cast<uint32_t>(n));
  };
  auto dims = [&](const DimsRecord& d) {
    w.i32(d.rank);
    for (int64_t x : d.d) w.i64(x);
  };
  auto u32s = [&](const std::vector<uint32_t>& v) {
    count(v.size());
    for (uint32_t x : v) w.u32(x);
  };
  auto i64s = [&](const std::vector<int64_t>& v) {
    count(v.size());
    for (int64_t x : v) w.i64(x);
  };
  w.str(image.producer);
  w.u32(image.backend);
  w.str(image.deviceName);
  w.i32(image.smMajor);
  w.i32(image.smMinor);
  w.u64(image.builderFlags);
  if (image.version >= 4) {
    w.u64(image.workspaceLimit);
    w.i32(image.timingIterations);
  }
  count(image.tensors.size());
  for (const TensorRecord& t : image.tensors) {
    w.str(t.name);
    w.i32(t.type);
    dims(t.dims);
    w.u8(t.isInput);
  }
  u32s(image.inputs);
  u32s(image.outputs);
  count(image.layers.size());
  for (const LayerRecord& l : image.layers) {
    w.u32(l.kind);
    w.str(l.name);
    u32s(l.inputs);
    u32s(l.outputs);
    count(l.requestedTypes.size());
    for (int32_t t : l.requestedTypes) w.i32(t);
    if (image.version >= 3) w.i32(l.precision);
    w.u64(l.params.size());  // the parameter block: a byte count and the bytes (not a blob: no padding)
    w.raw(l.params.data(), l.params.size());
  }
  count(image.profiles.size());
  for (const auto& profile : image.profiles) {
    count(profile.size());
    for (const RangeRecord& r : profile) {
      w.str(r.name);
      for (int s = 0; s < 3; ++s) {
        w.u8(r.set[s]);
        dims(r.dims[s]);
      }
    }
  }
  if (image.version >= 11) {
    count(image.tactics.size());
    for (const TacticRecordRaw& t : image.tactics) {
      w.u32(t.layer);
      i64s(t.shape);
      i64s(t.choice);
      if (image.version >= 18) w.blob(t.artifact.data(), t.artifact.size());
    }
  }
  std::vector<uint8_t> out = w.take();
  std::memcpy(out.data(), trt::kPlanMagic, 8);
  const uint32_t headerSize = trt::kPlanHeaderSize;
  std::memcpy(out.data() + 8, &image.version, 4);
  std::memcpy(out.data() + 12, &headerSize, 4);
  seal(out);
  return out;
}

}  // namespace trt_fuzz
