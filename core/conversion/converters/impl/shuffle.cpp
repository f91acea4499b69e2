// Shape ops: flatten, view/reshape (and view_as/reshape_as), permute, transpose, t, unsqueeze,
// squeeze; the in-place forms (unsqueeze_, t_...) share them.
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool flatten(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  if (rank == 0) {
    ctx->AssociateValueAndTensor(n->outputs()[0], reshape(ctx, in, {1}, util::node_info(n)));
    return true;
  }
  int64_t start = util::normalizeDim(a[1].unwrapToInt(), rank, n),
          end = util::normalizeDim(a[2].unwrapToInt(), rank, n);
  TORCHTRT_CHECK(start <= end, "flatten start_dim " << start << " is after end_dim " << end);
  std::vector<std::vector<int64_t>> groups;
  for (int64_t i = 0; i < start; ++i) groups.push_back({i});
  groups.emplace_back();
  for (int64_t i = start; i <= end; ++i) groups.back().push_back(i);
  for (int64_t i = end + 1; i < rank; ++i) groups.push_back({i});
  return bindTensor(ctx, n, shape::regroup(ctx, in, groups, util::node_info(n))) != nullptr;
}

bool view(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  if (shape::isRunTimeSizes(a[1])) {  // sizes computed from dynamic dimensions
    trt::ITensor* sizes = shape::sizesTensor(ctx, a[1], util::node_info(n) + " [sizes]");
    return bindTensor(ctx, n, shape::reshapeTo(ctx, in, sizes, util::node_info(n))) != nullptr;
  }
  auto shape = a[1].unwrapToIntList().vec();
  auto* layer = ctx->net->addShuffle(*in);
  layer->setZeroIsPlaceholder(false);
  layer->setReshapeDimensions(util::toDims(shape));
  return bindOutput(ctx, n, layer) != nullptr;
}

// view_as / reshape_as: self with other's shape (read at run time where other's is dynamic).
bool reshapeAs(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  std::vector<int64_t> shape;
  if (a[1].isIValue()) {
    shape = a[1].unwrapToTensor().sizes().vec();
  } else {
    trt::ITensor* other = a[1].ITensor();
    if (!other->getDimensions().isStatic())
      return bindTensor(ctx, n, shape::reshapeTo(ctx, in, shape::shapeOf(ctx, other, name + " [shape]"), name)) !=
             nullptr;
    shape = util::toVec(other->getDimensions());
  }
  return bindTensor(ctx, n, reshape(ctx, in, shape, name)) != nullptr;
}

bool permute(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto order = a[1].unwrapToIntList().vec();
  TORCHTRT_CHECK(static_cast<int64_t>(order.size()) == rankOf(in),
                 "permute order has " << order.size() << " entries for a rank-" << rankOf(in) << " tensor");
  for (auto& d : order) d = util::normalizeDim(d, rankOf(in), n);
  auto* layer = ctx->net->addShuffle(*in);
  layer->setFirstTranspose(toPermutation(order));
  return bindOutput(ctx, n, layer) != nullptr;
}

bool transpose(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  const int64_t rank = rankOf(in);
  if (rank == 0) return bindTensor(ctx, n, in) != nullptr;
  int64_t d0 = util::normalizeDim(a[1].unwrapToInt(), rank, n), d1 = util::normalizeDim(a[2].unwrapToInt(), rank, n);
  std::vector<int64_t> order(rank);
  for (int64_t i = 0; i < rank; ++i) order[i] = i;
  std::swap(order[d0], order[d1]);
  auto* layer = ctx->net->addShuffle(*in);
  layer->setFirstTranspose(toPermutation(order));
  return bindOutput(ctx, n, layer) != nullptr;
}

bool t(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(in) <= 2, "aten::t expects a tensor of rank <= 2, got " << in->getDimensions().str());
  if (rankOf(in) < 2) return bindTensor(ctx, n, in) != nullptr;
  auto* layer = ctx->net->addShuffle(*in);
  layer->setFirstTranspose(toPermutation({1, 0}));
  return bindOutput(ctx, n, layer) != nullptr;
}

