#include "plan/plan_io.h"

#include <zlib.h>

#include <cstring>
#include <sstream>

namespace trt {

// zlib's CRC-32 (IEEE 802.3 polynomial); crc32_z takes a size_t length, so multi-GiB payloads need no split.
uint32_t crc32(const uint8_t* data, size_t size) {
  return static_cast<uint32_t>(::crc32_z(::crc32(0L, Z_NULL, 0), data, size));
}

void PlanWriter::raw(const void* data, size_t size) {
  const auto* p = static_cast<const uint8_t*>(data);
  bytes_.insert(bytes_.end(), p, p + size);
}

void PlanWriter::str(const std::string& s) {
  if (s.size() > kPlanMaxString)
    throw Error("plan writer: string of " + std::to_string(s.size()) + " bytes exceeds the 1 MiB limit");
  u32(static_cast<uint32_t>(s.size()));
  raw(s.data(), s.size());
}

void PlanWriter::dims(const Dims& d) {
  i32(d.nbDims);
  for (int i = 0; i < d.nbDims; ++i) i64(d.d[i]);
}

void PlanWriter::blob(const void* data, size_t size) {
  u64(size);
  if (size < kPlanAlignedBlobBytes) return raw(data, size);  // small ones are copied at once
  // Padding, so the bytes start at a multiple of kPlanBlobAlignment (positions count from the
  // writer's first byte, the plan's).
  const size_t pad = (kPlanBlobAlignment - (this->size() + 1) % kPlanBlobAlignment) % kPlanBlobAlignment;
  u8(static_cast<uint8_t>(pad));
  bytes_.insert(bytes_.end(), pad, 0);
  referenced_.push_back({bytes_.size(), static_cast<const uint8_t*>(data), size});
  referencedBytes_ += size;
}

std::vector<uint8_t> PlanWriter::take() {
  std::vector<uint8_t> out;
  out.reserve(size());
  size_t from = 0;
  for (const Referenced& r : referenced_) {
    out.insert(out.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(from),
               bytes_.begin() + static_cast<std::ptrdiff_t>(r.at));
    out.insert(out.end(), r.data, r.data + r.size);
    from = r.at;
  }
  out.insert(out.end(), bytes_.begin() + static_cast<std::ptrdiff_t>(from), bytes_.end());
  bytes_.clear();
  referenced_.clear();
  referencedBytes_ = 0;
  return out;
}

void PlanWriter::blob(const SharedBytes& b) {
  if (!shared_) return blob(b.data(), b.size());
  u64(shared_->size());
  shared_->push_back(b);
}

void PlanReader::fail(const char* field, const std::string& what) const {
  std::ostringstream os;
  os << "invalid plan: field '" << field << "'";
  if (!context_.empty()) os << " of " << context_;
  os << " at byte " << offset() << ": " << what;
  throw Error(os.str());
}

void PlanReader::need(const char* field, size_t n) const {
  if (n > remaining()) {
    fail(field, "needs " + std::to_string(n) + " bytes but only " + std::to_string(remaining()) +
                    " remain (the plan is truncated or corrupted)");
  }
}

#define TRT_READ_SCALAR(T, name)              \
  T PlanReader::name(const char* field) {     \
    need(field, sizeof(T));                   \
    T v;                                      \
    std::memcpy(&v, data_ + pos_, sizeof(T)); \
    pos_ += sizeof(T);                        \
    return v;                                 \
  }
TRT_READ_SCALAR(uint8_t, u8)
TRT_READ_SCALAR(uint32_t, u32)
TRT_READ_SCALAR(int32_t, i32)
TRT_READ_SCALAR(uint64_t, u64)
TRT_READ_SCALAR(int64_t, i64)
TRT_READ_SCALAR(float, f32)
TRT_READ_SCALAR(double, f64)
#undef TRT_READ_SCALAR

bool PlanReader::boolean(const char* field) {
  uint8_t v = u8(field);
  if (v > 1) fail(field, "boolean has value " + std::to_string(v));
  return v == 1;
}

std::string PlanReader::str(const char* field) {
  uint32_t n = u32(field);
  if (n > kPlanMaxString) fail(field, "string length " + std::to_string(n) + " exceeds the 1 MiB limit");
  need(field, n);
  std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
  pos_ += n;
  return s;
}

Dims PlanReader::dims(const char* field, bool signedValues) {
  int32_t n = i32(field);
  if (n < 0 || n > Dims::MAX_DIMS)
    fail(field, "rank " + std::to_string(n) + " is outside 0.." + std::to_string(Dims::MAX_DIMS));
  Dims d;
  d.nbDims = n;
  for (int i = 0; i < n; ++i) {
    d.d[i] = i64(field);
    // No real tensor, kernel or stride has 2^31 elements along one axis; larger values are corruption
    // (and would overflow the products shape inference forms).
    if (d.d[i] < (signedValues ? -int64_t(INT32_MAX) : -1) || d.d[i] > INT32_MAX)
      fail(field, "dimension " + std::to_string(i) + " is " + std::to_string(d.d[i]));
  }
  return d;
}

uint64_t PlanReader::blobHeader(const char* field, size_t maxBytes) {
  const uint64_t n = u64(field);
  if (n > maxBytes) fail(field, "holds " + std::to_string(n) + " bytes, expected at most " + std::to_string(maxBytes));
  if (version_ >= 13 && n >= kPlanAlignedBlobBytes) {
    const uint8_t pad = u8(field);
    if (pad >= kPlanBlobAlignment)
      fail(field,
           "padding of " + std::to_string(pad) + " bytes, expected less than " + std::to_string(kPlanBlobAlignment));
    need(field, pad);
    for (uint8_t i = 0; i < pad; ++i)
      if (data_[pos_ + i] != 0) fail(field, "padding byte " + std::to_string(i) + " is not zero");
    pos_ += pad;
  }
  need(field, n);
  return n;
}

std::vector<uint8_t> PlanReader::blob(const char* field, size_t maxBytes) {
  const uint64_t n = blobHeader(field, maxBytes);
  std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + n);
  pos_ += n;
  return out;
}

