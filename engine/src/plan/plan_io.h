// Bounds-checked little-endian reader and writer for plans.
//
// Plan format, version 18 (all integers little-endian):
//
//   offset  size  field
//   0       8     magic "TTRTPLAN"
//   8       4     format version (u32)
//   12      4     header size in bytes (u32, 32 for version 1)
//   16      8     payload size in bytes (u64)
//   24      4     CRC-32 (IEEE) of the payload
//   28      4     CRC-32 of header bytes 0..27
//   32      ...   payload:
//     str   producer               library name and version that wrote the plan
//     u32   backend                0 = cpu, 1 = cuda
//     str   device name            "" for cpu
//     i32   sm major, i32 sm minor -1 for cpu
//     u64   builder flags          bit i = BuilderFlag i
//     u64   workspace limit        bytes one layer's kernel may use, 0 = none (version 4+)
//     i32   timing iterations      measurements averaged per tactic, 1..1000 (version 4+)
//     u32   tensor count, then per tensor: str name, i32 dtype, dims, u8 is-network-input
//     u32   input count,  then u32 tensor index each
//     u32   output count, then u32 tensor index each
//     u32   layer count,  then per layer:
//             u32 kind, str name, u32 n + u32 input tensor index each,
//             u32 n + u32 output tensor index each, u32 n + i32 requested output type each,
//             i32 precision (version 3+; -1 = the builder chooses, else the data type it must compute in),
//             u64 parameter byte count, then that many bytes of kind-specific parameters
//     u32   profile count, then per profile: u32 n, then per input: str name, 3 x (u8 set, dims)
//     u32   tactic count (version 11+), then per tactic: u32 layer index, u32 n + i64 input dim each,
//             u32 n (at most 16) + i64 each: the backend's choice (TacticRecord), then (version 18+)
//             u64 n (at most 64 MiB) + bytes: what the backend built for the choice (a serialized cuDNN
//             execution plan; 0 bytes for most), aligned as large blobs are
//   dims = i32 nbDims (0..8), then nbDims x i64
//   str  = u32 byte count (at most 1 MiB), then the bytes
//
// History: version 1 (2026-11) first format.
//          version 2 (2026-11) Slice parameters end with u32 sample mode and f64 fill value;
//                    version-1 plans are still read (their slices use strict bounds).
//          version 3 (2026-11) each layer records its pinned precision (ILayer::setPrecision);
//                    MatrixMultiply parameters end with i32 fused activation and f32 alpha; convolutions may
//                    have a residual input and matrix multiplies a bias input;
//                    older plans are still read (no layer pinned, nothing fused).
//          version 4 (2026-11) a SoftMax may have a second input, an additive mask broadcast to
//                    its input (softmax(x + mask), fused by the builder); Convolution and Pooling
//                    parameters end with u8 channels_last (NHWC tensors); the builder settings
//                    workspace limit (u64) and timing iterations (i32) follow the builder flags;
//                    older plans are still read.
//          version 5 (2026-11) layer kinds Scatter (i32 axis; element mode), Cumulative (i32
//                    operation, i32 axis, u8 exclusive, u8 reverse), Quantize and Dequantize (params: f32 blob of
//                    scales (u64 byte count + floats), i32 axis, -1 = per tensor); Convolution parameters end with f32
//                    int8_input_scale (0 = not INT8) and an f32 blob of per-output-map INT8 weight scales; older plans
//                    are still read.
//          version 6 (2026-11) MatrixMultiply parameters end with f32 int8_input_scale (0 = not INT8)
//                    and an f32 blob of per-output-column INT8 weight scales (an INT8 product reads
//                    INT8 weights [N, K] transposed); Scatter parameters end with i32 reduction, u8
//                    include_self and i32 mode (element or ND); layer kind GridSample (i32 interpolation mode, u8
//                    align_corners, i32 sample mode); older plans are still read.
//          version 7 (2026-11) shape tensors: layer kinds Shape (no parameters; int64 [rank] of its
//                    input's dimensions) and Fill (i32 operation, dims, i32 data type, f64 alpha, u32 n
//                    + n x f64 beta); a Shuffle may have a second input (reshape dimensions), a Slice
//                    up to three more (start, size, stride) and a Fill one (its dimensions), 1-D
//                    int32/int64 tensors evaluated on the host; layer kinds NonZero (no parameters;
//                    int64 [rank, count], count data-dependent), Einsum (str equation) and OneHot
//                    (i64 depth, i32 axis), Scale (i32 mode, i32 channel axis, f32 blobs of shift,
//                    scale and power) and ParametricReLU (no parameters); older plans are still read.
//          version 8 (2026-11) layer kind Deconvolution (i32 nb_output_maps, dims kernel_size, stride,
//                    pre_padding, post_padding (negative: the output grows), dilation, i32 groups, f32
//                    blobs of kernel [in, out/groups, k...] and bias weights); a Resize may have a
//                    second input, its output dimensions as a shape tensor; older plans are still read.
//          version 9 (2026-11) a TopK may have a second input, k as a [1] shape tensor (the output's size
//                    along the axis is then k's run-time value); older plans are still read.
//          version 10 (2026-12) ElementWise operations FMOD, REMAINDER, ATAN2, BITWISE_AND/OR/XOR and
//                    Unary operations LOG2, LOG10, TRUNC, BITWISE_NOT; older plans are still read.
//          version 11 (2026-12) the tactics the builder timed follow the profiles; older plans are still
//                    read (their layers choose by heuristics, untimed).
//          version 12 (2026-12) layer kind Attention (u8 has_scale, f32 scale (finite; 0 when unset: 1/sqrt(D)),
//                    u8 causal, u8 zero_fully_masked_rows); inputs query, key, value and an optional
//                    float or bool mask; older plans are still read.
//          version 13 (2026-12) a blob of 64 KiB or more is followed, after its u64 byte count, by a u8
//                    padding length (0..63) and that many zero bytes, so that its bytes start at a
//                    multiple of 64 from the plan's first byte: a runtime holding the plan reads large
//                    weights in place instead of copying them. Older plans are still read.
//          version 14 (2026-12) layer kind RMSNormalization (u32 axes mask: the input's last dimensions,
//                    f32 epsilon); inputs x and an optional scale broadcast to x; older plans are still read.
//          version 15 (2026-12) an Attention layer's parameters end with u8 sequence_major (bits: query,
//                    key, value, output stored [B, S, H, D] instead of [B, H, S, D]; 0 before); older plans
//                    are still read.
//          version 16 (2026-12) MatrixMultiply parameters end with f32 fp8_input_scale and f32
//                    fp8_weight_scale (both 0: not FP8; an FP8 product reads FP8 E4M3 weights [N, K]
//                    transposed, and a float input it quantizes, or an FP8 input quantized with
//                    fp8_input_scale); Quantize parameters end with i32 to_type (int8 or fp8; fp8
//                    takes one scale, per tensor) and i32 fused_activation (-1: none; FP8 only); Scale
//                    parameters end with i32 fused_activation (-1: none); older plans are still read.
//          version 17 (2026-12) Convolution parameters end with f32 fused_activation_alpha and f32
//                    fused_activation_beta (the fused activation's parameters, as an Activation layer's:
//                    clip's bounds, leaky ReLU's slope; 0 before); older plans are still read.
//          version 18 (2026-12) a per-channel Scale layer may have several inputs: it scales their
//                    concatenation along its channel axis (one input before); each tactic ends with
//                    its artifact (a blob, see above); older plans are still read.
//          version 19 (2026-12) a convolution ends with int8_output_scale (f32: 0 for a float output, else the
//                    scale of the INT8 codes it writes; its input may be INT8 codes of its input scale, its
//                    float type then the requested output type); older plans are still read.
//          version 20 (2026-12) a convolution ends with int8_residual_scale (f32: 0 for a float residual, else the
//                    scale of the INT8 codes its residual input holds); older plans are still read.
//          version 21 (2026-12) a Shuffle's requested output type (its layer's output types) is a cast folded
//                    into it, between float32, float16 and bfloat16 (no new bytes: a reader before 21 would
//                    have ignored it); older plans are still read.
//          version 22 (2026-12) a MatrixMultiply ends with fp8_output_scale (f32: 0 for a float output, else an
//                    FP8 product that writes the E4M3 codes of its stored value divided by it, no residual);
//                    older plans are still read.
//          version 23 (2026-12) an FP8 MatrixMultiply may read FP8 weights [P, N, K] (a stack of P matrices, one
//                    weight scale) by one input matrix ([M, K] or [1, M, K]), writing [P, M, N], with a bias of
//                    one row for all or one per matrix ([P, 1, N]); no new bytes (a reader before 23 would refuse
//                    the weights' form); older plans are still read.
//          version 24 (2026-12) Shuffle parameters end with i64 zero_padded_last_dimension: 0 for none, else the
//                    output's last dimension grown to it with zeros (the builder pads a channels-last RGB image to
//                    the 4 channels cuDNN's first-layer kernels read); older plans are still read (no padding).
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "trt/network.h"
#include "trt/types.h"

