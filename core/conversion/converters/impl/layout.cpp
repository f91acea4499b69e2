// Layout ops built from slices, shuffles and concatenations: flip, roll, unflatten, pixel_shuffle / pixel_unshuffle.
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
  if (dims.empty()) {  // a 0-dim tensor (dim 0 or -1): itself, as in PyTorch (its dims had been indexed: SIGSEGV)
    for (int64_t d : a[1].unwrapToIntList().vec()) util::normalizeDim(d, 0, n);
    return bindOutput(ctx, n, ctx->net->addIdentity(*in)) != nullptr;
  }
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

// roll(x, s, d)[i] = x[(i - s) mod size] along d, for each (shift, dim) pair: with static dims one
// slice that starts at size - s and wraps around (SampleMode::kWRAP), every rolled dim at once (Swin's
// shifted windows roll two dims: one kernel instead of four slices and two concatenations); with
// dynamic dims two slices and a concatenation a dim, their bounds computed at run time.
bool roll(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  auto shifts = a[1].unwrapToIntList().vec();
  auto dimsArg = a[2].unwrapToIntList().vec();
  TORCHTRT_CHECK(!dimsArg.empty() && shifts.size() == dimsArg.size(),
                 "roll without dims (flattened) has no converter yet");
  const std::string name = util::node_info(n);
  if (x->getDimensions().isStatic()) {
    const auto dims = util::toVec(x->getDimensions());
    std::vector<int64_t> start(dims.size(), 0);
    bool moved = false;
    for (size_t i = 0; i < shifts.size(); ++i) {
      const int64_t d = util::normalizeDim(dimsArg[i], static_cast<int64_t>(dims.size()), n);
      if (dims[d] == 0) continue;
      start[d] = (((start[d] - shifts[i]) % dims[d]) + dims[d]) % dims[d];
      moved = moved || start[d] != 0;
    }
    if (!moved) return bindTensor(ctx, n, ctx->net->addIdentity(*x)->getOutput(0)) != nullptr;
    auto* l = ctx->net->addSlice(*x, util::toDims(start), util::toDims(dims),
                                 util::toDims(std::vector<int64_t>(dims.size(), 1)));
    l->setMode(trt::SampleMode::kWRAP);
    l->setName(name.c_str());
    return bindTensor(ctx, n, l->getOutput(0)) != nullptr;
  }
  for (size_t i = 0; i < shifts.size(); ++i) {
    const int64_t d = util::normalizeDim(dimsArg[i], rankOf(x), n);
    x = rollDynamicDim(ctx, x, d, shifts[i], name + " [dim " + std::to_string(d) + "]");
  }
  return bindTensor(ctx, n, x) != nullptr;
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

// pixel_shuffle: [*, C*r*r, H, W] -> [*, C, r, r, H, W] -> [*, C, H, r, W, r] -> [*, C, H*r, W*r];
// pixel_unshuffle the reverse: [*, C, H*r, W*r] -> [*, C, H, r, W, r] -> [*, C, r, r, H, W] ->
// [*, C*r*r, H, W]. Any rank >= 3, as PyTorch; dynamic leading, H and W dims are read at run time.
bool pixelShuffleOrUnshuffle(ConversionCtx* ctx, const torch::jit::Node* n, args& a, bool shuffle) {
  using Op = trt::ElementWiseOperation;
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  const auto d = util::toVec(in->getDimensions());
  const std::string name = util::node_info(n);
  const char* op = shuffle ? "pixel_shuffle" : "pixel_unshuffle";
  const int64_t rank = static_cast<int64_t>(d.size());
  TORCHTRT_CHECK(rank >= 3 && rank + 3 <= trt::Dims::MAX_DIMS, op << " expects an input of rank 3 to "
                                                                  << trt::Dims::MAX_DIMS - 3 << ", got "
                                                                  << in->getDimensions().str() << ": " << name);
  const int64_t ch = rank - 3, hd = rank - 2, wd = rank - 1;
  TORCHTRT_CHECK(d[ch] >= 0,
                 op << " needs a static channel dimension, got " << in->getDimensions().str() << ": " << name);
  const int64_t r = a[1].unwrapToInt();
  TORCHTRT_CHECK(r > 0, op << ": the factor " << r << " must be positive: " << name);
  TORCHTRT_CHECK(!shuffle || d[ch] % (r * r) == 0,
                 op << ": channels " << d[ch] << " do not divide by upscale_factor^2 = " << r * r << ": " << name);
  TORCHTRT_CHECK(shuffle || ((d[hd] < 0 || d[hd] % r == 0) && (d[wd] < 0 || d[wd] % r == 0)),
                 op << ": height and width " << in->getDimensions().str() << " do not divide by downscale_factor " << r
                    << ": " << name);
  const int64_t c = shuffle ? d[ch] / (r * r) : d[ch];
  // Sizes as pieces: a run-time dimension (maybe multiplied or divided by r) or a constant.
  const bool dynamic = !in->getDimensions().isStatic();
  auto dimPiece = [&](int64_t k, int64_t how) -> trt::ITensor* {
    trt::ITensor* size = shape::asElement(ctx, shape::dimension(ctx, in, k, name + " [size]"), name);
    if (how == 0) return size;
    return shape::arith(ctx, how == 1 ? Op::kPROD : Op::kFLOOR_DIV, size, shape::int64Vector(ctx, {r}, name + " [r]"),
                        name + " [scaled size]");
  };
  auto sizesOf = [&](const std::vector<std::pair<int64_t, int64_t>>& spec, const std::string& what) {
    // spec: (input dim, 0) for a leading dim as is, (-1, value) for a constant, (dim, 1) for dim * r,
    // (dim, 2) for dim / r.
    std::vector<trt::ITensor*> parts;
    std::vector<int64_t> values;
    for (const auto& [k, how] : spec) {
      if (k < 0) {
        values.push_back(how);
        if (dynamic) parts.push_back(shape::int64Vector(ctx, {how}, name + " [const]"));
        continue;
      }
      const int64_t v = d[k] < 0 ? -1 : how == 1 ? d[k] * r : how == 2 ? d[k] / r : d[k];
      values.push_back(v);
      if (dynamic) parts.push_back(dimPiece(k, how));
    }
    return std::make_pair(values, dynamic ? shape::concat(ctx, parts, name + " [" + what + "]") : nullptr);
  };
  auto reshaped = [&](trt::ITensor* t, const std::pair<std::vector<int64_t>, trt::ITensor*>& sizes,
                      const std::string& what) {
    return sizes.second ? shape::reshapeTo(ctx, t, sizes.second, name + " [" + what + "]")
                        : reshape(ctx, t, sizes.first, name + " [" + what + "]");
  };
  std::vector<std::pair<int64_t, int64_t>> lead;
  std::vector<int64_t> order;
  for (int64_t k = 0; k < ch; ++k) {
    lead.push_back({k, 0});
    order.push_back(k);
  }
  auto with = [&](std::vector<std::pair<int64_t, int64_t>> tail) {
    auto all = lead;
    all.insert(all.end(), tail.begin(), tail.end());
    return all;
  };
  auto permuted = [&](std::vector<int64_t> tail) {
    auto all = order;
    for (int64_t t : tail) all.push_back(ch + t);
    return all;
  };
  trt::ITensor* out;
  if (shuffle) {
    trt::ITensor* split =
        reshaped(in, sizesOf(with({{-1, c}, {-1, r}, {-1, r}, {hd, 0}, {wd, 0}}), "split sizes"), "split channels");
    trt::ITensor* moved = transposed(ctx, split, permuted({0, 3, 1, 4, 2}), name + " [interleave]");
    out = reshaped(moved, sizesOf(with({{-1, c}, {hd, 1}, {wd, 1}}), "merged sizes"), "merge");
  } else {
    trt::ITensor* split =
        reshaped(in, sizesOf(with({{-1, c}, {hd, 2}, {-1, r}, {wd, 2}, {-1, r}}), "split sizes"), "split spatial");
    trt::ITensor* moved = transposed(ctx, split, permuted({0, 2, 4, 1, 3}), name + " [gather]");
    out = reshaped(moved, sizesOf(with({{-1, c * r * r}, {hd, 2}, {wd, 2}}), "merged sizes"), "merge");
  }
  return bindTensor(ctx, n, out) != nullptr;
}

auto layoutRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::flip(Tensor self, int[] dims) -> Tensor", flip})
        .pattern({"aten::roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor", roll})
        .pattern({"aten::unflatten.int(Tensor(a) self, int dim, SymInt[] sizes) -> Tensor(a)", unflatten})
        .pattern({"aten::pixel_shuffle(Tensor self, int upscale_factor) -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return pixelShuffleOrUnshuffle(ctx, n, a, true);
                  }})
        .pattern({"aten::pixel_unshuffle(Tensor self, int downscale_factor) -> Tensor",
                  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool {
                    return pixelShuffleOrUnshuffle(ctx, n, a, false);
                  }});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
