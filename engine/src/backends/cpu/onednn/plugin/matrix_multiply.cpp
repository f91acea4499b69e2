// Batched float32 or bfloat16 matrix products on oneDNN's matmul: transposes and broadcasts come as strides, the
// scale, per-column bias, a residual and an activation as post-ops; a constant B (weights) packed once into the
// primitive's format.
#include "backends/cpu/onednn/plugin/plugin_step.h"

namespace torchtrt_onednn {

namespace {
using dnnl::memory;

class MatrixMultiplyStep : public Step {
 public:
  MatrixMultiplyStep(const dnnl::matmul::primitive_desc& pd, const memory::desc& a, const memory::desc& b,
                     const memory::desc& c, const memory::desc& bias, bool biasAsPostOp, int residualPostOp,
                     const void* constantB)
      : prim_(pd),
        a_(a),
        b_(b),
        c_(c),
        bias_(bias),
        biasAsPostOp_(biasAsPostOp),
        residualPostOp_(residualPostOp),
        constantB_(constantB) {
    implementation_ = std::string("matmul ") + pd.impl_info_str() + (constantB ? " (packed weights)" : "");
    packedDesc_ = pd.weights_desc();
  }

  void run(const void* const* inputs, int32_t nbInputs, void* output) override {
    // A constant B packed once into the primitive's format, at the first run: a context made but never
    // run holds no second copy of the weights.
    if (constantB_ && !packedB_) {
      packedB_ = memory(packedDesc_, cpuEngine());
      memory user = wrap(b_, constantB_);
      dnnl::reorder(user, packedB_).execute(stream_, user, packedB_);
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, wrap(a_, inputs[0])},
                                         {DNNL_ARG_WEIGHTS, packedB_ ? packedB_ : wrap(b_, inputs[1])},
                                         {DNNL_ARG_DST, wrap(c_, output)}};
    if (nbInputs >= 3)
      args.emplace(biasAsPostOp_ ? DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1 : DNNL_ARG_BIAS,
                   wrap(bias_, inputs[2]));
    if (nbInputs == 4 && residualPostOp_ >= 0)
      args.emplace(DNNL_ARG_ATTR_MULTIPLE_POST_OP(residualPostOp_) | DNNL_ARG_SRC_1, wrap(c_, inputs[3]));
    prim_.execute(stream_, args);
    stream_.wait();
  }

 private:
  dnnl::matmul prim_;
  memory::desc a_, b_, c_, bias_;
  bool biasAsPostOp_;
  int residualPostOp_;       // the residual's binary post-op's index, or -1
  const void* constantB_;    // the engine's constant B, or nullptr
  memory::desc packedDesc_;  // the primitive's format for B
  memory packedB_;           // a constant B in that format after the first run, else empty
};
}  // namespace

std::unique_ptr<Step> makeMatrixMultiply(const torchtrt_onednn_matrix_multiply& d) {
  const memory::desc a = descOf(d.a, d.data_type), b = descOf(d.b, d.data_type), c = descOf(d.c, d.c_data_type);
  const bool hasBias = d.bias.rank > 0;
  const memory::desc bias = hasBias ? descOf(d.bias, d.data_type) : memory::desc();
  // The reference computes relu(alpha * A.B + bias): a scale other than 1 goes first as a linear
  // post-op, and the bias after it as a binary add (oneDNN's own bias would be added before it).
  const bool biasAsPostOp = hasBias && d.alpha != 1.f;
  dnnl::post_ops ops;
  if (d.alpha != 1.f) ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, d.alpha, 0.f);
  if (biasAsPostOp) ops.append_binary(dnnl::algorithm::binary_add, bias);
  // The residual after the bias, before the activation: a binary add of a tensor of C's shape.
  const int residualPostOp = d.residual ? ops.len() : -1;
  if (d.residual) ops.append_binary(dnnl::algorithm::binary_add, c);
  appendActivation(ops, d.activation);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  // A constant B lets the primitive choose B's format (packed once); otherwise B is read as it comes.
  const memory::desc weights = d.constant_b ? memory::desc(b.dims(), typeOf(d.data_type), memory::format_tag::any) : b;
  const auto desc =
      hasBias && !biasAsPostOp ? dnnl::matmul::desc(a, weights, bias, c) : dnnl::matmul::desc(a, weights, c);
  const dnnl::matmul::primitive_desc pd(desc, attr, cpuEngine());
  return std::make_unique<MatrixMultiplyStep>(pd, a, b, c, bias, biasAsPostOp, residualPostOp, d.constant_b);
}

}  // namespace torchtrt_onednn
