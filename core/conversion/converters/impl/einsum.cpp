// einsum as transposes, reshapes, reductions and batched matrix products: operands are combined
// left to right; labels a later operand or the output needs are kept, the rest summed. A label
// repeated within an operand (a diagonal, 'ii->i') is taken first: a select keeps the elements
// whose two indices agree and a sum folds the second dimension away.
#include <algorithm>
#include <map>
#include <set>

#include "core/conversion/converters/converter_util.h"
#include "core/conversion/converters/type_promotion.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

// A tensor with one label per dimension.
struct Labeled {
  trt::ITensor* tensor;
  std::string labels;
};

std::string nodeName(const torch::jit::Node* n) { return util::node_info(n); }

// Reorders `t` to the label order `target` (a permutation of its labels).
Labeled arrange(ConversionCtx* ctx, const Labeled& t, const std::string& target, const std::string& name) {
  std::vector<int64_t> order;
  for (char c : target) order.push_back(static_cast<int64_t>(t.labels.find(c)));
  return {transposed(ctx, t.tensor, order, name), target};
}

// Sums over the labels of `t` that `keep` does not contain.
Labeled sumOut(ConversionCtx* ctx, const Labeled& t, const std::string& keep, const std::string& name) {
  uint32_t axes = 0;
  std::string kept;
  for (size_t i = 0; i < t.labels.size(); ++i) {
    if (keep.find(t.labels[i]) == std::string::npos)
      axes |= 1u << i;
    else
      kept += t.labels[i];
  }
  if (!axes) return t;
  auto* layer = ctx->net->addReduce(*t.tensor, trt::ReduceOperation::kSUM, axes, false);
  layer->setName((name + " [sum]").c_str());
  return {layer->getOutput(0), kept};
}

// `t` with every label that appears twice reduced to its diagonal: x[..., i, ..., j, ...] where
// i == j, the second dimension folded away (a select of the matching elements, then a sum; zeros
// elsewhere, so infinities off the diagonal stay out of the result).
Labeled takeDiagonals(ConversionCtx* ctx, Labeled t, const std::string& name) {
  // The first label seen again, each time (a label may appear more than twice).
  auto repeated = [](const std::string& labels, size_t& p, size_t& q) {
    for (q = 0; q < labels.size(); ++q) {
      p = labels.find(labels[q]);
      if (p != q) return true;
    }
    return false;
  };
  size_t p = 0, q = 0;
  while (repeated(t.labels, p, q)) {
    const trt::Dims dims = t.tensor->getDimensions();
    TORCHTRT_CHECK(dims.d[p] == dims.d[q], "einsum label '" << t.labels[q] << "' is repeated with sizes " << dims.d[p]
                                                            << " and " << dims.d[q] << ": " << name);
    std::vector<int64_t> maskShape(static_cast<size_t>(dims.nbDims), 1);
    maskShape[p] = dims.d[p];
    maskShape[q] = dims.d[q];
    trt::ITensor* mask = reshape(ctx, ctx->constantTensor(at::eye(dims.d[p], at::kBool), name + " [diagonal mask]"),
                                 maskShape, name + " [diagonal mask dims]");
    trt::ITensor* zero = scalarConstant(ctx, 0, t.tensor->getType(), name + " [0]");
    auto* kept = ctx->net->addSelect(*mask, *t.tensor, *zero);
    kept->setName((name + " [diagonal]").c_str());
    auto* folded = ctx->net->addReduce(*kept->getOutput(0), trt::ReduceOperation::kSUM, 1u << q, false);
    folded->setName((name + " [fold diagonal]").c_str());
    t = {folded->getOutput(0), t.labels.substr(0, q) + t.labels.substr(q + 1)};
  }
  return t;
}

int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

