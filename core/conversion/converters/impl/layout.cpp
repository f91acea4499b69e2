// Layout ops built from slices, shuffles and concatenations: flip, roll, unflatten, pixel_shuffle.
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

trt::ITensor* slice(ConversionCtx* ctx, trt::ITensor* in, std::vector<int64_t> start, std::vector<int64_t> size,
                    std::vector<int64_t> stride, const std::string& name) {
  auto* l = ctx->net->addSlice(*in, util::toDims(start), util::toDims(size), util::toDims(stride));
  l->setName(name.c_str());
  return l->getOutput(0);
}

bool flip(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  const std::string name = util::node_info(n);
  std::vector<int64_t> start(dims.size(), 0), stride(dims.size(), 1);
  std::vector<bool> flipped(dims.size(), false);
  for (int64_t d : a[1].unwrapToIntList().vec()) {
    int64_t k = util::normalizeDim(d, static_cast<int64_t>(dims.size()), n);
    flipped[k] = true;
    start[k] = dims[k] > 0 ? dims[k] - 1 : 0;
    stride[k] = -1;
  }
  if (in->getDimensions().isStatic()) return bindTensor(ctx, n, slice(ctx, in, start, dims, stride, name)) != nullptr;
  // Dynamic dims: a flipped one starts at its run-time size - 1.
  std::vector<trt::ITensor*> starts;
  for (size_t k = 0; k < dims.size(); ++k) {
    trt::ITensor* first = shape::int64Vector(ctx, {start[k]}, name + " [start]");
    if (flipped[k] && dims[k] < 0)
      first = shape::arith(ctx, trt::ElementWiseOperation::kSUB,
                           shape::asElement(ctx, shape::dimension(ctx, in, k, name + " [size]"), name),
                           shape::int64Vector(ctx, {1}, name + " [1]"), name + " [last]");
    starts.push_back(first);
  }
  trt::ITensor* startTensor = shape::concat(ctx, starts, name + " [starts]");
  return bindTensor(ctx, n,
                    shape::slice(ctx, in, startTensor, shape::shapeOf(ctx, in, name + " [sizes]"), stride, name)) !=
         nullptr;
}

// roll of a dynamic dim: the shift reduced modulo the run-time size (Python's modulo, a size of 0
// taken as 1), then the same two slices with run-time starts and lengths.
trt::ITensor* rollDynamicDim(ConversionCtx* ctx, trt::ITensor* x, int64_t d, int64_t shift, const std::string& name) {
  using Op = trt::ElementWiseOperation;
  auto constant = [&](int64_t v) { return shape::int64Vector(ctx, {v}, name + " [" + std::to_string(v) + "]"); };
  trt::ITensor* size = shape::asElement(ctx, shape::dimension(ctx, x, d, name + " [size]"), name);
  trt::ITensor* divisor = shape::arith(ctx, Op::kMAX, size, constant(1), name + " [divisor]");
  trt::ITensor* quotient = shape::arith(ctx, Op::kFLOOR_DIV, constant(shift), divisor, name + " [quotient]");
  trt::ITensor* s =
      shape::arith(ctx, Op::kSUB, constant(shift),
                   shape::arith(ctx, Op::kPROD, quotient, divisor, name + " [multiple]"), name + " [shift]");
  trt::ITensor* rest = shape::arith(ctx, Op::kSUB, size, s, name + " [rest]");
  const int64_t rank = rankOf(x);
  std::vector<trt::ITensor*> headStart;
  for (int64_t k = 0; k < rank; ++k) headStart.push_back(k == d ? rest : constant(0));
  const std::vector<int64_t> one(rank, 1);
  trt::ITensor* parts[] = {
      shape::slice(ctx, x, shape::concat(ctx, headStart, name + " [head start]"),
                   shape::shapeOf(ctx, x, name + " [head size]", {{d, s}}), one, name + " [head]"),
      shape::slice(ctx, x, shape::int64Vector(ctx, std::vector<int64_t>(rank, 0), name + " [tail start]"),
                   shape::shapeOf(ctx, x, name + " [tail size]", {{d, rest}}), one, name + " [tail]")};
  auto* cat = ctx->net->addConcatenation(parts, 2);
  cat->setAxis(static_cast<int32_t>(d));
  cat->setName(name.c_str());
  return cat->getOutput(0);
}

// roll(x, s, d) = cat(x[size-s:], x[:size-s]) along d, for each (shift, dim) pair.
bool roll(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  auto shifts = a[1].unwrapToIntList().vec();
  auto dimsArg = a[2].unwrapToIntList().vec();
  TORCHTRT_CHECK(!dimsArg.empty() && shifts.size() == dimsArg.size(),
                 "roll without dims (flattened) has no converter yet");
  for (size_t i = 0; i < shifts.size(); ++i) {
    auto dims = util::toVec(x->getDimensions());
    int64_t d = util::normalizeDim(dimsArg[i], static_cast<int64_t>(dims.size()), n);
    int64_t size = dims[d];
    if (!x->getDimensions().isStatic()) {  // slices whose other dims are run-time sizes too
      x = rollDynamicDim(ctx, x, d, shifts[i], util::node_info(n) + " [dim " + std::to_string(d) + "]");
      continue;
    }
    if (size == 0) continue;
    int64_t s = ((shifts[i] % size) + size) % size;
    if (s == 0) continue;
    std::vector<int64_t> zero(dims.size(), 0), one(dims.size(), 1), headStart = zero, headSize = dims, tailSize = dims;
    headStart[d] = size - s;
    headSize[d] = s;
    tailSize[d] = size - s;
    trt::ITensor* parts[] = {slice(ctx, x, headStart, headSize, one, util::node_info(n) + " [head]"),
                             slice(ctx, x, zero, tailSize, one, util::node_info(n) + " [tail]")};
    auto* cat = ctx->net->addConcatenation(parts, 2);
    cat->setAxis(static_cast<int32_t>(d));
    x = cat->getOutput(0);
  }
  ctx->AssociateValueAndTensor(n->outputs()[0],
                               x == a[0].ITensorOrFreeze(ctx) ? ctx->net->addIdentity(*x)->getOutput(0) : x);
  return true;
}

