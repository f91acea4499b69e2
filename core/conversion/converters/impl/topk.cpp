// topk, sort, max.dim / min.dim, argmax / argmin: TopK layers (one for the values, one for the
// indices, each added only when its output is used), with keepdim handled by a reshape. A sort of a
// dynamic dim, or a k computed from sizes, gives the layer k as a shape tensor.
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

struct Selection {
  trt::TopKOperation op;
  int64_t k;                         // -1: the whole axis (sort)
  bool keepdim;                      // only for k == 1 selections that drop the axis
  trt::ITensor* runTimeK = nullptr;  // a [1] int64 shape tensor replacing k
  bool negated = false;              // x was negated (a min as a max): the values are negated back
};

// min.dim and argmin pick NaN as PyTorch does (NaN propagates through min; the first NaN wins), where
// TopK's smallest-first order puts NaN last: of floating-point data they are the max of -x (exact,
// ties keep their order), values negated back. Integers have no NaN and keep the MIN selection.
trt::ITensor* minAsMax(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, trt::TopKOperation op,
                       Selection* s) {
  const trt::DataType t = x->getType();
  if (op != trt::TopKOperation::kMIN ||
      (t != trt::DataType::kFLOAT && t != trt::DataType::kHALF && t != trt::DataType::kBF16))
    return x;
  s->op = trt::TopKOperation::kMAX;
  s->negated = true;
  auto* neg = ctx->net->addUnary(*x, trt::UnaryOperation::kNEG);
  neg->setName((util::node_info(n) + " [negated]").c_str());
  return neg->getOutput(0);
}

// The dimension a selection runs along: PyTorch takes a 0-dim tensor as one element along dim 0 or -1.
int64_t selectionDim(const torch::jit::Node* n, trt::ITensor* x, int64_t dim) {
  if (rankOf(x) > 0) return util::normalizeDim(dim, rankOf(x), n);
  TORCHTRT_CHECK(dim == 0 || dim == -1,
                 "dimension " << dim << " is out of range for a 0-dim tensor (0 or -1) in " << util::node_info(n));
  return 0;
}

// TopK has no kernel for bool and 8-bit data: they are ordered as int32 (exact), their values cast back.
trt::ITensor* orderable(ConversionCtx* ctx, trt::ITensor* x, const std::string& name) {
  const trt::DataType type = x->getType();
  if (type == trt::DataType::kBOOL || type == trt::DataType::kINT8 || type == trt::DataType::kUINT8)
    return castTo(ctx, x, trt::DataType::kINT32, name + " [as int32]");
  return x;
}

// Binds output `index` (0 values, 1 indices) of the node, when it is used. A 0-dim input is selected
// from as [1] and its outputs are 0-dim (PyTorch's topk of one also takes k = 0 as 1).
void selectInto(ConversionCtx* ctx, const torch::jit::Node* n, trt::ITensor* x, int64_t dim, Selection s, size_t index,
                trt::TopKOutput kind, bool dropAxis) {
  if (n->outputs().size() <= index || n->outputs()[index]->uses().empty()) return;
  const std::string name = util::node_info(n) + (kind == trt::TopKOutput::kVALUES ? " [values]" : " [indices]");
  const bool zeroDim = rankOf(x) == 0;
  if (zeroDim) {
    TORCHTRT_CHECK(!s.runTimeK, "Unable to convert node: " << name << "\na k computed at run time for a 0-dim input");
    TORCHTRT_CHECK(s.k <= 1, "k = " << s.k << " exceeds the one element of a 0-dim input: " << name);
    s.k = 1;
    x = reshape(ctx, x, {1}, name + " [as 1-D]");
    dim = 0;
    dropAxis = false;
  }
  const trt::DataType type = x->getType();
  x = orderable(ctx, x, name);
  const int64_t size = x->getDimensions().d[dim];
  // A fixed k works along a dynamic dim (the engine checks k against its run-time size); a sort of a
  // whole dynamic dim reads its size at run time.
  trt::ITensor* runTimeK = s.runTimeK;
  if (!runTimeK && s.k < 0 && size < 0)
    runTimeK = shape::asElement(ctx, shape::dimension(ctx, x, dim, name + " [size]"), name + " [k]");
  const int64_t k = s.k < 0 ? std::max<int64_t>(size, 0) : s.k;
  TORCHTRT_CHECK(runTimeK || size < 0 || k <= size,
                 "k = " << k << " exceeds the size " << size << " of dimension " << dim << ": " << name);
  auto* layer = ctx->net->addTopK(*x, s.op, k, 1u << dim, kind);
  if (runTimeK) layer->setInput(1, *runTimeK);
  layer->setName(name.c_str());
  trt::ITensor* out = layer->getOutput(0);
  if (kind == trt::TopKOutput::kVALUES && s.negated) {
    auto* back = ctx->net->addUnary(*out, trt::UnaryOperation::kNEG);
    back->setName((name + " [negated back]").c_str());
    out = back->getOutput(0);
  }
  if (kind == trt::TopKOutput::kVALUES) out = castTo(ctx, out, type, name + " [values type]");
  if (dropAxis) out = dropDim(ctx, out, dim, name + " [drop dim]");
  if (zeroDim) out = reshape(ctx, out, {}, name + " [0-dim]");
  ctx->AssociateValueAndTensor(n->outputs()[index], out);
}

trt::ITensor* input(ConversionCtx* ctx, const torch::jit::Node*, Var& v) { return v.ITensorOrFreeze(ctx); }

// PyTorch's argmax / argmin and topk refuse bool tensors ("does not support bool input"): so does the converter.
void refuseBool(const torch::jit::Node* n, const trt::ITensor* x, const char* op) {
  TORCHTRT_CHECK(x->getType() != trt::DataType::kBOOL,
                 "Unable to convert node: " << util::node_info(n) << "\n"
                                            << op
                                            << " does not support bool input (PyTorch raises); cast it to an integer "
                                               "type first");
}

