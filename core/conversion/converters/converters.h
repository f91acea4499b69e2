// The converter registry. A converter turns one TorchScript node into engine layers; it is
// keyed by the op's function schema and registers itself with RegisterNodeConversionPatterns.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/conversion/conversionctx/ConversionCtx.h"
#include "core/conversion/var/Var.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"
#include "torch/csrc/jit/ir/ir.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {

typedef std::vector<Var> args;
typedef std::function<bool(ConversionCtx*, const torch::jit::Node*, args&)> OpConverter;

struct ConverterOptions {
  //! The converter cannot take dynamic shapes (partitioning falls back for them).
  bool static_shapes_only = false;
};

struct ConversionPattern {
  ConversionPattern(std::string signature, OpConverter converter, ConverterOptions options = {})
      : signature(std::move(signature)), converter(std::move(converter)), options(options) {}
  std::string signature;
  OpConverter converter;
  ConverterOptions options;
};

//! Registers converters for the schemas given; a later registration of a schema overrides an earlier one.
class RegisterNodeConversionPatterns {
 public:
  RegisterNodeConversionPatterns() = default;
  RegisterNodeConversionPatterns& pattern(ConversionPattern p) &;
  RegisterNodeConversionPatterns&& pattern(ConversionPattern p) &&;
  RegisterNodeConversionPatterns(RegisterNodeConversionPatterns&&) = default;
};

//! True when a converter is registered for the node's schema.
bool nodeIsConvertible(const torch::jit::Node* n);
//! The converter for the node's schema; throws when there is none.
OpConverter getNodeConverterFor(const torch::jit::FunctionSchema* schema);
//! Every registered schema, sorted.
std::vector<std::string> getConverterList();
//! Schemas whose built-in converter was replaced by a later registration, with the replacing registration number.
std::vector<std::string> getConverterOverrides();

}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