SharedBytes PlanReader::sharedBlob(const char* field, size_t maxBytes) {
  if (owner_ && !shared_) {
    const uint64_t n = blobHeader(field, maxBytes);
    const uint8_t* at = data_ + pos_;
    pos_ += n;
    // In place when large and 16-byte aligned (every kernel's vector loads take that), else a copy.
    if (n >= kPlanAlignedBlobBytes && reinterpret_cast<uintptr_t>(at) % 16 == 0)
      return SharedBytes::borrow(at, n, owner_);
    return SharedBytes::copyOf(at, n);
  }
  if (!shared_) return SharedBytes::adopt(blob(field, maxBytes));
  const uint64_t index = u64(field);
  if (index >= shared_->size())
    fail(field, "shared blob " + std::to_string(index) + " is not in the table of " + std::to_string(shared_->size()));
  return (*shared_)[index];
}

int32_t PlanReader::enumValue(const char* field, int32_t count) {
  int32_t v = i32(field);
  if (v < 0 || v >= count) fail(field, "value " + std::to_string(v) + " is not in 0.." + std::to_string(count - 1));
  return v;
}

uint32_t PlanReader::count(const char* field, size_t minBytesEach) {
  uint32_t n = u32(field);
  if (minBytesEach > 0 && n > remaining() / minBytesEach) {
    fail(field,
         "count " + std::to_string(n) + " cannot fit in the " + std::to_string(remaining()) + " remaining bytes");
  }
  return n;
}

PlanReader PlanReader::sub(const char* field, size_t size) {
  need(field, size);
  PlanReader r(data_ + pos_, size, base_ + pos_);
  r.context_ = context_;
  r.shared_ = shared_;
  r.owner_ = owner_;
  r.version_ = version_;
  pos_ += size;
  return r;
}

}  // namespace trt
