// Batched float32 matrix products for the plugin: op(X) of a stored [batch..., rows, cols] operand
// as strides (a transpose swaps the inner two, a broadcast batch dimension has size 1). Vector
// operands and INT8 products stay on the reference kernel.
#include "backends/cpu/onednn/describe.h"
#include "layers/layer_util.h"

namespace trt {
namespace cpu {
namespace onednn {

namespace {
torchtrt_onednn_tensor operand(const Dims& stored, int batchRank, bool transpose) {
  torchtrt_onednn_tensor t{};
  t.rank = batchRank + 2;
  const int rank = stored.nbDims;
  const int64_t rows = stored.d[rank - 2], cols = stored.d[rank - 1];
  int64_t stride = rows * cols;
  for (int i = rank - 3, o = batchRank - 1; o >= 0; --i, --o) {
    t.dims[o] = i >= 0 ? stored.d[i] : 1;
    t.strides[o] = stride;
    if (i >= 0) stride *= stored.d[i];
  }
  t.dims[batchRank] = transpose ? cols : rows;
  t.dims[batchRank + 1] = transpose ? rows : cols;
  t.strides[batchRank] = transpose ? 1 : cols;
  t.strides[batchRank + 1] = transpose ? cols : 1;
  return t;
}
}  // namespace

bool describeMatrixMultiply(const ILayer& layer, const std::vector<TensorView>& inputs, const TensorView& output,
                            torchtrt_onednn_matrix_multiply& d, FusedActivation& postActivation) {
  const auto& mm = static_cast<const IMatrixMultiplyLayer&>(layer);
  if (mm.isInt8() || mm.isFp8()) return false;  // the engine's own exact INT8 kernel, the FP8 emulation
  const MatrixOperation opA = mm.getOperation(0), opB = mm.getOperation(1);
  if (opA == MatrixOperation::kVECTOR || opB == MatrixOperation::kVECTOR) return false;
  const Dims& a = inputs[0].dims;
  const Dims& b = inputs[1].dims;
  const Dims& c = output.dims;
  // oneDNN's matmul takes at most 12 dims; the engine's tensors have at most 8.
  if (a.nbDims < 2 || b.nbDims < 2 || c.nbDims < 2) return false;
  const int batchRank = c.nbDims - 2;
  if (a.nbDims - 2 > batchRank || b.nbDims - 2 > batchRank) return false;
  const int64_t N = c.d[c.nbDims - 1];
  const bool hasBias = inputs.size() >= 3;
  const bool perBatchBias = hasBias && layer_util::isPerBatchBias(inputs[2].dims, c);  // [P, 1, N]
  if (hasBias && !perBatchBias && inputs[2].dims.volume() != N) return false;
  const bool hasResidual = inputs.size() == 4;
  if (hasResidual && !(inputs[3].dims == c)) return false;
  d = torchtrt_onednn_matrix_multiply{};
  // A right operand shared by every batch (a Linear's weights) and a left one stored as rows: one product
  // of all the rows. nn.MultiheadAttention's projection of [L, N, E] inputs (ViT: [197, 1, 768]) was
  // 197 products of one row each.
  int64_t batchVolume = 1, aBatchVolume = 1, bBatchVolume = 1;
  for (int i = 0; i < batchRank; ++i) batchVolume *= c.d[i];
  for (int i = 0; i < a.nbDims - 2; ++i) aBatchVolume *= a.d[i];
  for (int i = 0; i < b.nbDims - 2; ++i) bBatchVolume *= b.d[i];
  if (batchRank > 0 && opA == MatrixOperation::kNONE && bBatchVolume == 1 && aBatchVolume == batchVolume &&
      !perBatchBias) {
    const int64_t rows = batchVolume * a.d[a.nbDims - 2];
    d.a = operand(Dims{rows, a.d[a.nbDims - 1]}, 0, false);
    d.b = operand(Dims{b.d[b.nbDims - 2], b.d[b.nbDims - 1]}, 0, opB == MatrixOperation::kTRANSPOSE);
    d.c = denseTensor(Dims{rows, N});
  } else {
    d.a = operand(a, batchRank, opA == MatrixOperation::kTRANSPOSE);
    d.b = operand(b, batchRank, opB == MatrixOperation::kTRANSPOSE);
    d.c = denseTensor(c);
  }
  if (perBatchBias) {
    // Not the rows path above (d.c is the output's own dims): the bias dense in them with one row.
    Dims bd = c;
    bd.d[c.nbDims - 2] = 1;
    d.bias = denseTensor(bd);
  } else if (hasBias) {
    d.bias.rank = d.c.rank;
    for (int i = 0; i < d.c.rank; ++i) {
      d.bias.dims[i] = 1;
      d.bias.strides[i] = N;
    }
    d.bias.dims[d.c.rank - 1] = N;
    d.bias.strides[d.c.rank - 1] = 1;
  }
  d.alpha = mm.getAlpha();
  d.residual = hasResidual ? 1 : 0;
  // A constant B (read in place, alive as long as the engine) is packed once by the primitive.
  const ILayer* producer = mm.getInput(1)->getProducer();
  if (producer && producer->getType() == LayerType::kCONSTANT) d.constant_b = inputs[1].data;
  d.activation =
      activationPostOp(FusedActivation{mm.getFusedActivation()}, postActivation);  // GELU: a post-op; ReLU after
  return true;
}

}  // namespace onednn
}  // namespace cpu
}  // namespace trt
