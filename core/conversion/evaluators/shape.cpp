// Shape and type queries on engine tensors: aten::size, aten::numel (static shapes; dynamic sizes
// become shape tensors in converters/impl/shape_arithmetic.cpp), aten::dim, prim::dtype.
#include "core/conversion/evaluators/evaluators.h"
#include "core/util/macros.h"
#include "core/util/trt_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace evaluators {
namespace {

std::optional<std::vector<int64_t>> staticShape(Var& v) {
  if (v.isIValue()) {
    if (!v.IValue()->isTensor()) return std::nullopt;
    return v.IValue()->toTensor().sizes().vec();
  }
  if (!v.isITensor()) return std::nullopt;
  trt::Dims d = v.ITensor()->getDimensions();
  if (!d.isStatic()) return std::nullopt;  // dynamic dims need shape-tensor arithmetic
  return d.toVector();
}

auto shapeEvaluators =
    RegisterNodeEvaluators()
        .evaluator(
            {"aten::size",
             [](ConversionCtx*, const torch::jit::Node* n, args& in) -> std::optional<std::vector<torch::jit::IValue>> {
               if (in.size() == 2 && in[0].isITensor()) {  // one dimension: known when it is static
                 const trt::Dims d = in[0].ITensor()->getDimensions();
                 const int64_t dim = util::normalizeDim(in[1].unwrapToInt(), d.nbDims, n);
                 if (d.d[dim] < 0) return std::nullopt;  // a shape tensor (converters/impl/shape_arithmetic.cpp)
                 return std::vector<torch::jit::IValue>{d.d[dim]};
               }
               auto shape = staticShape(in[0]);
               if (!shape) return std::nullopt;
               if (in.size() == 1) return std::vector<torch::jit::IValue>{c10::List<int64_t>(*shape)};
               int64_t dim = util::normalizeDim(in[1].unwrapToInt(), static_cast<int64_t>(shape->size()), n);
               return std::vector<torch::jit::IValue>{(*shape)[dim]};
             },
             true})
        .evaluator(
            {"aten::dim",
             [](ConversionCtx*, const torch::jit::Node*, args& in) -> std::optional<std::vector<torch::jit::IValue>> {
               if (in[0].isITensor())
                 return std::vector<torch::jit::IValue>{static_cast<int64_t>(in[0].ITensor()->getDimensions().nbDims)};
               return std::vector<torch::jit::IValue>{static_cast<int64_t>(in[0].unwrapToTensor().dim())};
             },
             true})
        .evaluator(
            {"prim::dtype",
             [](ConversionCtx*, const torch::jit::Node*, args& in) -> std::optional<std::vector<torch::jit::IValue>> {
               // The graph's dtype (an FP16 build changes engine types later, not the program's dtypes).
               const at::ScalarType type = in[0].isITensor() ? util::TRTDataTypeToScalarType(in[0].ITensor()->getType())
                                                             : in[0].unwrapToTensor().scalar_type();
               return std::vector<torch::jit::IValue>{static_cast<int64_t>(type)};
             },
             true})
        .evaluator(
            {"aten::numel",
             [](ConversionCtx*, const torch::jit::Node*, args& in) -> std::optional<std::vector<torch::jit::IValue>> {
               auto shape = staticShape(in[0]);
               if (!shape) return std::nullopt;
               int64_t n = 1;
               for (int64_t d : *shape) n *= d;
               return std::vector<torch::jit::IValue>{n};
             },
             true});

}  // namespace
}  // namespace evaluators
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
