// slice, narrow, select, chunk, split, unbind, expand, repeat, repeat_interleave, meshgrid: strided slices,
// broadcasts, gathers and concatenations.
#include "core/conversion/converters/converter_util.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

std::vector<int64_t> staticDims(const torch::jit::Node* n, trt::ITensor* t) {
  requireStaticShape(n, t, "the input");
  return util::toVec(t->getDimensions());
}

bool slice(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  const int64_t size = dims[dim];
  int64_t step = a[4].unwrapToInt();
  TORCHTRT_CHECK(step > 0, "slice step must be positive, got " << step);
  // Python slicing: negative indices count from the end, out-of-range bounds clamp.
  int64_t start = a[2].isNone() ? 0 : a[2].unwrapToInt();
  int64_t end = a[3].isNone() ? size : a[3].unwrapToInt();
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::min(std::max<int64_t>(start, 0), size);
  end = std::min(std::max<int64_t>(end, start), size);
  int64_t length = (end - start + step - 1) / step;
  ctx->AssociateValueAndTensor(n->outputs()[0],
                               sliceAlong(ctx, in, dim, length ? start : 0, length, step, util::node_info(n)));
  return true;
}

bool narrow(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  int64_t start = a[2].unwrapToInt(), length = a[3].unwrapToInt();
  if (start < 0) start += dims[dim];
  TORCHTRT_CHECK(
      start >= 0 && length >= 0 && start + length <= dims[dim],
      "narrow(" << start << ", " << length << ") is out of range for dimension " << dim << " of size " << dims[dim]);
  ctx->AssociateValueAndTensor(n->outputs()[0], sliceAlong(ctx, in, dim, start, length, 1, util::node_info(n)));
  return true;
}

bool select(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  int64_t index = a[2].unwrapToInt();
  if (index < 0) index += dims[dim];
  TORCHTRT_CHECK(index >= 0 && index < dims[dim], "select index " << a[2].unwrapToInt()
                                                                  << " is out of range for dimension " << dim
                                                                  << " of size " << dims[dim]);
  trt::ITensor* s = sliceAlong(ctx, in, dim, index, 1, 1, util::node_info(n));
  dims.erase(dims.begin() + dim);
  ctx->AssociateValueAndTensor(n->outputs()[0], reshape(ctx, s, dims, util::node_info(n) + " [drop dim]"));
  return true;
}

// Binds the pieces of `in` along `dim` with the given sizes to the node's list output.
bool splitInto(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, int64_t dim,
               const std::vector<int64_t>& sizes, bool squeeze) {
  auto dims = util::toVec(in->getDimensions());
  std::vector<trt::ITensor*> pieces;
  int64_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    trt::ITensor* p = sliceAlong(ctx, in, dim, sizes[i] ? offset : 0, sizes[i], 1,
                                 util::node_info(n) + " [" + std::to_string(i) + "]");
    if (squeeze) {
      auto d = dims;
      d.erase(d.begin() + dim);
      p = reshape(ctx, p, d, util::node_info(n) + " [squeeze " + std::to_string(i) + "]");
    }
    pieces.push_back(p);
    offset += sizes[i];
  }
  TORCHTRT_CHECK(offset == dims[dim],
                 "split sizes add up to " << offset << " but dimension " << dim << " has size " << dims[dim]);
  ctx->tensor_list_map[n->outputs()[0]] = pieces;
  return true;
}

