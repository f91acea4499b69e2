// slice, narrow, select, chunk, split, unbind, expand, repeat, repeat_interleave, meshgrid: strided slices,
// broadcasts, gathers and concatenations.
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// The dims of `t`, whose dimension `dim` must be static; the others may be dynamic (slices then take
// their sizes from shape tensors).
std::vector<int64_t> staticAlong(const torch::jit::Node* n, trt::ITensor* t, int64_t dim) {
  auto dims = util::toVec(t->getDimensions());
  TORCHTRT_CHECK(dims[dim] >= 0, "Unable to convert node: " << util::node_info(n) << "\nits dimension " << dim << " of "
                                                            << t->getDimensions().str()
                                                            << " must be static (set it in the Input's shape range)");
  return dims;
}

// The same with `dim` an int argument (normalized into *dim).
std::vector<int64_t> dimsStaticAlong(const torch::jit::Node* n, trt::ITensor* t, Var& dimArg, int64_t* dim) {
  *dim = util::normalizeDim(dimArg.unwrapToInt(), rankOf(t), n);
  return staticAlong(n, t, *dim);
}

// Python slicing of a dynamic dimension, or with bounds known only at run time: the clamped start
// and the length are computed at run time.
trt::ITensor* sliceDynamicDim(ConversionCtx* ctx, trt::ITensor* in, int64_t dim, Var& startArg, Var& endArg,
                              int64_t step, const std::string& name) {
  using Op = trt::ElementWiseOperation;
  trt::ITensor* size = shape::asElement(ctx, shape::dimension(ctx, in, dim, name + " [size]"), name);
  auto constant = [&](int64_t v) { return shape::int64Vector(ctx, {v}, name + " [" + std::to_string(v) + "]"); };
  auto clampBound = [&](Var& arg) {  // a Python bound into [0, size]
    if (arg.isITensor()) {
      // A run-time bound: size is added when it is negative (min(max(-b, 0), 1) is 1 exactly then).
      trt::ITensor* bound = shape::asElement(ctx, arg, name + " [bound]");
      trt::ITensor* negative =
          shape::arith(ctx, Op::kMIN,
                       shape::arith(ctx, Op::kMAX, shape::arith(ctx, Op::kSUB, constant(0), bound, name + " [-bound]"),
                                    constant(0), name + " [max]"),
                       constant(1), name + " [is negative]");
      bound =
          shape::arith(ctx, Op::kSUM, bound, shape::arith(ctx, Op::kPROD, negative, size, name + " [size if negative]"),
                       name + " [from the end]");
      return shape::arith(ctx, Op::kMIN, shape::arith(ctx, Op::kMAX, bound, constant(0), name + " [max]"), size,
                          name + " [min]");
    }
    const int64_t value = arg.unwrapToInt();
    if (value >= 0) return shape::arith(ctx, Op::kMIN, constant(value), size, name + " [min]");
    trt::ITensor* shifted = shape::arith(ctx, Op::kSUM, constant(value), size, name + " [+ size]");
    return shape::arith(ctx, Op::kMAX, shifted, constant(0), name + " [max]");
  };
  trt::ITensor* start = startArg.isNone() ? constant(0) : clampBound(startArg);
  trt::ITensor* end = endArg.isNone() ? size : clampBound(endArg);
  end = shape::arith(ctx, Op::kMAX, end, start, name + " [end >= start]");
  trt::ITensor* span = shape::arith(ctx, Op::kSUB, end, start, name + " [span]");
  trt::ITensor* length =
      shape::arith(ctx, Op::kFLOOR_DIV, shape::arith(ctx, Op::kSUM, span, constant(step - 1), name + " [round up]"),
                   constant(step), name + " [length]");
  std::vector<trt::ITensor*> starts;
  for (int64_t d = 0; d < rankOf(in); ++d) starts.push_back(d == dim ? start : constant(0));
  trt::ITensor* startTensor = shape::concat(ctx, starts, name + " [start]");
  trt::ITensor* sizeTensor = shape::shapeOf(ctx, in, name + " [sizes]", {{dim, length}});
  std::vector<int64_t> stride(rankOf(in), 1), zeros(rankOf(in), 0);
  stride[dim] = step;
  auto* layer = ctx->net->addSlice(*in, util::toDims(zeros), util::toDims(zeros), util::toDims(stride));
  layer->setInput(1, *startTensor);
  layer->setInput(2, *sizeTensor);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

bool slice(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto dims = util::toVec(in->getDimensions());
  int64_t dim = util::normalizeDim(a[1].unwrapToInt(), static_cast<int64_t>(dims.size()), n);
  const int64_t size = dims[dim];
  int64_t step = a[4].unwrapToInt();
  TORCHTRT_CHECK(step > 0, "slice step must be positive, got " << step);
  if (size < 0 || a[2].isITensor() || a[3].isITensor()) {  // a dynamic dimension or run-time bounds
    // The engine sizes slices from shapes it knows before the count a NonZero finds (x[mask][:k]).
    TORCHTRT_CHECK(size >= 0 || !followsDataDependentCount(in),
                   "Unable to convert node: " << util::node_info(n) << "\nslicing dimension " << dim << " of "
                                              << in->getDimensions().str()
                                              << ", whose size may be a count known only at run time (the tensor "
                                                 "is computed from nonzero or masked indexing), is not supported; it "
                                                 "runs in TorchScript (require_full_compilation=False)");
    for (int i : {2, 3})
      if (a[i].isITensor()) shape::requireShapeTensor(n, a[i].ITensor());
    ctx->AssociateValueAndTensor(n->outputs()[0], sliceDynamicDim(ctx, in, dim, a[2], a[3], step, util::node_info(n)));
    return true;
  }
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
  int64_t dim = 0;
  auto dims = dimsStaticAlong(n, in, a[1], &dim);
  int64_t start = a[2].unwrapToInt(), length = a[3].unwrapToInt();
  if (start < 0) start += dims[dim];
  TORCHTRT_CHECK(
      start >= 0 && length >= 0 && start + length <= dims[dim],
      "narrow(" << start << ", " << length << ") is out of range for dimension " << dim << " of size " << dims[dim]);
  ctx->AssociateValueAndTensor(n->outputs()[0], sliceAlong(ctx, in, dim, start, length, 1, util::node_info(n)));
  return true;
}

// narrow.Tensor: the start as a 0-dim tensor. Known at compile time, a slice; read at run time, a
// gather of start + [0, length) (a negative start counted from the end; out of range is a run-time error).
bool narrowTensor(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = util::node_info(n);
  if (a[2].isIValue()) {
    TORCHTRT_CHECK(a[2].IValue()->isTensor() && a[2].IValue()->toTensor().numel() == 1,
                   "Unable to convert node: " << name << "\nnarrow's start must be a one-element tensor");
    torch::jit::IValue start(a[2].IValue()->toTensor().item<int64_t>());
    std::vector<Var> forwarded = {a[0], a[1], Var(&start), a[3]};
    return narrow(ctx, n, forwarded);
  }
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  int64_t dim = 0;
  auto dims = dimsStaticAlong(n, in, a[1], &dim);
  const int64_t length = a[3].unwrapToInt();
  TORCHTRT_CHECK(length >= 0 && length <= dims[dim], "narrow length " << length << " is out of range for dimension "
                                                                      << dim << " of size " << dims[dim] << ": "
                                                                      << name);
  trt::ITensor* start = castTo(ctx, reshape(ctx, a[2].ITensor(), {1}, name + " [start]"), trt::DataType::kINT64,
                               name + " [start as int64]");
  start = wrappedIndex(ctx, start, dims[dim], name + " [start]");
  std::vector<int64_t> ramp(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) ramp[static_cast<size_t>(i)] = i;
  auto* offsets =
      ctx->net->addConstant(util::toDims(std::vector<int64_t>{length}), ctx->toWeights(at::tensor(ramp, at::kLong)));
  offsets->setName((name + " [offsets]").c_str());
  trt::ITensor* positions =
      addElementwise(ctx, trt::ElementWiseOperation::kSUM, start, offsets->getOutput(0), name + " [positions]")
          ->getOutput(0);
  auto* gather = ctx->net->addGather(*in, *positions, static_cast<int32_t>(dim));
  return bindOutput(ctx, n, gather) != nullptr;
}

bool select(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  const int64_t rank = rankOf(in);
  if (in->getDimensions().d[util::normalizeDim(a[1].unwrapToInt(), rank, n)] < 0) {
    // A dynamic dimension: gather one index (counted from the end at run time when negative); an
    // index outside the run-time size is refused by the gather.
    const int64_t dim = util::normalizeDim(a[1].unwrapToInt(), rank, n), index = a[2].unwrapToInt();
    const std::string name = util::node_info(n);
    trt::ITensor* position = scalarConstant(ctx, index, trt::DataType::kINT64, name + " [index]");
    if (index < 0)
      position = shape::arith(ctx, trt::ElementWiseOperation::kSUM, shape::dimension(ctx, in, dim, name + " [size]"),
                              position, name + " [from the end]");
    auto* gather = ctx->net->addGather(*in, *position, static_cast<int32_t>(dim));
    return bindOutput(ctx, n, gather) != nullptr;
  }
  int64_t dim = 0;
  auto dims = dimsStaticAlong(n, in, a[1], &dim);
  int64_t index = a[2].unwrapToInt();
  if (index < 0) index += dims[dim];
  TORCHTRT_CHECK(index >= 0 && index < dims[dim], "select index " << a[2].unwrapToInt()
                                                                  << " is out of range for dimension " << dim
                                                                  << " of size " << dims[dim]);
  trt::ITensor* s = sliceAlong(ctx, in, dim, index, 1, 1, util::node_info(n));
  ctx->AssociateValueAndTensor(n->outputs()[0], dropDim(ctx, s, dim, util::node_info(n) + " [drop dim]"));
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
    if (squeeze) p = dropDim(ctx, p, dim, util::node_info(n) + " [squeeze " + std::to_string(i) + "]");
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
  int64_t dim = 0;
  auto dims = dimsStaticAlong(n, in, a[2], &dim);
  int64_t chunks = a[1].unwrapToInt();
  TORCHTRT_CHECK(chunks > 0, "chunk needs a positive number of chunks");
  int64_t each = (dims[dim] + chunks - 1) / chunks;  // PyTorch: ceil division, last chunk smaller
  std::vector<int64_t> sizes;
  for (int64_t left = dims[dim]; left > 0; left -= each) sizes.push_back(std::min(each, left));
  if (sizes.empty()) sizes.push_back(0);
  return splitInto(ctx, n, in, dim, sizes, false);
}

bool split(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  int64_t dim = 0;
  auto dims = dimsStaticAlong(n, in, a[2], &dim);
  std::vector<int64_t> sizes;
  if (a[1].IValue()->isInt()) {
    int64_t each = a[1].unwrapToInt();
    TORCHTRT_CHECK(each > 0, "split size must be positive");
    for (int64_t left = dims[dim]; left > 0; left -= each) sizes.push_back(std::min(each, left));
    if (sizes.empty()) sizes.push_back(0);  // PyTorch: an empty dimension splits into one empty piece
  } else {
    sizes = a[1].unwrapToIntList().vec();
  }
  return splitInto(ctx, n, in, dim, sizes, false);
}

bool unbind(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  int64_t dim = 0;
  auto dims = dimsStaticAlong(n, in, a[1], &dim);
  return splitInto(ctx, n, in, dim, std::vector<int64_t>(dims[dim], 1), true);
}

// expand with sizes known at run time (or -1 keeping a dynamic dimension).
trt::ITensor* expandAtRunTime(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, Var& sizesArg) {
  const std::string name = util::node_info(n);
  trt::ITensor* sizes = nullptr;
  std::vector<int64_t> values;
  if (shape::isRunTimeSizes(sizesArg)) {
    sizes = shape::sizesTensor(ctx, sizesArg, name + " [sizes]");
    values = sizes->getShapeValues();
  } else {
    values = sizesArg.unwrapToIntList().vec();
    sizes = shape::int64Vector(ctx, values, name + " [sizes]");
  }
  const int64_t rank = static_cast<int64_t>(values.size()), lead = rank - rankOf(in);
  TORCHTRT_CHECK(lead >= 0, "expand to " << rank << " dims from " << rankOf(in) << " in " << name);
  std::vector<trt::ITensor*> target;
  for (int64_t i = 0; i < rank; ++i) {
    if (values[i] == -1) {  // keep the input's dimension
      TORCHTRT_CHECK(i >= lead, "expand: -1 is not allowed for the new leading dimension " << i << " in " << name);
      target.push_back(shape::asElement(ctx, shape::dimension(ctx, in, i - lead, name + " [kept]"), name));
    } else {
      target.push_back(shape::asElement(ctx, shape::element(ctx, sizes, i, name + " [size]"), name));
    }
  }
  return shape::broadcastTo(ctx, in, shape::concat(ctx, target, name + " [target]"), name);
}

bool expand(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  if (shape::isRunTimeSizes(a[1]) || !in->getDimensions().isStatic()) {
    ctx->AssociateValueAndTensor(n->outputs()[0], expandAtRunTime(ctx, n, in, a[1]));
    return true;
  }
  ctx->AssociateValueAndTensor(n->outputs()[0], expandTo(ctx, in, a[1].unwrapToIntList().vec(), util::node_info(n)));
  return true;
}

bool expandAs(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  std::vector<int64_t> target =
      a[1].isITensor() ? util::toVec(a[1].ITensor()->getDimensions()) : a[1].unwrapToTensor().sizes().vec();
  bool known = in->getDimensions().isStatic();
  for (int64_t d : target) known &= d >= 0;
  if (!known) {  // the other tensor's shape as it comes at run time
    const std::string name = util::node_info(n);
    return bindTensor(ctx, n,
                      shape::broadcastTo(ctx, in, shape::shapeOf(ctx, a[1].ITensor(), name + " [target]"), name)) !=
           nullptr;
  }
  ctx->AssociateValueAndTensor(n->outputs()[0], expandTo(ctx, in, target, util::node_info(n)));
  return true;
}

bool repeatBy(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* in, std::vector<int64_t> repeats) {
  auto dims = util::toVec(in->getDimensions());
  const std::string name = util::node_info(n);
  TORCHTRT_CHECK(repeats.size() >= dims.size(), "repeat needs at least as many repeats ("
                                                    << repeats.size() << ") as dims (" << dims.size() << "): " << name);
  if (repeats.size() > dims.size()) {  // leading unit dims, read from the shape where several are dynamic
    const int64_t added = static_cast<int64_t>(repeats.size() - dims.size());
    dims.insert(dims.begin(), added, 1);
    int dynamic = 0;
    for (int64_t d : dims) dynamic += d < 0;
    in = dynamic <= 1 ? reshape(ctx, in, dims, name + " [add dims]")
                      : shape::reshapeTo(ctx, in,
                                         shape::concat(ctx,
                                                       {shape::int64Vector(ctx, std::vector<int64_t>(added, 1), name),
                                                        shape::shapeOf(ctx, in, name + " [shape]")},
                                                       name + " [sizes]"),
                                         name + " [add dims]");
  }
  // Copies concatenated along each repeated dim (dynamic dims too: the concatenation adds them up).
  trt::ITensor* out = in;
  for (size_t d = 0; d < repeats.size(); ++d) {
    TORCHTRT_CHECK(repeats[d] >= 0, "repeat count " << repeats[d] << " is negative: " << name);
    if (repeats[d] == 1) continue;
    if (repeats[d] == 0) {
      out = sliceAlong(ctx, out, static_cast<int64_t>(d), 0, 0, 1, name + " [empty]");
      continue;
    }
    std::vector<trt::ITensor*> copies(repeats[d], out);
    auto* cat = ctx->net->addConcatenation(copies.data(), static_cast<int32_t>(copies.size()));
    cat->setAxis(static_cast<int32_t>(d));
    cat->setName((name + " [dim " + std::to_string(d) + "]").c_str());
    out = cat->getOutput(0);
  }
  ctx->AssociateValueAndTensor(n->outputs()[0], out == in ? ctx->net->addIdentity(*in)->getOutput(0) : out);
  return true;
}

bool repeat(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  return repeatBy(ctx, n, a[0].ITensorOrFreeze(ctx), a[1].unwrapToIntList().vec());
}

// tile(x, dims): repeat with dims padded by leading ones when it has fewer than x has.
bool tile(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  auto repeats = a[1].unwrapToIntList().vec();
  if (static_cast<int64_t>(repeats.size()) < rankOf(in))
    repeats.insert(repeats.begin(), rankOf(in) - repeats.size(), 1);
  return repeatBy(ctx, n, in, repeats);
}

// repeat_interleave(x, r, dim): slice i along dim repeated r (or r[i]) times in place; without dim,
// over the flattened input. Per-slice counts (a tensor known at compile time): a gather with a
// constant index [0,..,0, 1,..,1, ...]. One count with dynamic dims, or one computed from sizes: x
// viewed with a unit axis after dim, broadcast to r along it, and merged back (sizes at run time).
trt::ITensor* repeatEachAtRunTime(ConversionCtx* ctx, trt::ITensor* x, int64_t dim, trt::ITensor* count,
                                  const std::string& name) {
  using Op = trt::ElementWiseOperation;
  const int64_t rank = rankOf(x);
  std::vector<trt::ITensor*> unit, spread, merged;
  for (int64_t d = 0; d < rank; ++d) {
    trt::ITensor* size = shape::asElement(ctx, shape::dimension(ctx, x, d, name + " [size]"), name);
    unit.push_back(size);
    spread.push_back(size);
    merged.push_back(d == dim ? shape::arith(ctx, Op::kPROD, size, count, name + " [merged size]") : size);
    if (d == dim) {
      unit.push_back(shape::int64Vector(ctx, {1}, name + " [1]"));
      spread.push_back(count);
    }
  }
  trt::ITensor* mergedShape = shape::concat(ctx, merged, name + " [merged shape]");
  trt::ITensor* viewed = shape::reshapeTo(ctx, x, shape::concat(ctx, unit, name + " [unit axis]"), name + " [view]");
  trt::ITensor* repeated = shape::broadcastTo(ctx, viewed, shape::concat(ctx, spread, name + " [spread]"), name);
  return shape::reshapeTo(ctx, repeated, mergedShape, name + " [merge]");
}

bool repeatInterleave(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* in = a[0].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  // Counts: one int (possibly computed from sizes), or a tensor known at compile time (one count per
  // slice, or a single count). Counts read from tensor data would size the output by the data.
  std::vector<int64_t> counts;
  trt::ITensor* runTimeCount = nullptr;
  if (a[1].isITensor()) {
    trt::ITensor* t = a[1].ITensor();
    TORCHTRT_CHECK(t->getDimensions().isStatic() && t->getDimensions().volume() == 1 && !t->getShapeValues().empty(),
                   "repeat_interleave with counts read from tensor data sizes its output by the data, which has no "
                   "converter (give the counts as constants or compute one count from sizes): "
                       << name);
    runTimeCount = shape::asElement(ctx, t, name + " [count]");
  } else if (a[1].IValue()->isInt()) {
    counts.push_back(a[1].unwrapToInt());
  } else {
    TORCHTRT_CHECK(a[1].IValue()->isTensor(), "repeat_interleave counts must be an int or a tensor: " << name);
    at::Tensor r = a[1].IValue()->toTensor().to(at::kLong).flatten().contiguous();
    counts.assign(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
  }
  for (int64_t c : counts) TORCHTRT_CHECK(c >= 0, "repeat_interleave count " << c << " is negative: " << name);
  int64_t dim = 0;
  if (a[2].isNone()) {
    in = reshape(ctx, in, {-1}, name + " [flatten]");
  } else {
    dim = util::normalizeDim(a[2].unwrapToInt(), rankOf(in), n);
  }
  const auto dims = util::toVec(in->getDimensions());
  if (runTimeCount || (counts.size() == 1 && !in->getDimensions().isStatic())) {
    trt::ITensor* count = runTimeCount ? runTimeCount : shape::int64Vector(ctx, counts, name + " [count]");
    return bindTensor(ctx, n, repeatEachAtRunTime(ctx, in, dim, count, name)) != nullptr;
  }
  TORCHTRT_CHECK(dims[dim] >= 0, "repeat_interleave with one count per slice needs dimension "
                                     << dim << " of " << in->getDimensions().str() << " static: " << name);
  TORCHTRT_CHECK(counts.size() == 1 || static_cast<int64_t>(counts.size()) == dims[dim],
                 "repeat_interleave has " << counts.size() << " counts for " << dims[dim] << " slices: " << name);
  std::vector<int32_t> index;
  for (int64_t i = 0; i < dims[dim]; ++i)
    for (int64_t r = 0; r < counts[counts.size() == 1 ? 0 : i]; ++r) index.push_back(static_cast<int32_t>(i));
  at::Tensor indexTensor = at::tensor(index, at::kInt);
  if (index.empty()) indexTensor = at::empty({0}, at::kInt);
  auto* gather =
      ctx->net->addGather(*in, *ctx->constantTensor(indexTensor, name + " [index]"), static_cast<int32_t>(dim));
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
  bool dynamic = false;
  for (auto* t : tensors) {
    auto d = util::toVec(t->getDimensions());
    TORCHTRT_CHECK(d.size() <= 1, "meshgrid takes 0-D or 1-D tensors, got " << t->getDimensions().str());
    sizes.push_back(d.empty() ? 1 : d[0]);
    dynamic |= sizes.back() < 0;
  }
  std::vector<size_t> axisOf(count);
  for (size_t i = 0; i < count; ++i) axisOf[i] = i;
  if (indexing == "xy" && count >= 2) std::swap(axisOf[0], axisOf[1]);
  std::vector<int64_t> grid(count);
  for (size_t i = 0; i < count; ++i) grid[axisOf[i]] = sizes[i];
  // With a run-time length, the grid's shape is read from the inputs at run time.
  trt::ITensor* gridShape = nullptr;
  if (dynamic) {
    const std::string name = util::node_info(n) + " [grid]";
    std::vector<trt::ITensor*> lengths(count);
    for (size_t i = 0; i < count; ++i)
      lengths[axisOf[i]] = rankOf(tensors[i]) == 0
                               ? shape::int64Vector(ctx, {1}, name)
                               : shape::asElement(ctx, shape::dimension(ctx, tensors[i], 0, name), name);
    gridShape = shape::concat(ctx, lengths, name);
  }
  std::vector<trt::ITensor*> outs;
  for (size_t i = 0; i < count; ++i) {
    std::vector<int64_t> view(count, 1);
    view[axisOf[i]] = sizes[i];  // at most one -1: the reshape infers it
    trt::ITensor* t = reshape(ctx, tensors[i], view, util::node_info(n) + " [view " + std::to_string(i) + "]");
    outs.push_back(dynamic ? shape::broadcastTo(ctx, t, gridShape, util::node_info(n))
                           : expandTo(ctx, t, grid, util::node_info(n)));
  }
  ctx->tensor_list_map[n->outputs()[0]] = outs;
  return true;
}

// self with src written into self[start:end:step] along dim (static shapes): the untouched parts and
// src joined by a concatenation for step 1, an element scatter of src at start + step * i otherwise.
trt::ITensor* sliceScatter(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* self, trt::ITensor* src,
                           int64_t dim, int64_t start, int64_t end, int64_t step) {
  const std::string name = util::node_info(n);
  // `dim` must be static; the other dims may be dynamic (then they must agree at run time).
  auto dims = staticAlong(n, self, dim);
  const int64_t size = dims[dim];
  TORCHTRT_CHECK(step > 0, "slice_scatter step must be positive, got " << step << ": " << name);
  if (start < 0) start += size;
  if (end < 0) end += size;
  start = std::min(std::max<int64_t>(start, 0), size);
  end = std::min(std::max<int64_t>(end, start), size);
  const int64_t length = (end - start + step - 1) / step;
  auto expected = dims;
  expected[dim] = length;
  const auto srcDims = util::toVec(src->getDimensions());
  bool matches = srcDims.size() == expected.size();
  for (size_t i = 0; matches && i < expected.size(); ++i)
    matches = srcDims[i] == expected[i] || (static_cast<int64_t>(i) != dim && (srcDims[i] < 0 || expected[i] < 0));
  TORCHTRT_CHECK(matches, "slice_scatter source " << src->getDimensions().str() << " does not match the slice "
                                                  << util::toDims(expected).str() << ": " << name);
  src = castTo(ctx, src, self->getType(), name + " [source type]");
  if (length == 0) return self;
  if (step == 1) {
    std::vector<trt::ITensor*> parts;
    if (start > 0) parts.push_back(sliceAlong(ctx, self, dim, 0, start, 1, name + " [before]"));
    parts.push_back(src);
    if (end < size) parts.push_back(sliceAlong(ctx, self, dim, end, size - end, 1, name + " [after]"));
    if (parts.size() == 1) return src;
    auto* cat = ctx->net->addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
    cat->setAxis(static_cast<int32_t>(dim));
    cat->setName(name.c_str());
    return cat->getOutput(0);
  }
  at::Tensor positions = (at::arange(length, at::kInt) * step + start);
  std::vector<int64_t> view(dims.size(), 1);
  view[dim] = length;
  positions = positions.view(view);
  trt::ITensor* positionTensor =
      src->getDimensions().isStatic()
          ? ctx->constantTensor(positions.expand(expected).contiguous(), name + " [positions]")
          : shape::broadcastTo(ctx, ctx->constantTensor(positions.contiguous(), name + " [positions]"),
                               shape::shapeOf(ctx, src, name + " [source shape]"), name + " [positions]");
  auto* scatter = ctx->net->addScatter(*self, *positionTensor, *src, static_cast<int32_t>(dim));
  scatter->setName(name.c_str());
  return scatter->getOutput(0);
}

bool sliceScatterOp(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[2].unwrapToInt(), rankOf(self), n);
  const int64_t size = self->getDimensions().d[dim];
  const int64_t start = a[3].isNone() ? 0 : a[3].unwrapToInt(), end = a[4].isNone() ? size : a[4].unwrapToInt();
  return bindTensor(ctx, n,
                    sliceScatter(ctx, n, self, a[1].ITensorOrFreeze(ctx), dim, start, end, a[5].unwrapToInt())) !=
         nullptr;
}

// select_scatter(self, src, dim, index): src (without dim) written at index along dim.
bool selectScatterOp(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* self = a[0].ITensorOrFreeze(ctx);
  const int64_t dim = util::normalizeDim(a[2].unwrapToInt(), rankOf(self), n);
  int64_t index = a[3].unwrapToInt();
  const int64_t size = self->getDimensions().d[dim];
  if (index < 0) index += size;
  TORCHTRT_CHECK(index >= 0 && index < size, "select_scatter index " << a[3].unwrapToInt()
                                                                     << " is out of range for size " << size << ": "
                                                                     << util::node_info(n));
  trt::ITensor* src = a[1].ITensorOrFreeze(ctx);
  const std::string name = util::node_info(n);
  auto srcDims = util::toVec(src->getDimensions());
  srcDims.insert(srcDims.begin() + dim, 1);
  int dynamic = 0;
  for (int64_t d : srcDims) dynamic += d < 0;
  if (dynamic <= 1) {
    src = reshape(ctx, src, srcDims, name + " [add dim]");
  } else {  // the unit dim inserted into the source's run-time shape
    std::vector<trt::ITensor*> parts;
    for (int64_t d = 0; d < rankOf(src); ++d) {
      if (d == dim) parts.push_back(shape::int64Vector(ctx, {1}, name + " [1]"));
      parts.push_back(shape::asElement(ctx, shape::dimension(ctx, src, d, name + " [size]"), name));
    }
    if (dim == rankOf(src)) parts.push_back(shape::int64Vector(ctx, {1}, name + " [1]"));
    src = shape::reshapeTo(ctx, src, shape::concat(ctx, parts, name + " [with dim]"), name + " [add dim]");
  }
  return bindTensor(ctx, n, sliceScatter(ctx, n, self, src, dim, index, index + 1, 1)) != nullptr;
}

auto slicingRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::slice_scatter(Tensor self, Tensor src, int dim=0, SymInt? start=None, SymInt? end=None, "
                  "SymInt step=1) -> Tensor",
                  sliceScatterOp})
        .pattern({"aten::select_scatter(Tensor self, Tensor src, int dim, SymInt index) -> Tensor", selectScatterOp})
        .pattern({"aten::slice.Tensor(Tensor(a) self, int dim=0, SymInt? start=None, SymInt? end=None, SymInt step=1) "
                  "-> Tensor(a)",
                  slice})
        .pattern({"aten::narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)", narrow})
        .pattern(
            {"aten::narrow.Tensor(Tensor(a) self, int dim, Tensor start, SymInt length) -> Tensor(a)", narrowTensor})
        .pattern({"aten::select.int(Tensor(a) self, int dim, SymInt index) -> Tensor(a)", select})
        .pattern({"aten::chunk(Tensor(a -> *) self, int chunks, int dim=0) -> Tensor(a)[]", chunk})
        .pattern({"aten::split.Tensor(Tensor(a -> *) self, SymInt split_size, int dim=0) -> Tensor(a)[]", split})
        .pattern({"aten::split_with_sizes(Tensor(a -> *) self, SymInt[] split_sizes, int dim=0) -> Tensor(a)[]", split})
        .pattern({"aten::split.sizes(Tensor(a -> *) self, SymInt[] split_size, int dim=0) -> Tensor(a)[]", split})
        .pattern({"aten::unbind.int(Tensor(a -> *) self, int dim=0) -> Tensor(a)[]", unbind})
        .pattern({"aten::expand(Tensor(a) self, SymInt[] size, *, bool implicit=False) -> Tensor(a)", expand})
        .pattern({"aten::broadcast_to(Tensor(a) self, SymInt[] size) -> Tensor(a)", expand})
        .pattern({"aten::expand_as(Tensor(a) self, Tensor other) -> Tensor(a)", expandAs})
        .pattern({"aten::repeat(Tensor self, SymInt[] repeats) -> Tensor", repeat})
        .pattern({"aten::tile(Tensor self, SymInt[] dims) -> Tensor", tile})
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
