// Structure-aware plan mutations for libFuzzer (tests/fuzz/plan_struct_fuzzer.cpp): a plan is decoded
// to its records (plan_image.h), its header fields, tensors, counts, graph edges (layer inputs and
// outputs), layer parameters, profiles and tactics are edited, and it is encoded again with valid
// sizes and CRCs, so every mutation reaches the field parser, the parameter rules and shape inference
// instead of dying at the checksum. Inputs that do not decode get byte-level mutations.
#pragma once

#include <cstddef>
#include <cstdint>

namespace trt_fuzz {

//! libFuzzer's own byte mutator (LLVMFuzzerMutate), or a stand-in outside libFuzzer.
using ByteMutator = size_t (*)(uint8_t* data, size_t size, size_t maxSize);

//! Mutates the plan in `data` (`size` bytes, room for `maxSize`) in place and returns its new size.
size_t mutatePlan(uint8_t* data, size_t size, size_t maxSize, unsigned seed, ByteMutator bytes);

//! Writes into `out` a plan made of `a` with layers or layer parameters taken from `b`; returns its
//! size, or 0 when the two do not both decode.
size_t crossPlans(const uint8_t* a, size_t sizeA, const uint8_t* b, size_t sizeB, uint8_t* out, size_t maxOut,
                  unsigned seed);

}  // namespace trt_fuzz