// a * b with labels: batch labels (in both, kept), contracted (in both, not kept), and labels of one
// operand (all kept, since sumOut ran first): one batched matrix product.
Labeled contract(ConversionCtx* ctx, const torch::jit::Node* n, Labeled a, Labeled b, const std::string& keep,
                 std::map<char, int64_t>& size) {
  const std::string name = nodeName(n);
  std::string batch, contracted, onlyA, onlyB;
  for (char c : a.labels) {
    if (b.labels.find(c) == std::string::npos)
      onlyA += c;
    else if (keep.find(c) != std::string::npos)
      batch += c;
    else
      contracted += c;
  }
  for (char c : b.labels)
    if (a.labels.find(c) == std::string::npos) onlyB += c;
  a = arrange(ctx, a, batch + onlyA + contracted, name + " [arrange a]");
  b = arrange(ctx, b, batch + contracted + onlyB, name + " [arrange b]");
  auto sizes = [&](const std::string& labels) {
    std::vector<int64_t> v;
    for (char c : labels) v.push_back(size[c]);
    return v;
  };
  const int64_t B = product(sizes(batch)), M = product(sizes(onlyA)), K = product(sizes(contracted)),
                N = product(sizes(onlyB));
  trt::ITensor* a3 = reshape(ctx, a.tensor, {B, M, K}, name + " [a as BxMxK]");
  trt::ITensor* b3 = reshape(ctx, b.tensor, {B, K, N}, name + " [b as BxKxN]");
  std::vector<int64_t> outShape = sizes(batch);
  for (int64_t d : sizes(onlyA)) outShape.push_back(d);
  for (int64_t d : sizes(onlyB)) outShape.push_back(d);
  const trt::DataType type = a.tensor->getType();
  if (isIntegerType(type)) {
    // The engine's MatrixMultiply is floating-point only; PyTorch computes integer products exactly,
    // wrapping in the integer type: [B, M, K, 1] * [B, 1, K, N] in int64 summed over K, whose low bits
    // cast back are the wrapped result.
    TORCHTRT_CHECK(B * M * K * N <= kMaxIntegerProducts,
                   "Unable to convert node: " << name << "\nan integer einsum is computed as " << B * M * K * N
                                              << " products held at once (the engine has no integer matrix kernel); "
                                              << "more than " << kMaxIntegerProducts
                                              << " is not supported: compute it in floating point");
    trt::ITensor* terms = addElementwise(ctx, trt::ElementWiseOperation::kPROD,
                                         castTo(ctx, reshape(ctx, a3, {B, M, K, 1}, name + " [a terms]"),
                                                trt::DataType::kINT64, name + " [a int64]"),
                                         castTo(ctx, reshape(ctx, b3, {B, 1, K, N}, name + " [b terms]"),
                                                trt::DataType::kINT64, name + " [b int64]"),
                                         name + " [products]")
                              ->getOutput(0);
    auto* sum = ctx->net->addReduce(*terms, trt::ReduceOperation::kSUM, 1u << 2, false);
    sum->setName((name + " [sum over K]").c_str());
    return {
        reshape(ctx, castTo(ctx, sum->getOutput(0), type, name + " [result type]"), outShape, name + " [unflatten]"),
        batch + onlyA + onlyB};
  }
  auto* mm = ctx->net->addMatrixMultiply(*a3, trt::MatrixOperation::kNONE, *b3, trt::MatrixOperation::kNONE);
  mm->setName((name + " [product]").c_str());
  return {reshape(ctx, mm->getOutput(0), outShape, name + " [unflatten]"), batch + onlyA + onlyB};
}

