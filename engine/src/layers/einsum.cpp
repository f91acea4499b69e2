#include <algorithm>

#include "common/einsum_spec.h"
#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class EinsumLayer final : public LayerImpl<IEinsumLayer> {
 public:
  EinsumLayer() : LayerImpl(LayerType::kEINSUM) {}
  void setEquation(const char* equation) override;
  const char* getEquation() const override { return equation_.c_str(); }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  std::string equation_;
};

namespace {
// One operand per comma-separated term; the inputs' count is checked against it by shape inference.
void checkEquation(const ParamCheck& c, const std::string& e) {
  if (e.empty() || e.find("...") != std::string::npos || e.find(' ') != std::string::npos)
    c.fail("equation", "equation '" + e + "' must be non-empty, without spaces or ellipses");
  einsum::Spec spec;
  const size_t operands = static_cast<size_t>(std::count(e.begin(), e.end(), ',')) + 1;
  const std::string problem = einsum::parse(e, operands, spec);
  if (!problem.empty()) c.fail("equation", "equation '" + e + "' " + problem);
}
}  // namespace

void EinsumLayer::setEquation(const char* equation) {
  const std::string e = equation ? equation : "";
  checkEquation(ParamCheck(*this), e);
  equation_ = e;
  markChanged();
}

std::vector<TensorDesc> EinsumLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  einsum::Spec spec;
  const std::string problem = einsum::parse(equation_, inputs.size(), spec);
  if (!problem.empty()) throw Error(describe() + ": equation '" + equation_ + "' " + problem);
  std::vector<Dims> dims;
  for (const TensorDesc& in : inputs) {
    requireFloat(*this, in, "every input");
    if (in.type != inputs[0].type)
      throw Error(describe() + ": inputs are " + dataTypeName(inputs[0].type) + " and " + dataTypeName(in.type));
    dims.push_back(in.dims);
  }
  std::vector<int64_t> size;
  const std::string mismatch = einsum::labelSizes(spec, dims, size);
  if (!mismatch.empty()) throw Error(describe() + ": equation '" + equation_ + "': " + mismatch);
  Dims out;
  out.nbDims = static_cast<int32_t>(spec.output.size());
  if (out.nbDims > Dims::MAX_DIMS)
    throw Error(describe() + ": equation '" + equation_ + "' has an output of rank " + std::to_string(out.nbDims));
  for (int k = 0; k < out.nbDims; ++k) out.d[k] = size[k];  // output labels come first
  return {{out, inputs[0].type}};
}

void EinsumLayer::writeParams(PlanWriter& w) const { w.str(equation_); }

void EinsumLayer::readParams(PlanReader& r) {
  equation_ = r.str("equation");
  checkEquation(ParamCheck(r), equation_);
}

std::unique_ptr<LayerBase> makeEinsumLayer() { return std::make_unique<EinsumLayer>(); }

}  // namespace trt
