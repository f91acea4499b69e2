#include <cmath>

#include "common/floating_types.h"
#include "layers/layer_util.h"
#include "layers/make_layer.h"
#include "layers/param_check.h"

namespace trt {
using namespace layer_util;

class MatrixMultiplyLayer final : public LayerImpl<IMatrixMultiplyLayer> {
 public:
  MatrixMultiplyLayer() : LayerImpl(LayerType::kMATRIX_MULTIPLY) {}
  void setOperation(int32_t index, MatrixOperation op) override;
  MatrixOperation getOperation(int32_t index) const override;
  void setFusedActivation(int32_t activationOrMinusOne) override;
  int32_t getFusedActivation() const override { return fusedActivation_; }
  void setAlpha(float alpha) override;
  float getAlpha() const override { return alpha_; }
  void setInt8Scales(float inputScale, std::vector<float> weightScales) override;
  float getInt8InputScale() const override { return int8InputScale_; }
  const std::vector<float>& getInt8WeightScales() const override { return int8WeightScales_; }
  bool isInt8() const override { return int8InputScale_ > 0.f; }
  void setFp8Scales(float inputScale, float weightScale) override;
  float getFp8InputScale() const override { return fp8InputScale_; }
  float getFp8WeightScale() const override { return fp8WeightScale_; }
  bool isFp8() const override { return fp8InputScale_ > 0.f; }
  void setFp8OutputScale(float outputScale) override;
  float getFp8OutputScale() const override { return fp8OutputScale_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;

 private:
  MatrixOperation ops_[2] = {MatrixOperation::kNONE, MatrixOperation::kNONE};
  int32_t fusedActivation_ = -1;
  float alpha_ = 1.f;
  float int8InputScale_ = 0.f;
  std::vector<float> int8WeightScales_;
  float fp8InputScale_ = 0.f, fp8WeightScale_ = 0.f;
  float fp8OutputScale_ = 0.f;
};

namespace {
// The rules of the product's parameters, applied by the setters and by readParams.
void checkOperation(const ParamCheck& c, const char* field, int32_t op) {
  rules::enumBelow(c, field, "matrix operation", op, kMATRIX_OPERATION_COUNT);
}
// ReLU (every backend) and GELU (the CPU backend's builds; the CUDA launchers refuse it).
void checkFusedActivation(const ParamCheck& c, int32_t a) {
  if (a != -1 && a != static_cast<int32_t>(ActivationType::kRELU) &&
      a != static_cast<int32_t>(ActivationType::kGELU_ERF) && a != static_cast<int32_t>(ActivationType::kGELU_TANH))
    c.fail("fused_activation",
           "only ReLU or GELU can be fused into a matrix multiply, got activation " + std::to_string(a));
}
void checkAlpha(const ParamCheck& c, float alpha) { rules::finite(c, "alpha", "alpha", alpha); }
// FP8 scales: both 0 (not FP8) or both positive and finite.
void checkFp8Scales(const ParamCheck& c, float inputScale, float weightScale) {
  const auto valid = [](float s) { return s > 0.f && std::isfinite(s); };
  if (!(inputScale == 0.f && weightScale == 0.f) && !(valid(inputScale) && valid(weightScale)))
    c.fail("fp8_scales", "the FP8 input and weight scales must both be positive and finite (or both 0: not FP8), got " +
                             std::to_string(inputScale) + " and " + std::to_string(weightScale));
}
// The FP8 output scale: 0 (a float output) or positive and finite.
void checkFp8OutputScale(const ParamCheck& c, float outputScale) {
  if (outputScale != 0.f && !(outputScale > 0.f && std::isfinite(outputScale)))
    c.fail("fp8_output_scale", "the FP8 output scale must be positive and finite (or 0: a float output), got " +
                                   std::to_string(outputScale));
}
}  // namespace

void MatrixMultiplyLayer::setOperation(int32_t index, MatrixOperation op) {
  if (index < 0 || index > 1) throw Error(describe() + ": setOperation index must be 0 or 1");
  checkOperation(ParamCheck(*this), index == 0 ? "operation0" : "operation1", static_cast<int32_t>(op));
  ops_[index] = op;
  markChanged();
}

MatrixOperation MatrixMultiplyLayer::getOperation(int32_t index) const {
  if (index < 0 || index > 1) throw Error(describe() + ": getOperation index must be 0 or 1");
  return ops_[index];
}

void MatrixMultiplyLayer::setFusedActivation(int32_t activationOrMinusOne) {
  checkFusedActivation(ParamCheck(*this), activationOrMinusOne);
  fusedActivation_ = activationOrMinusOne;
  markChanged();
}

void MatrixMultiplyLayer::setAlpha(float alpha) {
  checkAlpha(ParamCheck(*this), alpha);
  alpha_ = alpha;
  markChanged();
}

void MatrixMultiplyLayer::setInt8Scales(float inputScale, std::vector<float> weightScales) {
  checkInt8Scales(*this, inputScale, weightScales);
  int8InputScale_ = inputScale;
  int8WeightScales_ = std::move(weightScales);
  markChanged();
}

void MatrixMultiplyLayer::setFp8Scales(float inputScale, float weightScale) {
  // 0 means "not FP8" only in plans: a setter takes two scales.
  checkFp8Scales(ParamCheck(*this), inputScale, weightScale);
  if (inputScale == 0.f) throw Error(describe() + ": setFp8Scales needs positive, finite scales, got 0");
  if (isInt8()) throw Error(describe() + ": the product is INT8 already; it cannot also be FP8");
  fp8InputScale_ = inputScale;
  fp8WeightScale_ = weightScale;
  markChanged();
}

void MatrixMultiplyLayer::setFp8OutputScale(float outputScale) {
  checkFp8OutputScale(ParamCheck(*this), outputScale);
  if (outputScale > 0.f && !isFp8())
    throw Error(describe() +
                ": setFp8OutputScale needs an FP8 product (setFp8Scales first): only FP8 products write "
                "FP8 codes");
  fp8OutputScale_ = outputScale;
  markChanged();
}

namespace {
// The FP8 form: float32, float16 or bfloat16 [..., M, K] as is (or FP8, quantized already, with a bias whose
// type is the output's), times FP8 [N, K] transposed; or a stack of P such matrices [P, N, K] by one input matrix
// ([M, K] or [1, M, K]) that every one of them reads, whose output is [P, M, N] (the builder's stacked siblings).
void checkFp8Form(const IMatrixMultiplyLayer& mm, const std::vector<TensorDesc>& inputs) {
  const Dims& w = inputs[1].dims;
  const Dims& a = inputs[0].dims;
  const DataType x = inputs[0].type;
  if (x == DataType::kFP8 && (inputs.size() < 3 || !isFloating(inputs[2].type)))
    throw Error(mm.describe() +
                ": an FP8 matrix multiply of an FP8 input needs a float32, float16 or bfloat16 bias (input 2), "
                "whose type is the output's");
  const bool oneInputMatrix = a.nbDims == 2 || (a.nbDims == 3 && a.d[0] == 1);
  if ((!isFloating(x) && x != DataType::kFP8) || inputs[1].type != DataType::kFP8 ||
      (w.nbDims != 2 && !(w.nbDims == 3 && oneInputMatrix)) || mm.getOperation(0) != MatrixOperation::kNONE ||
      mm.getOperation(1) != MatrixOperation::kTRANSPOSE)
    throw Error(mm.describe() +
                ": an FP8 matrix multiply takes a float32, float16, bfloat16 or FP8 input as is and FP8 weights [N, K] "
                "transposed (or [P, N, K] by one input matrix [M, K] or [1, M, K]), got " +
                dataTypeName(inputs[0].type) + " " + a.str() + " and " + dataTypeName(inputs[1].type) + " " + w.str());
  if (w.nbDims == 3 && mm.getFp8OutputScale() > 0.f)
    throw Error(mm.describe() + ": an FP8 product by stacked weights " + w.str() +
                " writes a float output; FP8 codes out (fp8_output_scale) need weights [N, K]");
}

// The INT8 form: float32 or float16 [..., M, K] as is, times INT8 [N, K] transposed, one weight scale per n.
void checkInt8Form(const IMatrixMultiplyLayer& mm, const std::vector<TensorDesc>& inputs) {
  const Dims& w = inputs[1].dims;
  if ((inputs[0].type != DataType::kFLOAT && inputs[0].type != DataType::kHALF) || inputs[1].type != DataType::kINT8 ||
      w.nbDims != 2 || mm.getOperation(0) != MatrixOperation::kNONE ||
      mm.getOperation(1) != MatrixOperation::kTRANSPOSE)
    throw Error(mm.describe() +
                ": an INT8 matrix multiply takes a float32 or float16 input as is and INT8 weights [N, K] "
                "transposed, got " +
                dataTypeName(inputs[0].type) + " " + inputs[0].dims.str() + " and " + dataTypeName(inputs[1].type) +
                " " + w.str());
  if (static_cast<int64_t>(mm.getInt8WeightScales().size()) != w.d[0])
    throw Error(mm.describe() + ": " + std::to_string(mm.getInt8WeightScales().size()) + " INT8 weight scales for " +
                std::to_string(w.d[0]) + " output columns");
}
}  // namespace

std::vector<TensorDesc> MatrixMultiplyLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() < 2 || inputs.size() > 4)
    throw Error(describe() + ": expects two inputs, optionally a bias and then a residual, has " +
                std::to_string(inputs.size()));
  // An FP8 product of an FP8 input computes in its bias's type.
  const DataType type = isFp8() ? fp8ProductFloatType(inputs[0].type, inputs.size() >= 3,
                                                      inputs.size() >= 3 ? inputs[2].type : DataType::kFLOAT)
                                : inputs[0].type;
  if (!(isFp8() && inputs[0].type == DataType::kFP8)) requireFloat(*this, inputs[0], "input 0");
  if (isInt8())
    checkInt8Form(*this, inputs);
  else if (isFp8())
    checkFp8Form(*this, inputs);
  else if (inputs[0].type != inputs[1].type)
    throw Error(describe() + ": input types differ");
  const Dims& a = inputs[0].dims;
  const Dims& b = inputs[1].dims;
  bool vecA = ops_[0] == MatrixOperation::kVECTOR, vecB = ops_[1] == MatrixOperation::kVECTOR;
  if (a.nbDims < (vecA ? 1 : 2) || b.nbDims < (vecB ? 1 : 2))
    throw Error(describe() + ": inputs " + a.str() + " and " + b.str() +
                " have too few dimensions for a matrix product");
  int64_t m = vecA ? 1 : (ops_[0] == MatrixOperation::kTRANSPOSE ? a.d[a.nbDims - 1] : a.d[a.nbDims - 2]);
  int64_t ka =
      vecA ? a.d[a.nbDims - 1] : (ops_[0] == MatrixOperation::kTRANSPOSE ? a.d[a.nbDims - 2] : a.d[a.nbDims - 1]);
  int64_t kb =
      vecB ? b.d[b.nbDims - 1] : (ops_[1] == MatrixOperation::kTRANSPOSE ? b.d[b.nbDims - 1] : b.d[b.nbDims - 2]);
  int64_t n = vecB ? 1 : (ops_[1] == MatrixOperation::kTRANSPOSE ? b.d[b.nbDims - 2] : b.d[b.nbDims - 1]);
  if (ka >= 0 && kb >= 0 && ka != kb)
    throw Error(describe() + ": inner dimensions differ: " + a.str() + " x " + b.str() + " (" + std::to_string(ka) +
                " vs " + std::to_string(kb) + ")");
  Dims batchA, batchB;
  batchA.nbDims = a.nbDims - (vecA ? 1 : 2);
  for (int i = 0; i < batchA.nbDims; ++i) batchA.d[i] = a.d[i];
  batchB.nbDims = b.nbDims - (vecB ? 1 : 2);
  for (int i = 0; i < batchB.nbDims; ++i) batchB.d[i] = b.d[i];
  Dims out = broadcastShapes(*this, batchA, batchB);
  if (out.nbDims + !vecA + !vecB > Dims::MAX_DIMS) throw Error(describe() + ": output rank exceeds 8");
  if (!vecA) out.d[out.nbDims++] = m;
  if (!vecB) out.d[out.nbDims++] = n;
  if (inputs.size() >= 3 && (vecB || inputs[2].type != type ||
                             (inputs[2].dims.volume() != n && !(isPerBatchBias(inputs[2].dims, out) && !isInt8() &&
                                                                (!isFp8() || b.nbDims == 3) && !vecA))))
    throw Error(describe() + ": the bias " + inputs[2].dims.str() + " " + dataTypeName(inputs[2].type) +
                " must hold one " + dataTypeName(type) + " per output column (" + std::to_string(n) +
                "), or one row of them per product of a batch (the output's dims with a 1 for the rows)");
  // The residual is read element by element: the output's own shape and type, no broadcasting.
  if (inputs.size() == 4 && (inputs[3].type != type || inputs[3].dims != out))
    throw Error(describe() + ": the residual " + inputs[3].dims.str() + " " + dataTypeName(inputs[3].type) +
                " must have the output's shape and type, " + out.str() + " " + dataTypeName(type));
  // FP8 codes out: the float value is computed in `type` as above, then quantized.
  if (fp8OutputScale_ > 0.f) {
    if (inputs.size() == 4)
      throw Error(describe() + ": an FP8 product that writes FP8 codes (fp8_output_scale " +
                  std::to_string(fp8OutputScale_) + ") takes no residual");
    return {{out, DataType::kFP8}};
  }
  return {{out, type}};
}