bool einsum(ConversionCtx* ctx, const torch::jit::Node* n, args& a) {
  const std::string name = nodeName(n);
  std::string equation = a[0].unwrapToString();
  equation.erase(std::remove(equation.begin(), equation.end(), ' '), equation.end());
  auto tensors = a[1].unwrapToITensorList(ctx);
  const size_t arrow = equation.find("->");
  std::string lhs = equation.substr(0, arrow), out;
  std::vector<std::string> specs;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    specs.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  TORCHTRT_CHECK(specs.size() == tensors.size(), "einsum '" << equation << "' names " << specs.size()
                                                            << " operands but got " << tensors.size() << ": " << name);
  // An ellipsis becomes labels of its own (unused letters), right-aligned across operands.
  const bool implicitOutput = arrow == std::string::npos;
  std::string outSpec = implicitOutput ? "" : equation.substr(arrow + 2);
  std::string ellipsisLabels;
  if (equation.find("...") != std::string::npos) {
    size_t most = 0;
    for (size_t i = 0; i < specs.size(); ++i) {
      const size_t at = specs[i].find("...");
      if (at == std::string::npos) continue;
      const int64_t explicitDims = static_cast<int64_t>(specs[i].size()) - 3;
      TORCHTRT_CHECK(rankOf(tensors[i]) >= explicitDims, "einsum operand " << i << " has rank " << rankOf(tensors[i])
                                                                           << ", fewer than '" << specs[i]
                                                                           << "' names: " << name);
      most = std::max(most, static_cast<size_t>(rankOf(tensors[i]) - explicitDims));
    }
    for (char c = 'A'; ellipsisLabels.size() < most && c <= 'z'; ++c)
      if (std::isalpha(static_cast<unsigned char>(c)) && equation.find(c) == std::string::npos) ellipsisLabels += c;
    TORCHTRT_CHECK(ellipsisLabels.size() == most, "einsum '" << equation << "' uses too many labels: " << name);
    for (size_t i = 0; i < specs.size(); ++i) {
      const size_t at = specs[i].find("...");
      if (at == std::string::npos) continue;
      const size_t dims = static_cast<size_t>(rankOf(tensors[i])) - (specs[i].size() - 3);
      specs[i].replace(at, 3, ellipsisLabels.substr(most - dims));
    }
    const size_t at = outSpec.find("...");
    if (at != std::string::npos) outSpec.replace(at, 3, ellipsisLabels);
  }
  // Sizes per label, and the implicit output (labels used once, sorted) when there is no '->'. Sizes
  // that differ by broadcasting (a size-1 dimension) or are dynamic go to the engine's Einsum layer.
  std::map<char, int64_t> size, count;
  bool needsEinsumLayer = false;
  for (size_t i = 0; i < specs.size(); ++i) {
    auto dims = util::toVec(tensors[i]->getDimensions());
    TORCHTRT_CHECK(dims.size() == specs[i].size(), "einsum operand " << i << " has rank " << dims.size() << " but '"
                                                                     << specs[i] << "' labels " << specs[i].size()
                                                                     << " dims: " << name);
    needsEinsumLayer |= !tensors[i]->getDimensions().isStatic();
    for (size_t k = 0; k < specs[i].size(); ++k) {
      char c = specs[i][k];
      TORCHTRT_CHECK(std::isalpha(static_cast<unsigned char>(c)),
                     "einsum label '" << c << "' is not a letter: " << name);
      if (size.count(c) && size[c] != dims[k]) {
        TORCHTRT_CHECK(size[c] == 1 || dims[k] == 1 || size[c] < 0 || dims[k] < 0,
                       "einsum label '" << c << "' has sizes " << size[c] << " and " << dims[k] << ": " << name);
        needsEinsumLayer = true;
      }
      if (!size.count(c) || size[c] == 1) size[c] = dims[k];
      ++count[c];
    }
  }
  if (implicitOutput) {
    out = ellipsisLabels;
    for (auto& kv : count)
      if (kv.second == 1 && ellipsisLabels.find(kv.first) == std::string::npos) out += kv.first;
  } else {
    out = outSpec;
  }
  for (char c : out) TORCHTRT_CHECK(size.count(c), "einsum output label '" << c << "' is not in any operand: " << name);
  // Integer operands: PyTorch sums a label found in one operand only (and not in the output) with sum,
  // which gives int64; the operands must then agree on one type or PyTorch raises.
  // Operands of several types with a float among them: PyTorch's products promote (int8 x float16 is float16,
  // float16 x float32 float32); every operand is cast to that type first (they had taken the first one's).
  bool mixed = false, anyFloat = false;
  for (auto* t : tensors) {
    mixed |= t->getType() != tensors[0]->getType();
    anyFloat |= isFloatingType(t->getType());
  }
  if (mixed && anyFloat) {
    const trt::DataType common = promotedListType(n, tensors);
    for (size_t i = 0; i < tensors.size(); ++i)
      tensors[i] = castTo(ctx, tensors[i], common, name + " [operand " + std::to_string(i) + " promoted]");
  }
  trt::DataType resultType = tensors[0]->getType();
  if (resultType == trt::DataType::kINT32 || resultType == trt::DataType::kINT64) {
    std::set<trt::DataType> types;
    for (size_t i = 0; i < specs.size(); ++i) {
      bool summedAlone = false;
      for (char c : specs[i]) {
        bool elsewhere = out.find(c) != std::string::npos;
        for (size_t j = 0; j < specs.size(); ++j) elsewhere |= j != i && specs[j].find(c) != std::string::npos;
        summedAlone |= !elsewhere;
      }
      types.insert(summedAlone ? trt::DataType::kINT64 : tensors[i]->getType());
    }
    TORCHTRT_CHECK(types.size() == 1, "Unable to convert node: " << name << "\ninteger einsum '" << equation
                                                                 << "' sums some operands alone into int64 and "
                                                                    "multiplies them with int32 ones, which PyTorch "
                                                                    "refuses");
    resultType = *types.begin();
  }
  if (needsEinsumLayer) {
    std::string explicitEquation;
    for (size_t i = 0; i < specs.size(); ++i) explicitEquation += (i ? "," : "") + specs[i];
    explicitEquation += "->" + out;
    for (auto*& t : tensors) t = castTo(ctx, t, tensors[0]->getType(), name + " [cast]");
    auto* layer = ctx->net->addEinsum(tensors.data(), static_cast<int32_t>(tensors.size()), explicitEquation.c_str());
    if (layer->getOutput(0)->getType() == resultType) return bindOutput(ctx, n, layer) != nullptr;
    layer->setName(name.c_str());
    return bindTensor(ctx, n, castTo(ctx, layer->getOutput(0), resultType, name + " [result type]")) != nullptr;
  }
  std::vector<Labeled> ops;
  for (size_t i = 0; i < specs.size(); ++i)
    ops.push_back(
        takeDiagonals(ctx, {castTo(ctx, tensors[i], tensors[0]->getType(), name + " [cast]"), specs[i]}, name));
  // Left to right: keep what a later operand or the output needs.
  auto needed = [&](size_t from) {
    std::string keep = out;
    for (size_t j = from; j < ops.size(); ++j) keep += ops[j].labels;
    return keep;
  };
  Labeled acc = sumOut(ctx, ops[0], needed(1), name + " [0]");
  for (size_t i = 1; i < ops.size(); ++i) {
    const std::string keep = needed(i + 1);
    Labeled next = sumOut(ctx, ops[i], keep + acc.labels, name + " [" + std::to_string(i) + "]");
    acc = sumOut(ctx, acc, keep + next.labels, name + " [acc " + std::to_string(i) + "]");
    acc = contract(ctx, n, acc, next, keep, size);
  }
  acc = sumOut(ctx, acc, out, name + " [out]");
  acc = arrange(ctx, acc, out, name + " [to output order]");
  trt::ITensor* result = acc.tensor;
  if (result == tensors[0]) result = ctx->net->addIdentity(*result)->getOutput(0);
  return bindTensor(ctx, n, castTo(ctx, result, resultType, name + " [result type]")) != nullptr;
}

auto einsumRegistrations = RegisterNodeConversionPatterns().pattern(
    {"aten::einsum(str equation, Tensor[] tensors, *, int[]? path=None) -> Tensor", einsum});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
