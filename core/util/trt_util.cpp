#include "core/util/trt_util.h"

#include <sstream>

#include "core/util/macros.h"

namespace torch_tensorrt {
namespace core {
namespace util {

std::vector<int64_t> toVec(const trt::Dims& dims) { return dims.toVector(); }

trt::Dims toDims(c10::IntArrayRef sizes) {
  TORCHTRT_CHECK(sizes.size() <= static_cast<size_t>(trt::Dims::MAX_DIMS),
                 "a shape of rank " << sizes.size() << " exceeds the engine's maximum rank of 8");
  return trt::Dims::fromVector(sizes.vec());
}

trt::Dims toDims(const std::vector<int64_t>& sizes) { return toDims(c10::IntArrayRef(sizes)); }

std::string sourceLocation(const torch::jit::Node* n) {
  auto range = n->sourceRange();
  if (!range.source()) return "";
  auto loc = range.file_line_col();
  if (!loc) return "";
  auto [file, line, col] = *loc;
  std::stringstream ss;
  ss << file << ":" << line << ":" << col;
  return ss.str();
}

std::string node_info(const torch::jit::Node* n) {
  std::stringstream ss;
  ss << *n;
  std::string s = ss.str();
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  // Printing a node already appends its source location ("# file.py:1:0") when the graph has it.
  if (s.find(" # ") == std::string::npos) {
    std::string loc = sourceLocation(n);
    if (!loc.empty()) s += " # " + loc;
  }
  return s;
}

bool mayAliasInput(const torch::jit::Node* n) {
  const c10::FunctionSchema* schema = n->maybeSchema();
  if (!schema) return true;
  for (const auto& r : schema->returns())
    if (r.alias_info()) return true;
  return false;
}

bool isNumberType(const c10::TypePtr& type) {
  return type->kind() == c10::TypeKind::IntType || type->kind() == c10::TypeKind::FloatType ||
         type->kind() == c10::TypeKind::BoolType;
}

torch::jit::Value* tensorToNumber(torch::jit::Graph* g, torch::jit::Value* tensor, const c10::TypePtr& type) {
  const char* op = type->kind() == c10::TypeKind::IntType     ? "aten::Int"
                   : type->kind() == c10::TypeKind::FloatType ? "aten::Float"
                                                              : "aten::Bool";
  tensor->setType(c10::TensorType::get());
  return g->insert(c10::Symbol::fromQualString(op), {tensor});
}

std::string schemaInfo(const torch::jit::Node* n) {
  const auto* schema = n->maybeSchema();
  if (!schema) return "(no schema)";
  std::stringstream ss;
  ss << *schema;
  return ss.str();
}

trt::DataType ScalarTypeToTRTDataType(at::ScalarType t) {
  switch (t) {
    case at::kFloat:
      return trt::DataType::kFLOAT;
    case at::kHalf:
      return trt::DataType::kHALF;
    case at::kBFloat16:
      return trt::DataType::kBF16;
    case at::kChar:
      return trt::DataType::kINT8;
    case at::kByte:
      return trt::DataType::kUINT8;
    case at::kInt:
      return trt::DataType::kINT32;
    case at::kLong:
      return trt::DataType::kINT64;
    case at::kBool:
      return trt::DataType::kBOOL;
    default:
      break;
  }
  TORCHTRT_THROW_ERROR("the engine has no data type for torch." << c10::toString(t));
}

at::ScalarType TRTDataTypeToScalarType(trt::DataType t) {
  switch (t) {
    case trt::DataType::kFLOAT:
      return at::kFloat;
    case trt::DataType::kHALF:
      return at::kHalf;
    case trt::DataType::kBF16:
      return at::kBFloat16;
    case trt::DataType::kINT8:
      return at::kChar;
    case trt::DataType::kUINT8:
      return at::kByte;
    case trt::DataType::kINT32:
      return at::kInt;
    case trt::DataType::kINT64:
      return at::kLong;
    case trt::DataType::kBOOL:
      return at::kBool;
    case trt::DataType::kFP8:
      return at::kFloat8_e4m3fn;
  }
  TORCHTRT_THROW_ERROR("torch has no scalar type for engine type " << trt::dataTypeName(t));
}

int64_t normalizeDim(int64_t dim, int64_t rank, const torch::jit::Node* n) {
  // A 0-dim tensor takes dim 0 or -1, as in PyTorch.
  int64_t d = dim < 0 ? dim + std::max<int64_t>(rank, 1) : dim;
  TORCHTRT_CHECK(d >= 0 && d < std::max<int64_t>(rank, 1), "dimension " << dim
                                                                        << " is out of range for a tensor of rank "
                                                                        << rank << " in node " << node_info(n));
  return d;
}

}  // namespace util
}  // namespace core
}  // namespace torch_tensorrt
