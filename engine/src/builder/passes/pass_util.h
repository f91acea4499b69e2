// Queries shared by builder passes.
#pragma once

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/floating_types.h"
#include "common/half.h"
#include "trt/network.h"

namespace trt {
namespace passes {

//! Number of layer inputs that read `t` (network outputs not counted).
inline int32_t countUses(const INetworkDefinition& net, const ITensor* t) {
  int32_t uses = 0;
  for (int l = 0; l < net.getNbLayers(); ++l)
    for (int i = 0; i < net.getLayer(l)->getNbInputs(); ++i) uses += net.getLayer(l)->getInput(i) == t;
  return uses;
}

//! True when both layers have the same pinned precision (ILayer::setPrecision), or neither has one.
inline bool samePrecisionPin(const ILayer& a, const ILayer& b) {
  return a.precisionIsSet() == b.precisionIsSet() && (!a.precisionIsSet() || a.getPrecision() == b.getPrecision());
}

//! Whether a transpose keeps every axis in place (all of Permutation's entries, used or not).
inline bool isIdentityPermutation(const Permutation& p) {
  for (int i = 0; i < Dims::MAX_DIMS; ++i)
    if (p.order[i] != i) return false;
  return true;
}

//! Whether `layer` is a shuffle that only moves elements: no zero padding (IShuffleLayer::setZeroPaddedLastDimension,
//! which writes elements of its own), what every pass that folds, stacks or looks through shuffles assumes.
inline bool isMovingShuffle(const ILayer* layer) {
  return layer && layer->getType() == LayerType::kSHUFFLE &&
         static_cast<const IShuffleLayer*>(layer)->getZeroPaddedLastDimension() <= 0;
}

//! Whether `layer` only moves whole rows of its input (its last axis, of extent n, stays whole and last), static
//! dims: a shuffle whose transposes keep the last axis and whose reshape keeps the last dim, or a slice that takes
//! the last axis whole.
inline bool movesWholeRows(const ILayer* layer, int64_t n) {
  if (layer->getNbInputs() != 1 || layer->precisionIsSet()) return false;
  const Dims in = layer->getInput(0)->getDimensions(), out = layer->getOutput(0)->getDimensions();
  if (!in.isStatic() || !out.isStatic() || in.nbDims < 1 || out.nbDims < 1 || in.d[in.nbDims - 1] != n ||
      out.d[out.nbDims - 1] != n)
    return false;
  if (layer->getType() == LayerType::kSHUFFLE) {
    const auto* shuffle = static_cast<const IShuffleLayer*>(layer);
    const Permutation first = shuffle->getFirstTranspose(), second = shuffle->getSecondTranspose();
    if (first.order[in.nbDims - 1] != in.nbDims - 1 || second.order[out.nbDims - 1] != out.nbDims - 1) return false;
    // The reshape's last dim is n (so it splits and merges only outer axes).
    return !shuffle->hasReshape() || shuffle->getReshapeDimensions().nbDims == 0 ||
           shuffle->getReshapeDimensions().d[shuffle->getReshapeDimensions().nbDims - 1] == n;
  }
  if (layer->getType() == LayerType::kSLICE) {
    const auto* slice = static_cast<const ISliceLayer*>(layer);
    const Dims start = slice->getStart(), size = slice->getSize(), stride = slice->getStride();
    const int last = in.nbDims - 1;
    // Not the fill mode: a filled row is no row of the input (a row-wise layer would not map it to itself).
    return slice->getMode() != SampleMode::kFILL && start.nbDims == in.nbDims && size.nbDims == in.nbDims &&
           stride.nbDims == in.nbDims && start.d[last] == 0 && size.d[last] == n && stride.d[last] == 1;
  }
  return false;
}
//! The layer of kind `type` producing `t` when `t` is read by exactly one layer and is not a network
//! output (so a fusion may fold `t`'s consumer into it), else nullptr. Also nullptr when the two
//! layers are pinned to different precisions, since the fused layer could honour only one of them
//! (shuffles, which compute nothing, excepted).
inline ILayer* soleUseProducer(const INetworkDefinition& net, const ITensor* t, LayerType type) {
  ILayer* p = t->getProducer();
  if (!p || p->getType() != type || t->isNetworkOutput() || countUses(net, t) != 1) return nullptr;
  if (type == LayerType::kSHUFFLE) return isMovingShuffle(p) ? p : nullptr;
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const ILayer* consumer = net.getLayer(l);
    for (int i = 0; i < consumer->getNbInputs(); ++i)
      if (consumer->getInput(i) == t && !samePrecisionPin(*p, *consumer)) return nullptr;
  }
  return p;
}

//! Whether `t` is computed before `layer` runs (a network input, or produced by an earlier layer).
inline bool availableBefore(const INetworkDefinition& net, const ITensor* t, const ILayer* layer) {
  return t->isNetworkInput() || (t->getProducer() && net.indexOf(t->getProducer()) < net.indexOf(layer));
}

//! The one layer reading `t` (once), or nullptr (several readers, none, or `t` a network output).
inline ILayer* soleConsumer(const INetworkDefinition& net, const ITensor* t) {
  if (t->isNetworkOutput() || countUses(net, t) != 1) return nullptr;
  for (int l = 0; l < net.getNbLayers(); ++l)
    for (int i = 0; i < net.getLayer(l)->getNbInputs(); ++i)
      if (net.getLayer(l)->getInput(i) == t) return net.getLayer(l);
  return nullptr;
}

//! The elementwise `op` producing `t` when `t` is read only by its one consumer (see soleUseProducer).
inline ILayer* soleElementWise(const INetworkDefinition& net, const ITensor* t, ElementWiseOperation op) {
  ILayer* p = soleUseProducer(net, t, LayerType::kELEMENTWISE);
  return p && static_cast<IElementWiseLayer*>(p)->getOperation() == op ? p : nullptr;
}

//! The elementwise sum producing `t` when `t` is read only by its one consumer (see soleUseProducer).
inline ILayer* soleUseSum(const INetworkDefinition& net, const ITensor* t) {
  return soleElementWise(net, t, ElementWiseOperation::kSUM);
}

//! The value every element of a bool constant holds: 1 (all true), 0 (all false), or -1 (mixed, empty, not bool).
inline int uniformBool(const IConstantLayer& constant) {
  if (constant.getWeights().type != DataType::kBOOL || constant.getWeights().count <= 0) return -1;
  const uint8_t* p = constant.bytes().data();
  const bool first = p[0] != 0;
  for (int64_t i = 1; i < constant.getWeights().count; ++i)
    if ((p[i] != 0) != first) return -1;
  return first ? 1 : 0;
}

//! The constant layer producing `t`, or nullptr.
inline const IConstantLayer* constantProducer(const ITensor* t) {
  const ILayer* p = t->getProducer();
  return p && p->getType() == LayerType::kCONSTANT ? static_cast<const IConstantLayer*>(p) : nullptr;
}

//! The constant producing a floating matrix operand `t`: [..., R, C] of static dims, every leading dim 1
//! (nn.MultiheadAttention's [1, K, N] weights), else nullptr.
inline const IConstantLayer* constantMatrix(const ITensor* t) {
  const IConstantLayer* c = constantProducer(t);
  if (!c) return nullptr;
  const DataType type = c->getWeights().type;
  if (type != DataType::kFLOAT && type != DataType::kHALF && type != DataType::kBF16) return nullptr;
  const Dims d = c->getDimensions();
  if (d.nbDims < 2 || !d.isStatic()) return nullptr;
  for (int i = 0; i < d.nbDims - 2; ++i)
    if (d.d[i] != 1) return nullptr;
  return c;
}

//! A product's constant weights (input 1, float32 [K, N] used as is or [N, K] transposed, or P of them stacked
//! [P, K, N] / [P, N, K]) as rows of output columns, [P, N, K]: the layout INT8 and FP8 products store their
//! weights in. `parts`: P (1 for a 2-D matrix).
inline std::vector<float> productWeightRows(const IMatrixMultiplyLayer& mm, int64_t& parts, int64_t& N, int64_t& K) {
  const IConstantLayer* constant = constantProducer(mm.getInput(1));
  const Dims d = constant->getDimensions();
  const auto* w = static_cast<const float*>(constant->getWeights().values);
  const bool transposed = mm.getOperation(1) == MatrixOperation::kTRANSPOSE;
  const int r = d.nbDims - 2;  // the matrix's first axis
  parts = r > 0 ? d.d[0] : 1;
  N = transposed ? d.d[r] : d.d[r + 1];
  K = transposed ? d.d[r + 1] : d.d[r];
  std::vector<float> rows(static_cast<size_t>(parts * N * K));
  for (int64_t p = 0; p < parts; ++p) {
    const float* m = w + p * N * K;
    float* out = rows.data() + p * N * K;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t k = 0; k < K; ++k) out[n * K + k] = transposed ? m[n * K + k] : m[k * N + n];
  }
  return rows;
}