bool topk(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = input(ctx, n, a[0]);
  refuseBool(n, x, "topk");
  const int64_t dim = selectionDim(n, x, a[2].unwrapToInt());
  Selection s{a[3].unwrapToBool() ? trt::TopKOperation::kMAX : trt::TopKOperation::kMIN, 0, true};
  if (a[1].isITensor()) {  // k computed from sizes
    shape::requireShapeTensor(n, a[1].ITensor());
    s.runTimeK = shape::asElement(ctx, a[1], util::node_info(n) + " [k]");
  } else {
    s.k = a[1].unwrapToInt();
  }
  selectInto(ctx, n, x, dim, s, 0, trt::TopKOutput::kVALUES, false);
  selectInto(ctx, n, x, dim, s, 1, trt::TopKOutput::kINDICES, false);
  return true;
}

// sort / argsort (also their stable overloads: TopK keeps ties in index order, so every sort is stable).
void sortInto(ConversionCtx* ctx, const torch::jit::Node* n, Var& self, Var& dimArg, Var& descending, bool valuesToo) {
  trt::ITensor* x = input(ctx, n, self);
  const int64_t dim = selectionDim(n, x, dimArg.unwrapToInt());
  Selection s{descending.unwrapToBool() ? trt::TopKOperation::kMAX : trt::TopKOperation::kMIN, -1, true};
  if (valuesToo) {
    selectInto(ctx, n, x, dim, s, 0, trt::TopKOutput::kVALUES, false);
    selectInto(ctx, n, x, dim, s, 1, trt::TopKOutput::kINDICES, false);
  } else {
    selectInto(ctx, n, x, dim, s, 0, trt::TopKOutput::kINDICES, false);
  }
}

bool sort(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  sortInto(ctx, n, a[0], a[1], a[2], true);
  return true;
}

bool sortStable(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  sortInto(ctx, n, a[0], a[2], a[3], true);
  return true;
}

bool argsort(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  sortInto(ctx, n, a[0], a[1], a[2], false);
  return true;
}

bool argsortStable(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  sortInto(ctx, n, a[0], a[2], a[3], false);
  return true;
}

template <trt::TopKOperation OP>
bool extremeDim(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = input(ctx, n, a[0]);
  const int64_t dim = selectionDim(n, x, a[1].unwrapToInt());
  const bool keepdim = a[2].unwrapToBool();
  Selection s{OP, 1, keepdim};
  x = minAsMax(ctx, n, x, OP, &s);
  selectInto(ctx, n, x, dim, s, 0, trt::TopKOutput::kVALUES, !keepdim);
  selectInto(ctx, n, x, dim, s, 1, trt::TopKOutput::kINDICES, !keepdim);
  return true;
}

template <trt::TopKOperation OP>
bool argExtreme(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  trt::ITensor* x = input(ctx, n, a[0]);
  refuseBool(n, x, OP == trt::TopKOperation::kMAX ? "argmax" : "argmin");
  const bool keepdim = a[2].unwrapToBool();
  if (a[1].isNone()) {
    // Over the flattened tensor; keepdim keeps every dimension as size 1.
    const int64_t rank = rankOf(x);
    Selection s{OP, 1, keepdim};
    x = minAsMax(ctx, n, x, OP, &s);
    trt::ITensor* flat = reshape(ctx, orderable(ctx, x, util::node_info(n)), {-1}, util::node_info(n) + " [flatten]");
    auto* layer = ctx->net->addTopK(*flat, s.op, 1, 1u, trt::TopKOutput::kINDICES);
    std::vector<int64_t> shape = keepdim ? std::vector<int64_t>(static_cast<size_t>(rank), 1) : std::vector<int64_t>{};
    return bindTensor(ctx, n, reshape(ctx, layer->getOutput(0), shape, util::node_info(n))) != nullptr;
  }
  const int64_t dim = selectionDim(n, x, a[1].unwrapToInt());
  Selection s{OP, 1, keepdim};
  x = minAsMax(ctx, n, x, OP, &s);
  selectInto(ctx, n, x, dim, s, 0, trt::TopKOutput::kINDICES, !keepdim);
  return true;
}

constexpr auto kLargest = trt::TopKOperation::kMAX;
constexpr auto kSmallest = trt::TopKOperation::kMIN;

auto topkRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({"aten::topk(Tensor self, SymInt k, int dim=-1, bool largest=True, bool sorted=True) -> (Tensor "
                  "values, Tensor indices)",
                  topk})
        .pattern(
            {"aten::sort(Tensor self, int dim=-1, bool descending=False) -> (Tensor values, Tensor indices)", sort})
        .pattern({"aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False) -> (Tensor "
                  "values, Tensor indices)",
                  sortStable})
        .pattern({"aten::argsort(Tensor self, int dim=-1, bool descending=False) -> Tensor", argsort})
        .pattern({"aten::argsort.stable(Tensor self, *, bool stable, int dim=-1, bool descending=False) -> Tensor",
                  argsortStable})
        .pattern({"aten::max.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
                  extremeDim<kLargest>})
        .pattern({"aten::min.dim(Tensor self, int dim, bool keepdim=False) -> (Tensor values, Tensor indices)",
                  extremeDim<kSmallest>})
        .pattern({"aten::argmax(Tensor self, int? dim=None, bool keepdim=False) -> Tensor", argExtreme<kLargest>})
        .pattern({"aten::argmin(Tensor self, int? dim=None, bool keepdim=False) -> Tensor", argExtreme<kSmallest>});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