bool unsqueeze(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()) + 1, n);
  std::vector<std::vector<int64_t>> groups;
  for (int64_t i = 0; i < static_cast<int64_t>(dims.size()); ++i) groups.push_back({i});
  groups.insert(groups.begin() + dim, std::vector<int64_t>{});
  return bindTensor(ctx, n, shape::regroup(ctx, in, groups, util::node_info(n))) != nullptr;
}

bool squeeze(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  const int64_t rank = static_cast<int64_t>(dims.size());
  std::vector<bool> drop(rank, false);
  if (a.size() == 1) {
    for (int64_t i = 0; i < rank; ++i) {
      TORCHTRT_CHECK(dims[i] >= 0,
                     "squeeze without dims on a dynamic shape " << in->getDimensions().str() << " is ambiguous");
      drop[i] = dims[i] == 1;
    }
  } else {
    std::vector<int64_t> which;
    if (a[1].IValue()->isInt())
      which.push_back(a[1].unwrapToInt());
    else
      which = a[1].unwrapToIntList().vec();
    for (int64_t d : which) {
      if (rank == 0) continue;
      int64_t k = util::normalizeDim(d, rank, n);
      // PyTorch drops the dimension only where its size is 1 when it runs: of a dynamic one the engine would fix
      // the answer at build time (the rank cannot follow the call), so it is refused.
      TORCHTRT_CHECK(dims[k] >= 0, "Unable to convert node: "
                                       << util::node_info(n) << "\nsqueeze of dimension " << k
                                       << ", which is dynamic in " << in->getDimensions().str()
                                       << ": PyTorch removes it only when its size is 1 at run time, and an engine's "
                                          "output rank is fixed; make that dimension static in the Input, or run "
                                          "it in TorchScript (require_full_compilation=False)");
      drop[k] = dims[k] == 1;
    }
  }
  std::vector<std::vector<int64_t>> groups;
  for (int64_t i = 0; i < rank; ++i)
    if (!drop[i]) groups.push_back({i});
  return bindTensor(ctx, n, shape::regroup(ctx, in, groups, util::node_info(n))) != nullptr;
}

auto shuffleRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::flatten.using_ints(Tensor self, int start_dim=0, int end_dim=-1) -> (Tensor)", flatten})
        .pattern({"aten::view(Tensor(a) self, int[] size) -> (Tensor(a))", view})
        .pattern({"aten::reshape(Tensor(a) self, int[] shape) -> (Tensor(a))", view})
        .pattern({"aten::view_as(Tensor(a) self, Tensor other) -> Tensor(a)", reshapeAs})
        .pattern({"aten::reshape_as(Tensor(a) self, Tensor other) -> Tensor(a)", reshapeAs})
        .pattern({"aten::permute(Tensor(a) self, int[] dims) -> (Tensor(a))", permute})
        .pattern({"aten::transpose.int(Tensor(a) self, int dim0, int dim1) -> (Tensor(a))", transpose})
        .pattern({"aten::transpose_(Tensor(a!) self, int dim0, int dim1) -> Tensor(a!)", transpose})
        .pattern({"aten::t(Tensor(a) self) -> (Tensor(a))", t})
        .pattern({"aten::t_(Tensor(a!) self) -> Tensor(a!)", t})
        .pattern({"aten::unsqueeze(Tensor(a) self, int dim) -> (Tensor(a))", unsqueeze})
        .pattern({"aten::unsqueeze_(Tensor(a!) self, int dim) -> Tensor(a!)", unsqueeze})
        .pattern({"aten::squeeze(Tensor(a) self) -> (Tensor(a))", squeeze})
        .pattern({"aten::squeeze.dim(Tensor(a) self, int dim) -> (Tensor(a))", squeeze})
        .pattern({"aten::squeeze.dims(Tensor(a) self, int[] dim) -> (Tensor(a))", squeeze})
        .pattern({"aten::squeeze_(Tensor(a!) self) -> Tensor(a!)", squeeze})
        .pattern({"aten::squeeze_.dim(Tensor(a!) self, int dim) -> Tensor(a!)", squeeze})
        .pattern({"aten::squeeze_.dims(Tensor(a!) self, int[] dim) -> Tensor(a!)", squeeze});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