//! The reshape through which a stacked product (weights [P, ...], P > 1: stacked_product.h) reads its siblings'
//! input as one matrix [1, rows, K], or nullptr: the product's input is then what it reads.
inline const IShuffleLayer* stackRowsView(const IMatrixMultiplyLayer& mm) {
  const Dims w = mm.getInput(1)->getDimensions(), rows = mm.getInput(0)->getDimensions();
  const ILayer* p = mm.getInput(0)->getProducer();
  if (w.nbDims != 3 || w.d[0] < 2 || rows.nbDims != 3 || rows.d[0] != 1 || !isMovingShuffle(p) || p->getNbInputs() != 1)
    return nullptr;
  const auto* view = static_cast<const IShuffleLayer*>(p);
  return isIdentityPermutation(view->getFirstTranspose()) && isIdentityPermutation(view->getSecondTranspose())
             ? view
             : nullptr;
}

//! Makes the product read `codes` (quantized weights [N, K] of `type`, or [P, N, K] where the old weights were
//! [P, ...], the output's rank kept; copied into a new constant named after the old one with `suffix`) transposed.
inline void useQuantizedWeights(INetworkDefinition& network, IMatrixMultiplyLayer& mm, DataType type, const void* codes,
                                int64_t parts, int64_t N, int64_t K, const char* suffix) {
  const IConstantLayer* old = constantProducer(mm.getInput(1));
  const Dims dims = old->getDimensions().nbDims == 3 ? Dims{parts, N, K} : Dims{N, K};
  IConstantLayer* quantized = network.addConstant(dims, {type, codes, parts * N * K});
  quantized->setName((std::string(old->getName()) + suffix).c_str());
  network.moveLayer(quantized, network.indexOf(&mm));
  mm.setInput(1, *quantized->getOutput(0));
  mm.setOperation(1, MatrixOperation::kTRANSPOSE);
}

