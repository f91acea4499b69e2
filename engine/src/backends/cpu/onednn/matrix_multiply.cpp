// Batched float32 matrix products on oneDNN's matmul: transposes as strides (no copies), batch
// broadcasting, and the fused scale, per-column bias and ReLU as post-ops. Vector operands (and
// INT8 products) stay on the reference kernel.
#include "backends/cpu/onednn/onednn_step.h"

namespace trt {
namespace cpu {
namespace onednn {

namespace {
using dnnl::memory;
using dt = memory::data_type;

class MatrixMultiplyStep : public Step {
 public:
  MatrixMultiplyStep(const dnnl::matmul::primitive_desc& pd, const memory::desc& a, const memory::desc& b,
                     const memory::desc& c, const memory::desc& bias, bool biasAsPostOp)
      : prim_(pd), a_(a), b_(b), c_(c), bias_(bias), biasAsPostOp_(biasAsPostOp) {}

  void run(Context& ctx, const std::vector<TensorView>& inputs, TensorView& output) override {
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, wrap(ctx, a_, inputs[0].data)},
                                         {DNNL_ARG_WEIGHTS, wrap(ctx, b_, inputs[1].data)},
                                         {DNNL_ARG_DST, wrap(ctx, c_, output.data)}};
    if (inputs.size() == 3)
      args.emplace(biasAsPostOp_ ? DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1 : DNNL_ARG_BIAS,
                   wrap(ctx, bias_, inputs[2].data));
    prim_.execute(ctx.stream, args);
    ctx.stream.wait();
  }

 private:
  dnnl::matmul prim_;
  memory::desc a_, b_, c_, bias_;
  bool biasAsPostOp_;
};

// op(X) of a stored [batch..., rows, cols] operand as [batch (padded with 1s to `batchRank`)..., r, c]
// with strides: a transpose swaps the two inner strides.
memory::desc operand(const Dims& stored, int batchRank, bool transpose) {
  const int rank = stored.nbDims;
  const int64_t rows = stored.d[rank - 2], cols = stored.d[rank - 1];
  memory::dims dims(batchRank + 2, 1), strides(batchRank + 2, rows * cols);
  int64_t stride = rows * cols;
  for (int i = rank - 3, o = batchRank - 1; o >= 0; --i, --o) {
    if (i >= 0) {
      dims[o] = stored.d[i];
      strides[o] = stride;
      stride *= stored.d[i];
    } else {
      strides[o] = stride;
    }
  }
  dims[batchRank] = transpose ? cols : rows;
  dims[batchRank + 1] = transpose ? rows : cols;
  strides[batchRank] = transpose ? 1 : cols;
  strides[batchRank + 1] = transpose ? cols : 1;
  return memory::desc(dims, dt::f32, strides);
}
}  // namespace

std::unique_ptr<Step> makeMatrixMultiply(Context& ctx, const ILayer& layer, const std::vector<TensorView>& inputs,
                                         const TensorView& output) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  if (mm.isInt8()) return nullptr;
  const MatrixOperation opA = mm.getOperation(0), opB = mm.getOperation(1);
  if (opA == MatrixOperation::kVECTOR || opB == MatrixOperation::kVECTOR) return nullptr;
  const Dims& a = inputs[0].dims;
  const Dims& b = inputs[1].dims;
  const Dims& c = output.dims;
  if (a.nbDims < 2 || b.nbDims < 2 || c.nbDims < 2 || c.nbDims > DNNL_MAX_NDIMS) return nullptr;
  const int batchRank = c.nbDims - 2;
  if (a.nbDims - 2 > batchRank || b.nbDims - 2 > batchRank) return nullptr;
  const memory::desc aDesc = operand(a, batchRank, opA == MatrixOperation::kTRANSPOSE);
  const memory::desc bDesc = operand(b, batchRank, opB == MatrixOperation::kTRANSPOSE);
  memory::dims cStrides(c.nbDims, 1);
  for (int i = c.nbDims - 2; i >= 0; --i) cStrides[i] = cStrides[i + 1] * c.d[i + 1];
  const memory::desc dst(toDims(c), dt::f32, cStrides);
  const int64_t N = c.d[c.nbDims - 1];
  const bool hasBias = inputs.size() == 3;
  if (hasBias && inputs[2].dims.volume() != N) return nullptr;
  memory::dims biasDims(c.nbDims, 1);
  biasDims.back() = N;
  memory::dims biasStrides(c.nbDims, N);
  biasStrides.back() = 1;
  const memory::desc bias(biasDims, dt::f32, biasStrides);
  // The reference computes relu(alpha * A.B + bias): a scale other than 1 goes first as a linear
  // post-op, and the bias after it as a binary add (oneDNN's own bias would be added before it).
  const float alpha = mm.getAlpha();
  const bool biasAsPostOp = hasBias && alpha != 1.f;
  dnnl::post_ops ops;
  if (alpha != 1.f) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, alpha, 0.f);
  if (biasAsPostOp) ops.append_binary(dnnl::algorithm::binary_add, bias);
  dnnl::algorithm eltwise;
  const int32_t activation = mm.getFusedActivation();
  if (activation >= 0) {
    if (!fusableActivation(activation, eltwise)) return nullptr;
    ops.append_eltwise(1.f, eltwise, 0.f, 0.f);
  }
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  const auto desc =
      hasBias && !biasAsPostOp ? dnnl::matmul::desc(aDesc, bDesc, bias, dst) : dnnl::matmul::desc(aDesc, bDesc, dst);
  const dnnl::matmul::primitive_desc pd(desc, attr, ctx.engine);
  return std::make_unique<MatrixMultiplyStep>(pd, aDesc, bDesc, dst, bias, biasAsPostOp);
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
