// cat and stack.
#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

bool cat(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  auto tensors = a[0].unwrapToITensorList(ctx);
  TORCHTRT_CHECK(!tensors.empty(), "aten::cat of an empty list");
  // As torch.cat: 1-D empty tensors (shape (0,), e.g. an empty key/value cache) are skipped.
  std::vector<trt::ITensor*> kept;
  for (auto* t : tensors) {
    const trt::Dims d = t->getDimensions();
    if (!(d.nbDims == 1 && d.d[0] == 0)) kept.push_back(t);
  }
  if (kept.empty()) return bindTensor(ctx, n, tensors[0]) != nullptr;
  if (kept.size() < tensors.size() && kept.size() == 1)
    return bindTensor(ctx, n, castTo(ctx, kept[0], promotedListType(n, tensors), util::node_info(n) + " [cast]")) !=
           nullptr;
  // torch.cat promotes its inputs to their common type (the skipped empty ones count too).
  const trt::DataType type = promotedListType(n, tensors);
  tensors = kept;
  const int64_t rank = rankOf(tensors[0]);
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rank, n);
  for (auto*& t : tensors) t = castTo(ctx, t, type, util::node_info(n) + " [cast]");
  auto* layer = ctx->net->addConcatenation(tensors.data(), static_cast<int32_t>(tensors.size()));
  layer->setAxis(static_cast<int32_t>(dim));
  return bindOutput(ctx, n, layer) != nullptr;
}

bool stack(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  auto tensors = a[0].unwrapToITensorList(ctx);
  TORCHTRT_CHECK(!tensors.empty(), "aten::stack of an empty list");
  tensors = promotedList(ctx, n, tensors);  // torch.stack promotes as torch.cat does
  const int64_t rank = rankOf(tensors[0]);
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rank + 1, n);
  for (auto*& t : tensors) {
    auto dims = util::toVec(t->getDimensions());
    dims.insert(dims.begin() + dim, 1);
    t = reshape(ctx, castTo(ctx, t, tensors[0]->getType(), util::node_info(n) + " [cast]"), dims,
                util::node_info(n) + " [unsqueeze]");
  }
  auto* layer = ctx->net->addConcatenation(tensors.data(), static_cast<int32_t>(tensors.size()));
  layer->setAxis(static_cast<int32_t>(dim));
  return bindOutput(ctx, n, layer) != nullptr;
}

auto concatRegistrations = RegisterNodeConversionPatterns()
                               .pattern({"aten::cat(Tensor[] tensors, int dim=0) -> (Tensor)", cat})
                               .pattern({"aten::stack(Tensor[] tensors, int dim=0) -> (Tensor)", stack});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