//! The float32 values of a constant that, right-aligned to `dims`, varies along one of its axes only (`axis` set
//! to it; the extent there equal to dims'), or nullptr (a scalar included).
inline const float* constantAlongOneAxis(const ITensor* t, const Dims& dims, int32_t& axis) {
  const IConstantLayer* c = constantProducer(t);
  if (!c || c->getWeights().type != DataType::kFLOAT) return nullptr;
  const Dims d = c->getDimensions();
  if (d.nbDims > dims.nbDims || d.nbDims == 0) return nullptr;
  axis = -1;
  for (int i = 0; i < d.nbDims; ++i) {
    const int at = dims.nbDims - d.nbDims + i;
    if (d.d[i] == 1) continue;
    if (axis >= 0 || d.d[i] != dims.d[at] || dims.d[at] < 0) return nullptr;
    axis = at;
  }
  return axis >= 0 ? reinterpret_cast<const float*>(c->bytes().data()) : nullptr;
}

//! `t` reshaped to `dims` (every extent as given: no zero placeholders) by a new shuffle named `name`, placed
//! before `before`.
inline ITensor* reshapedBefore(INetworkDefinition& network, ITensor& t, const Dims& dims, ILayer* before,
                               const std::string& name) {
  IShuffleLayer* shuffle = network.addShuffle(t);
  shuffle->setZeroIsPlaceholder(false);
  shuffle->setReshapeDimensions(dims);
  shuffle->setName(name.c_str());
  network.moveLayer(shuffle, network.indexOf(before));
  return shuffle->getOutput(0);
}

//! Whether `layer` is an elementwise `op`.
inline bool isElementWise(const ILayer* layer, ElementWiseOperation op) {
  return layer->getType() == LayerType::kELEMENTWISE &&
         static_cast<const IElementWiseLayer*>(layer)->getOperation() == op;
}

//! Whether `t` is a floating type (float32, float16, bfloat16).

//! Replaces what `layer` computes by an activation of kind `type` on `x` (the pattern `layer` ends, which
//! the rewrite leaves dead): placed at `layer`, with its precision pin and `name`. Returns the index to
//! resume a scan at.
inline int replaceByActivation(INetworkDefinition& network, ILayer* layer, ITensor& x, ActivationType type,
                               const std::string& name) {
  IActivationLayer* activation = network.addActivation(x, type);
  activation->setName(name.c_str());
  if (layer->precisionIsSet()) activation->setPrecision(layer->getPrecision());
  network.moveLayer(activation, network.indexOf(layer));
  network.replaceAllUses(*layer->getOutput(0), *activation->getOutput(0));
  return network.indexOf(layer);
}

//! The single value of a scalar floating constant (one element; an infinity too, not NaN), or false.
inline bool scalarValueOrInfinity(const ITensor* t, float& value) {
  const IConstantLayer* c = constantProducer(t);
  if (!c) return false;
  const Weights w = c->getWeights();
  if (w.count != 1 || !w.values) return false;
  if (w.type == DataType::kFLOAT)
    value = *static_cast<const float*>(w.values);
  else if (w.type == DataType::kHALF)
    value = halfToFloat(*static_cast<const uint16_t*>(w.values));
  else if (w.type == DataType::kBF16)
    value = bf16ToFloat(*static_cast<const uint16_t*>(w.values));
  else
    return false;
  return !std::isnan(value);
}