bool chunk(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  int64_t chunks = a[1].unwrapToInt();
  int64_t dim = util::normalizeDim(a[2].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  TORCHTRT_CHECK(chunks > 0, "chunk needs a positive number of chunks");
  int64_t each = (dims[dim] + chunks - 1) / chunks;  // PyTorch: ceil division, last chunk smaller
  std::vector<int64_t> sizes;
  for (int64_t left = dims[dim]; left > 0; left -= each) sizes.push_back(std::min(each, left));
  if (sizes.empty()) sizes.push_back(0);
  return splitInto(ctx, n, in, dim, sizes, false);
}

bool split(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  int64_t dim = util::normalizeDim(a[2].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  std::vector<int64_t> sizes;
  if (a[1].IValue()->isInt()) {
    int64_t each = a[1].unwrapToInt();
    TORCHTRT_CHECK(each > 0, "split size must be positive");
    for (int64_t left = dims[dim]; left > 0; left -= each) sizes.push_back(std::min(each, left));
  } else {
    sizes = a[1].unwrapToIntList().vec();
  }
  return splitInto(ctx, n, in, dim, sizes, false);
}

bool unbind(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  return splitInto(ctx, n, in, dim, std::vector<int64_t>(dims[dim], 1), true);
}

bool expand(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  requireStaticShape(n, in, "the input");
  ctx->AssociateValueAndTensor(n->outputs()[0], expandTo(ctx, in, a[1].unwrapToIntList().vec(), util::node_info(n)));
  return true;
}

bool expandAs(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  std::vector<int64_t> target =
      a[1].isITensor() ? util::toVec(a[1].ITensor()->getDimensions()) : a[1].unwrapToTensor().sizes().vec();
  requireStaticShape(n, in, "the input");
  ctx->AssociateValueAndTensor(n->outputs()[0], expandTo(ctx, in, target, util::node_info(n)));
  return true;
}

bool repeat(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  auto repeats = a[1].unwrapToIntList().vec();
  TORCHTRT_CHECK(repeats.size() >= dims.size(),
                 "repeat needs at least as many repeats (" << repeats.size() << ") as dims (" << dims.size() << ")");
  if (repeats.size() > dims.size()) {
    dims.insert(dims.begin(), repeats.size() - dims.size(), 1);
    in = reshape(ctx, in, dims, util::node_info(n) + " [add dims]");
  }
  trt::ITensor* out = in;
  for (size_t d = 0; d < repeats.size(); ++d) {
    TORCHTRT_CHECK(repeats[d] >= 0, "repeat count " << repeats[d] << " is negative");
    if (repeats[d] == 1) continue;
    if (repeats[d] == 0) {
      auto zero = util::toVec(out->getDimensions());
      out = sliceAlong(ctx, out, static_cast<int64_t>(d), 0, 0, 1, util::node_info(n) + " [empty]");
      continue;
    }
    std::vector<trt::ITensor*> copies(repeats[d], out);
    auto* cat = ctx->net->addConcatenation(copies.data(), static_cast<int32_t>(copies.size()));
    cat->setAxis(static_cast<int32_t>(d));
    cat->setName((util::node_info(n) + " [dim " + std::to_string(d) + "]").c_str());
    out = cat->getOutput(0);
  }
  ctx->AssociateValueAndTensor(n->outputs()[0], out == in ? ctx->net->addIdentity(*in)->getOutput(0) : out);
  return true;
}

// repeat_interleave(x, r, dim): slice i along dim repeated r (or r[i]) times in place, as a gather
// with a constant index [0,..,0, 1,..,1, ...]; without dim, over the flattened input.
bool repeatInterleave(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = staticDims(n, in);
  // Counts: one int, or a tensor known at compile time (one count per slice, or a single count).
  std::vector<int64_t> counts;
  if (a[1].isIValue() && a[1].IValue()->isInt()) {
    counts.push_back(a[1].unwrapToInt());
  } else {
    TORCHTRT_CHECK(a[1].isIValue() && a[1].IValue()->isTensor(),
                   "repeat_interleave with counts computed at run time has no converter: " << util::node_info(n));
    at::Tensor r = a[1].IValue()->toTensor().to(at::kLong).flatten().contiguous();
    counts.assign(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
  }
  for (int64_t c : counts)
    TORCHTRT_CHECK(c >= 0, "repeat_interleave count " << c << " is negative: " << util::node_info(n));
  int64_t dim = 0;
  if (a[2].isNone()) {
    int64_t total = 1;
    for (int64_t d : dims) total *= d;
    in = reshape(ctx, in, {total}, util::node_info(n) + " [flatten]");
    dims = {total};
  } else {
    dim = util::normalizeDim(a[2].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  }
  TORCHTRT_CHECK(
      counts.size() == 1 || static_cast<int64_t>(counts.size()) == dims[dim],
      "repeat_interleave has " << counts.size() << " counts for " << dims[dim] << " slices: " << util::node_info(n));
  std::vector<int32_t> index;
  for (int64_t i = 0; i < dims[dim]; ++i)
    for (int64_t r = 0; r < counts[counts.size() == 1 ? 0 : i]; ++r) index.push_back(static_cast<int32_t>(i));
  at::Tensor indexTensor = at::tensor(index, at::kInt);
  if (index.empty()) indexTensor = at::empty({0}, at::kInt);
  auto* gather = ctx->net->addGather(*in, *ctx->constantTensor(indexTensor, util::node_info(n) + " [index]"),
                                     static_cast<int32_t>(dim));
  return bindOutput(ctx, n, gather) != nullptr;
}

// meshgrid(tensors, indexing): each 1-D input viewed along its own axis and expanded to the grid
// ("ij", the default, puts input i on axis i; "xy" swaps the first two axes).
bool meshgrid(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  auto tensors = a[0].unwrapToITensorList(ctx);
  const std::string indexing = a.size() > 1 ? a[1].unwrapToString() : "ij";
  TORCHTRT_CHECK(indexing == "ij" || indexing == "xy",
                 "meshgrid indexing must be 'ij' or 'xy', got '" << indexing << "': " << util::node_info(n));
  const size_t count = tensors.size();
  std::vector<int64_t> sizes;
  for (auto* t : tensors) {
    auto d = staticDims(n, t);
    TORCHTRT_CHECK(d.size() <= 1, "meshgrid takes 0-D or 1-D tensors, got " << t->getDimensions().str());
    sizes.push_back(d.empty() ? 1 : d[0]);
  }
  std::vector<size_t> axisOf(count);
  for (size_t i = 0; i < count; ++i) axisOf[i] = i;
  if (indexing == "xy" && count >= 2) std::swap(axisOf[0], axisOf[1]);
  std::vector<int64_t> grid(count);
  for (size_t i = 0; i < count; ++i) grid[axisOf[i]] = sizes[i];
  std::vector<trt::ITensor*> outs;
  for (size_t i = 0; i < count; ++i) {
    std::vector<int64_t> view(count, 1);
    view[axisOf[i]] = sizes[i];
    trt::ITensor* t = reshape(ctx, tensors[i], view, util::node_info(n) + " [view " + std::to_string(i) + "]");
    outs.push_back(expandTo(ctx, t, grid, util::node_info(n)));
  }
  ctx->tensor_list_map[n->outputs()[0]] = outs;
  return true;
}

auto slicingRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) "
                  "-> Tensor(a)",
                  slice})
        .pattern({"aten::narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)", narrow})
        .pattern({"aten::select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)", select})
        .pattern({"aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]", chunk})
        .pattern({"aten::split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]", split})
        .pattern({"aten::split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]", split})
        .pattern({"aten::unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]", unbind})
        .pattern({"aten::expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)", expand})
        .pattern({"aten::expand_as(Tensor(a) self, Tensor other) -> Tensor(a)", expandAs})
        .pattern({"aten::repeat(Tensor self, SymInt[] repeats) -> Tensor", repeat})
        .pattern({"aten::repeat_interleave.self_int(Tensor self, SymInt repeats, int? dim=None, *, SymInt? "
                  "output_size=None) -> Tensor",
                  repeatInterleave})
        .pattern({"aten::repeat_interleave.self_Tensor(Tensor self, Tensor repeats, int? dim=None, *, SymInt? "
                  "output_size=None) -> Tensor",
                  repeatInterleave})
        .pattern({"aten::meshgrid(Tensor[] tensors) -> Tensor[]", meshgrid})
        .pattern({"aten::meshgrid.indexing(Tensor[] tensors, *, str indexing) -> Tensor[]", meshgrid});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
