// One product by stacked weights [P, K, N] (or [P, N, K] read transposed) with a bias row each, whose P
// results are outer-axis slices of its [P, rows, N] output (views at an offset: nothing is copied). Shared
// by the passes that make one from sibling products (product_stacking.cpp) and from a product split by
// column slices (sliced_product_stacking.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trt/network.h"

namespace trt {
namespace passes {

//! What a stacked product computes and which tensors its results stand for.
struct StackedProduct {
  const IMatrixMultiplyLayer* like = nullptr;  //!< operation 1, alpha, activation and pin are taken from it
  ITensor* x = nullptr;                        //!< the input every product reads, [..., K]
  int64_t rows = 0, k = 0, n = 0;              //!< x's rows, its K, each result's columns
  Dims weightDims;                             //!< [P, K, N], or [P, N, K] read transposed
  DataType weightType = DataType::kFLOAT;
  std::vector<uint8_t> weights;  //!< the P matrices' bytes, one after the other
  DataType biasType = DataType::kFLOAT;
  std::vector<uint8_t> bias;       //!< the P bias rows' bytes, or empty for none
  std::vector<ITensor*> replaced;  //!< per result p, the tensor it replaces (its dims, its producer's name)
  //! Each result's rows reshaped to `blockShape` then transposed by `blockTranspose` before its readers
  //! (a head split that follows the product); nbDims 0: reshaped to its replaced tensor's dims.
  Dims blockShape{};
  Permutation blockTranspose{};
  std::string name;  //!< the stacked product's name
};

//! The weights' column blocks [P, K, n] of a stored [K, P*n] (used as is) or their row blocks [P, n, K] of a
//! stored [P*n, K] (used transposed, already in that order), as bytes.
std::vector<uint8_t> weightColumnBlocks(const IConstantLayer& w, bool transposed, int64_t parts);

//! The constant matrix a product multiplies by, when its results could be stacked by column blocks: A read as
//! it is, the matrix as it is or transposed (`transposed`), a bias at most, not INT8 or FP8. Else nullptr.
const IConstantLayer* columnBlockWeights(const IMatrixMultiplyLayer& mm, bool& transposed);

//! The stack of `mm`'s `parts` column blocks of `n` columns each, over its input's `rows` rows of `k`
//! (`replaced` and the names left to the caller); `bias` is mm's constant bias or nullptr.
StackedProduct columnBlockStack(const IMatrixMultiplyLayer& mm, const IConstantLayer& w, bool transposed,
                                const IConstantLayer* bias, int64_t rows, int64_t k, int64_t n, int64_t parts);

//! Whether each result's view and each bias row stays 16-byte aligned in 16 bits (cuBLASLt reads them so).
inline bool stackStaysAligned(int64_t rows, int64_t n) { return n % 8 == 0 && (rows * n) % 8 == 0; }

//! Adds the stacked product's layers at `place` (each before its readers) and makes every reader of
//! `replaced[p]` read result p, shaped as it was; the layers that made them are left dead.
void addStackedProduct(INetworkDefinition& network, int32_t place, const StackedProduct& stack);

}  // namespace passes
}  // namespace trt