//! The single value of a scalar floating constant (one element, finite), or false.
inline bool scalarValue(const ITensor* t, float& value) {
  return scalarValueOrInfinity(t, value) && std::isfinite(value);
}

//! x where `t` = x * c or x / c (c a scalar constant, x of t's dims) and only t's consumer reads t: `scale`
//! becomes c or 1 / c (finite). Else nullptr.
inline ITensor* scalarScaled(const INetworkDefinition& network, const ITensor* t, float& scale) {
  ILayer* p = soleUseProducer(network, t, LayerType::kELEMENTWISE);
  if (!p || p->precisionIsSet()) return nullptr;
  const ElementWiseOperation op = static_cast<IElementWiseLayer*>(p)->getOperation();
  if (op != ElementWiseOperation::kPROD && op != ElementWiseOperation::kDIV) return nullptr;
  for (int side = 0; side < (op == ElementWiseOperation::kPROD ? 2 : 1); ++side) {
    float c = 0.f;
    if (!scalarValue(p->getInput(1 - side), c) || p->getInput(side)->getDimensions() != t->getDimensions()) continue;
    const float s = op == ElementWiseOperation::kPROD ? c : 1.f / c;
    if (!std::isfinite(s)) return nullptr;
    scale = s;
    return p->getInput(side);
  }
  return nullptr;
}

//! The input of a same-type Identity whose output only `t`'s consumer reads (a no-op cast, as a traced
//! `.to(dtype)` or `.float()` of a tensor already of that type gives), or nullptr.
inline ITensor* noOpCastInput(const INetworkDefinition& network, const ITensor* t) {
  ILayer* p = soleUseProducer(network, t, LayerType::kIDENTITY);
  if (!p || p->precisionIsSet() || p->getNbInputs() != 1 || p->getInput(0)->getType() != t->getType()) return nullptr;
  return p->getInput(0);
}

//! `t` with the no-op casts in front of it skipped (any number of them; those read elsewhere too).
inline const ITensor* castsSkipped(const ITensor* t) {
  for (const ILayer* p = t->getProducer();
       p && p->getType() == LayerType::kIDENTITY && p->getNbInputs() == 1 && p->getInput(0)->getType() == t->getType();
       p = t->getProducer())
    t = p->getInput(0);
  return t;
}

//! Whether element `i` of an attention mask's bytes of `type` masks nothing: a float zero of either sign,
//! or a bool true.
inline bool maskElementInert(DataType type, const uint8_t* p, size_t i) {
  switch (type) {
    case DataType::kBOOL:
      return p[i] != 0;
    case DataType::kFLOAT: {
      uint32_t bits;
      std::memcpy(&bits, p + 4 * i, 4);
      return (bits & 0x7fffffffu) == 0;
    }
    case DataType::kHALF:
    case DataType::kBF16: {
      uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      return (bits & 0x7fffu) == 0;
    }
    default:
      return false;
  }
}

//! Whether element `i` of an attention mask's bytes of `type` leaves its key out: a bool false, or a
//! float at most -1e30 (-inf, or finfo.min as Hugging Face's additive masks hold): exp(value - max) is 0.
inline bool maskElementLeavesOut(DataType type, const uint8_t* p, size_t i) {
  switch (type) {
    case DataType::kBOOL:
      return p[i] == 0;
    case DataType::kFLOAT: {
      float v;
      std::memcpy(&v, p + 4 * i, 4);
      return v <= -1e30f;
    }
    case DataType::kHALF:
    case DataType::kBF16: {  // -inf (FP16 holds nothing below -65504)
      uint16_t bits;
      std::memcpy(&bits, p + 2 * i, 2);
      return type == DataType::kHALF ? bits == 0xfc00u : bits == 0xff80u;
    }
    default:
      return false;
  }
}

//! Whether the constant is exactly the top-left causal triangle over n x n scores, broadcast over its
//! leading dims ([1, ..., n, n]): keys j <= i inert, the others left out.
inline bool isCausalTriangleConstant(const IConstantLayer& constant, int64_t n) {
  const Dims md = constant.getDimensions();
  if (n <= 0 || md.nbDims < 2 || md.d[md.nbDims - 2] != n || md.d[md.nbDims - 1] != n) return false;
  for (int i = 0; i < md.nbDims - 2; ++i)
    if (md.d[i] != 1) return false;
  const DataType type = constant.getWeights().type;
  const uint8_t* p = constant.bytes().data();
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const auto e = static_cast<size_t>(i * n + j);
      if (j <= i ? !maskElementInert(type, p, e) : !maskElementLeavesOut(type, p, e)) return false;
    }
  return true;
}

}  // namespace passes
}  // namespace trt