namespace trt {

constexpr char kPlanMagic[8] = {'T', 'T', 'R', 'T', 'P', 'L', 'A', 'N'};
constexpr uint32_t kPlanFormatVersion = 24;
constexpr uint32_t kPlanMinReadableVersion = 1;
constexpr uint32_t kPlanHeaderSize = 32;
constexpr uint32_t kPlanMaxString = 1u << 20;
//! The largest tactic artifact a plan may hold (a serialized cuDNN execution plan is ~10-100 KiB).
constexpr size_t kPlanMaxTacticArtifact = size_t(64) << 20;

//! CRC-32 (IEEE 802.3 polynomial) of a byte range.
uint32_t crc32(const uint8_t* data, size_t size);

//! Blobs of this many bytes or more are aligned in plans of format 13 and later (see the history above).
constexpr size_t kPlanAlignedBlobBytes = 64 * 1024;
//! The alignment of such a blob's bytes, from the plan's first byte.
constexpr size_t kPlanBlobAlignment = 64;

class PlanWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u32(uint32_t v) { raw(&v, 4); }
  void i32(int32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i64(int64_t v) { raw(&v, 8); }
  void f32(float v) { raw(&v, 4); }
  void f64(double v) { raw(&v, 8); }
  void str(const std::string& s);
  void dims(const Dims& d);
  //! u64 count + bytes. Large blobs are referenced, not copied, until take(): `data` must stay alive
  //! and unchanged until then.
  void blob(const void* data, size_t size);
  //! A blob, or with shareBlobsThrough() its index in the shared table (an in-memory copy only).
  void blob(const SharedBytes& bytes);
  void raw(const void* data, size_t size);
  //! Bytes written so far (the referenced blobs included).
  size_t size() const { return bytes_.size() + referencedBytes_; }
  //! Where the next byte goes among the small bytes, for patch(): positions there never move.
  size_t mark() const { return bytes_.size(); }
  //! Overwrites `n` bytes written earlier at `markPosition` (a mark() taken before writing them).
  void patch(size_t markPosition, const void* data, size_t n) { std::memcpy(bytes_.data() + markPosition, data, n); }
  //! Everything written, in one allocation of its exact size (the referenced blobs copied in once:
  //! grown by doubling, a plan of large weights would briefly need twice its size and more).
  std::vector<uint8_t> take();
  //! Everything written, contiguous (what take() gives, kept in the writer).
  std::vector<uint8_t>& bytes() {
    if (!referenced_.empty()) bytes_ = take();
    return bytes_;
  }
  //! Blobs are shared, not written: each goes into `table` and the plan holds its index. Such a plan
  //! is only for readPlan with the same table (the builder's working copy), never stored.
  void shareBlobsThrough(std::vector<SharedBytes>* table) { shared_ = table; }

 private:
  // A blob referenced at a position of bytes_ (its bytes come before bytes_[at]).
  struct Referenced {
    size_t at;
    const uint8_t* data;
    size_t size;
  };
  std::vector<uint8_t> bytes_;
  std::vector<Referenced> referenced_;
  size_t referencedBytes_ = 0;
  std::vector<SharedBytes>* shared_ = nullptr;
};

class PlanReader {
 public:
  PlanReader(const uint8_t* data, size_t size, size_t baseOffset = 0) : data_(data), size_(size), base_(baseOffset) {}
  uint8_t u8(const char* field);
  uint32_t u32(const char* field);
  int32_t i32(const char* field);
  uint64_t u64(const char* field);
  int64_t i64(const char* field);
  float f32(const char* field);
  double f64(const char* field);
  bool boolean(const char* field);
  std::string str(const char* field);
  //! A Dims field; its values are sizes (-1 for dynamic) or, with `signedValues`, offsets of either sign (a
  //! deconvolution's post padding, negative where its output grows).
  Dims dims(const char* field, bool signedValues = false);
  std::vector<uint8_t> blob(const char* field, size_t maxBytes);
  //! A blob written by PlanWriter::blob(const SharedBytes&): taken from the shared table when the
  //! writer shared it (shareBlobsThrough), used in place when the plan's bytes are lent (borrowFrom)
  //! and the blob is aligned, else read (copied) from the plan.
  SharedBytes sharedBlob(const char* field, size_t maxBytes);
  //! Reads blobs as indices into `table` (see PlanWriter::shareBlobsThrough).
  void shareBlobsThrough(const std::vector<SharedBytes>* table) { shared_ = table; }
  //! The plan's bytes outlive what is read: `owner` keeps them alive, and aligned large blobs are used
  //! in place.
  void borrowFrom(std::shared_ptr<const void> owner) { owner_ = std::move(owner); }
  //! The format version of the plan being read (large blobs are aligned from version 13 on).
  void setVersion(uint32_t version) { version_ = version; }
  //! Reads an enum value and checks it is below `count`.
  int32_t enumValue(const char* field, int32_t count);
  //! Reads a count and checks it fits in the remaining bytes at `minBytesEach` per item.
  uint32_t count(const char* field, size_t minBytesEach);
  //! Returns a reader over the next `size` bytes and skips them.
  PlanReader sub(const char* field, size_t size);
  size_t remaining() const { return size_ - pos_; }
  size_t offset() const { return base_ + pos_; }
  //! Throws Error with the field and offset.
  [[noreturn]] void fail(const char* field, const std::string& what) const;
  //! Prefix that names the current object in errors (e.g. "layer 3 'conv1'").
  void setContext(std::string context) { context_ = std::move(context); }

 private:
  void need(const char* field, size_t n) const;
  const uint8_t* data_;
  size_t size_;
  size_t base_;
  size_t pos_ = 0;
  std::string context_;
  const std::vector<SharedBytes>* shared_ = nullptr;
  std::shared_ptr<const void> owner_;
  uint32_t version_ = kPlanFormatVersion;
  //! Reads a blob's byte count and, in an aligned blob, skips its padding; returns the count.
  uint64_t blobHeader(const char* field, size_t maxBytes);
};

}  // namespace trt