// unflatten of a tensor with dynamic dimensions: the reshape's sizes are the other dimensions read
// at run time around the given sizes (one of which may be -1).
bool unflattenAtRunTime(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, int64_t d,
                        const std::vector<int64_t>& sizes) {
  const std::string name = util::node_info(n);
  std::vector<trt::ITensor*> parts;
  for (int64_t i = 0; i < rankOf(in); ++i) {
    if (i == d)
      parts.push_back(shape::int64Vector(ctx, sizes, name + " [sizes]"));
    else
      parts.push_back(shape::asElement(ctx, shape::dimension(ctx, in, i, name + " [size]"), name));
  }
  return bindTensor(ctx, n, shape::reshapeTo(ctx, in, shape::concat(ctx, parts, name + " [target]"), name)) != nullptr;
}

bool unflatten(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  int64_t d = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  auto sizes = a[2].unwrapToIntList().vec();
  if (!in->getDimensions().isStatic()) return unflattenAtRunTime(ctx, n, in, d, sizes);
  int64_t known = 1, unknown = -1;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (sizes[i] == -1)
      unknown = static_cast<int64_t>(i);
    else
      known *= sizes[i];
  }
  if (unknown >= 0) sizes[unknown] = known ? dims[d] / known : 0;
  std::vector<int64_t> out(dims.begin(), dims.begin() + d);
  out.insert(out.end(), sizes.begin(), sizes.end());
  out.insert(out.end(), dims.begin() + d + 1, dims.end());
  ctx->AssociateValueAndTensor(n->outputs()[0], reshape(ctx, in, out, util::node_info(n)));
  return true;
}

// [N, C*r*r, H, W] -> [N, C, r, r, H, W] -> permute (0,1,4,2,5,3) -> [N, C, H*r, W*r]; with dynamic
// N, H or W the two reshapes read them at run time.
bool pixelShuffle(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto d = util::toVec(in->getDimensions());
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(d.size() == 4, "pixel_shuffle expects a 4-D input, got " << in->getDimensions().str() << ": " << name);
  TORCHTRT_CHECK(d[1] >= 0,
                 "pixel_shuffle needs a static channel dimension, got " << in->getDimensions().str() << ": " << name);
  int64_t r = a[1].unwrapToInt();
  TORCHTRT_CHECK(r > 0 && d[1] % (r * r) == 0, "pixel_shuffle: channels "
                                                   << d[1] << " do not divide by upscale_factor^2 = " << r * r << ": "
                                                   << name);
  const int64_t c = d[1] / (r * r);
  if (in->getDimensions().isStatic()) {
    auto* s = ctx->net->addShuffle(*in);
    s->setZeroIsPlaceholder(false);
    s->setReshapeDimensions(util::toDims(std::vector<int64_t>{d[0], c, r, r, d[2], d[3]}));
    s->setSecondTranspose(toPermutation({0, 1, 4, 2, 5, 3}));
    s->setName((name + " [split channels]").c_str());
    return bindTensor(ctx, n, reshape(ctx, s->getOutput(0), {d[0], c, d[2] * r, d[3] * r}, name)) != nullptr;
  }
  trt::ITensor* sizes[4];
  for (int64_t k : {0, 2, 3}) sizes[k] = shape::asElement(ctx, shape::dimension(ctx, in, k, name + " [size]"), name);
  auto size = [&](int64_t k) { return sizes[k]; };
  trt::ITensor* factor = shape::int64Vector(ctx, {r}, name + " [r]");
  trt::ITensor* split = shape::reshapeTo(
      ctx, in,
      shape::concat(ctx, {size(0), shape::int64Vector(ctx, {c, r, r}, name + " [c r r]"), size(2), size(3)},
                    name + " [split sizes]"),
      name + " [split channels]");
  trt::ITensor* moved = transposed(ctx, split, {0, 1, 4, 2, 5, 3}, name + " [interleave]");
  using Op = trt::ElementWiseOperation;
  trt::ITensor* merged = shape::concat(ctx,
                                       {size(0), shape::int64Vector(ctx, {c}, name + " [c]"),
                                        shape::arith(ctx, Op::kPROD, size(2), factor, name + " [h r]"),
                                        shape::arith(ctx, Op::kPROD, size(3), factor, name + " [w r]")},
                                       name + " [merged sizes]");
  return bindTensor(ctx, n, shape::reshapeTo(ctx, moved, merged, name)) != nullptr;
}

auto layoutRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::flip(Tensor self, int[] dims) -> Tensor", flip})
        .pattern({"aten::roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor", roll})
        .pattern({"aten::unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)", unflatten})
        .pattern({"aten::pixel_shuffle(Tensor self, int upscale_factor) -> Tensor", pixelShuffle});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
