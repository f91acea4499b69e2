// The repeated steps of converters: naming layers after nodes, binding outputs, reshapes,
// casts, scalar constants and elementwise operations with type promotion.
#pragma once

#include "core/conversion/converters/converters.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {

//! The elements the broadcast products of an integer matrix product, contraction or convolution hold at
//! most: the engine has no integer matrix kernel, so the [..., M, K, N] products are held in memory at once.
constexpr int64_t kMaxIntegerProducts = int64_t{1} << 26;

//! Names the layer after the node and binds its output `index` to the node's output `index`.
trt::ITensor* bindOutput(ConversionCtx* ctx, const torch::jit::Node* n, trt::ILayer* layer, size_t index = 0);
//! Binds an existing tensor to the node's output (ops that are identities on engine tensors).
trt::ITensor* bindTensor(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* tensor, size_t index = 0);
//! Reshapes a tensor (a Shuffle layer).
trt::ITensor* reshape(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& shape, const std::string& name);
//! Casts a tensor (an Identity layer), or returns it when it already has the type.
trt::ITensor* castTo(ConversionCtx* ctx, trt::ITensor* in, trt::DataType type, const std::string& name);
//! A rank-0 constant holding a scalar in the given type.
trt::ITensor* scalarConstant(ConversionCtx* ctx, const at::Scalar& value, trt::DataType type, const std::string& name);
//! An argument as an engine tensor; scalars take the type of `like` (PyTorch's promotion for scalars).
trt::ITensor* tensorOrScalar(ConversionCtx* ctx, Var& arg, trt::ITensor* like, const std::string& name);
//! Elementwise op after promoting both operands to a common type (int with float gives float).
trt::ILayer* addElementwise(ConversionCtx* ctx, trt::ElementWiseOperation op, trt::ITensor* a, trt::ITensor* b,
                            const std::string& name);
//! Rank of a tensor.
inline int64_t rankOf(trt::ITensor* t) { return t->getDimensions().nbDims; }
//! Whether `t` is computed from a NonZero layer's output (x[mask], nonzero, masked_select): its dynamic
//! dimensions may be counts known only when the engine runs, not sizes an optimization profile bounds.
bool followsDataDependentCount(trt::ITensor* t);
//! A dims-order permutation for a shuffle from a vector.
trt::Permutation toPermutation(const std::vector<int64_t>& order);
//! `in` with its dims reordered (output dim i = input dim order[i]); `in` itself when order is the identity.
trt::ITensor* transposed(ConversionCtx* ctx, trt::ITensor* in, const std::vector<int64_t>& order,
                         const std::string& name);
//! Elements start, start+step, ... (length of them) along `dim`; the other dims whole (static shape).
trt::ITensor* sliceAlong(ConversionCtx* ctx, trt::ITensor* in, int64_t dim, int64_t start, int64_t length, int64_t step,
                         const std::string& name);
//! Bit mask of the dims a reduction's `dim` argument names (an int, a list, or None / [] / nullptr for all).
//! `t` without dimension `dim` (of size 1); several dynamic dims are read from its shape at run time.
trt::ITensor* dropDim(ConversionCtx* ctx, trt::ITensor* t, int64_t dim, const std::string& name);
//! The type the engine's scatter reductions compute a `type` tensor in: float32, float16, int32 and int64
//! as they are; bfloat16 in float32 (rounded once at the end, as PyTorch's float32 accumulation does);
//! bool and 8-bit integers in int32, where the sum/prod/max/min of 0/1 cast back ("not zero") are the
//! or/and/or/and PyTorch's bool arithmetic gives.
trt::DataType scatterReductionType(trt::DataType type);
uint32_t reduceAxesMask(const torch::jit::Node* n, trt::ITensor* in, Var* dims);
//! Applies an optional `ScalarType? dtype` argument of reductions and softmax (the input is cast first,
//! as PyTorch does); None leaves the tensor as it is.
trt::ITensor* castToDtypeArg(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, Var& dtype);
//! `in` broadcast to the static shape `target` (-1 keeps a dimension): a multiply by ones, exact
//! for -0.0 and NaN (an AND for bool); the layer takes `name`.
trt::ITensor* expandTo(ConversionCtx* ctx, trt::ITensor* in, std::vector<int64_t> target, const std::string& name);
//! Index positions as int64 in [0, size): negative entries counted from the end, as PyTorch does.
trt::ITensor* wrappedIndex(ConversionCtx* ctx, trt::ITensor* idx, int64_t size, const std::string& name);
//! The same with the size a rank-0 int64 tensor (a dynamic dimension's, read at run time); with `inRange`, also
//! whether each index lies in [-size, size), the range PyTorch accepts.
trt::ITensor* wrappedIndex(ConversionCtx* ctx, trt::ITensor* idx, trt::ITensor* size, const std::string& name,
                           trt::ITensor** inRange = nullptr);
//! The value that owns the memory `v` names: `v` followed back through views, in-place ops and the
//! lists that split views return (a graph input, a constant or the output of an allocating op).
const torch::jit::Value* memoryOwner(const torch::jit::Value* v);
//! Throws naming the node unless the memory the in-place op `n` writes (its first input) is read after
//! `n` only through n's own output: an engine computes the written value but cannot update the other
//! names of that memory (a view of it, the base itself), which PyTorch would see changed. Without
//! `allowLongLived`, the written tensor must also be made in n's block by an op (not a graph input,
//! attribute or constant, whose writes outlive the call).
void requireUnobservedWrite(const torch::jit::Node* n, bool allowLongLived);
//! Checks the node's input tensor has a static shape and throws naming the node otherwise.
void requireStaticShape(const torch::jit::Node* n, trt::ITensor* t, const char* what);

//! Pins every layer added while it lives to FP32, so FP16 builds keep them out of half (for
//! statistics such as variances, whose squares overflow or lose precision in FP16).
class PinFloat32 {
 public:
  explicit PinFloat32(ConversionCtx* ctx) : ctx_(ctx), first_(ctx->net->getNbLayers()) {}
  ~PinFloat32() {
    for (int32_t l = first_; l < ctx_->net->getNbLayers(); ++l)
      ctx_->net->getLayer(l)->setPrecision(trt::DataType::kFLOAT);
  }
  PinFloat32(const PinFloat32&) = delete;
  PinFloat32& operator=(const PinFloat32&) = delete;

 private:
  ConversionCtx* ctx_;
  int32_t first_;
};

}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