void MatrixMultiplyLayer::writeParams(PlanWriter& w) const {
  w.i32(static_cast<int32_t>(ops_[0]));
  w.i32(static_cast<int32_t>(ops_[1]));
  w.i32(fusedActivation_);
  w.f32(alpha_);
  writeInt8Scales(w, int8InputScale_, int8WeightScales_);  // format 6
  w.f32(fp8InputScale_);                                   // format 16
  w.f32(fp8WeightScale_);
  w.f32(fp8OutputScale_);  // format 22
}

void MatrixMultiplyLayer::readParams(PlanReader& r) {
  const ParamCheck c(r);
  const char* const fields[2] = {"operation0", "operation1"};
  for (int i = 0; i < 2; ++i) {
    const int32_t op = r.i32(fields[i]);
    checkOperation(c, fields[i], op);
    ops_[i] = static_cast<MatrixOperation>(op);
  }
  // Plans before version 3 end here (no fused activation).
  fusedActivation_ = r.remaining() > 0 ? r.i32("fused_activation") : -1;
  checkFusedActivation(c, fusedActivation_);
  alpha_ = r.remaining() > 0 ? r.f32("alpha") : 1.f;
  checkAlpha(c, alpha_);
  // Plans before version 6 end here (no INT8); the weights' rows are checked by shape inference.
  if (r.remaining() > 0) readInt8Scales(r, -1, int8InputScale_, int8WeightScales_);
  // Plans before version 16 end here (no FP8).
  if (r.remaining() > 0) {
    fp8InputScale_ = r.f32("fp8_input_scale");
    fp8WeightScale_ = r.f32("fp8_weight_scale");
    checkFp8Scales(c, fp8InputScale_, fp8WeightScale_);
    if (fp8InputScale_ > 0.f && int8InputScale_ > 0.f) c.fail("fp8_input_scale", "a product is INT8 or FP8, not both");
  }
  // Plans before version 22 end here (float outputs only).
  if (r.remaining() > 0) {
    fp8OutputScale_ = r.f32("fp8_output_scale");
    checkFp8OutputScale(c, fp8OutputScale_);
    if (fp8OutputScale_ > 0.f && !(fp8InputScale_ > 0.f))
      c.fail("fp8_output_scale", "only an FP8 product (positive fp8_input_scale) writes FP8 codes");
  }
}

std::unique_ptr<LayerBase> makeMatrixMultiplyLayer() { return std::make_unique<MatrixMultiplyLayer>(); }

}  // namespace trt
