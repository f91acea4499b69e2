// Helpers between Torch and engine types, used by converters (the seed's util::toVec, toDims, node_info).
#pragma once

#include <string>
#include <vector>

#include "ATen/core/ivalue.h"
#include "c10/util/ArrayRef.h"
#include "torch/csrc/jit/ir/ir.h"
#include "trt/trt.h"

namespace torch_tensorrt {
namespace core {
namespace util {

//! Engine dims as a vector of sizes.
std::vector<int64_t> toVec(const trt::Dims& dims);
//! Sizes as engine dims (throws for more than 8 dimensions).
trt::Dims toDims(c10::IntArrayRef sizes);
trt::Dims toDims(const std::vector<int64_t>& sizes);
//! "%out : Tensor = aten::op(%a, %b) # file.py:12:0" for a node, as printed in errors.
std::string node_info(const torch::jit::Node* n);
//! The node's schema as text, or "(no schema)".
std::string schemaInfo(const torch::jit::Node* n);
//! True when an output of `n` may share memory with an input: views and in-place ops (an alias annotation in the
//! schema's returns), and nodes without a schema (lists and tuples holding the tensor).
bool mayAliasInput(const torch::jit::Node* n);
//! True for int, float and bool: numbers an engine computes (sizes) and returns as 0-d tensors.
bool isNumberType(const c10::TypePtr& type);
//! Inserts, at the graph's insertion point, aten::Int / Float / Bool of a 0-d tensor: the number of type `type`.
torch::jit::Value* tensorToNumber(torch::jit::Graph* g, torch::jit::Value* tensor, const c10::TypePtr& type);
//! The node's Python source location, "file.py:12:0", or "" when unknown.
std::string sourceLocation(const torch::jit::Node* n);
//! Engine data type of a Torch scalar type (throws for types the engine lacks).
trt::DataType ScalarTypeToTRTDataType(at::ScalarType t);
//! Torch scalar type of an engine data type.
at::ScalarType TRTDataTypeToScalarType(trt::DataType t);
//! Normalizes a possibly negative dimension index against a rank.
int64_t normalizeDim(int64_t dim, int64_t rank, const torch::jit::Node* n);

}  // namespace util
}  // namespace core
}  // namespace torch_tensorrt
