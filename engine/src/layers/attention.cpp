#include <cmath>

#include "layers/attention_layout.h"
#include "layers/layer_util.h"
#include "layers/param_check.h"
#include "network/attach.h"

namespace trt {
using namespace layer_util;

class AttentionLayer final : public LayerImpl<IAttentionLayer> {
 public:
  AttentionLayer() : LayerImpl(LayerType::kATTENTION) {}
  void setScale(float scale) override;
  bool hasScale() const override { return hasScale_; }
  float scaleFor(int64_t headSize) const override;
  void setCausal(bool causal) override;
  bool getCausal() const override { return causal_; }
  void setZeroFullyMaskedRows(bool zero) override;
  bool getZeroFullyMaskedRows() const override { return zeroFullyMaskedRows_; }
  std::vector<TensorDesc> inferOutputs(const std::vector<TensorDesc>& inputs) const override;
  void writeParams(PlanWriter& writer) const override;
  void readParams(PlanReader& reader) override;
  uint32_t sequenceMajor() const { return sequenceMajor_; }
  void setSequenceMajor(uint32_t mask);

 private:
  float scale_ = 0.f;
  bool hasScale_ = false;
  bool causal_ = false;
  bool zeroFullyMaskedRows_ = true;
  uint32_t sequenceMajor_ = 0;  // AttentionSequenceMajor bits
};

void AttentionLayer::setSequenceMajor(uint32_t mask) {
  if (mask & ~uint32_t(kAllSequenceMajor))
    throw Error(describe() + ": sequence-major mask " + std::to_string(mask) + " has bits other than 0-3");
  sequenceMajor_ = mask;
  markChanged();
}

namespace {
const AttentionLayer& attentionImpl(const IAttentionLayer& layer) {
  return dynamic_cast<const AttentionLayer&>(internals(static_cast<const ILayer&>(layer)));
}
}  // namespace

uint32_t attentionSequenceMajor(const IAttentionLayer& layer) { return attentionImpl(layer).sequenceMajor(); }

void setAttentionSequenceMajor(IAttentionLayer& layer, uint32_t mask) {
  const_cast<AttentionLayer&>(attentionImpl(layer)).setSequenceMajor(mask);
}

void AttentionLayer::setScale(float scale) {
  rules::finite(ParamCheck(*this), "scale", "attention scale", scale);
  scale_ = scale;
  hasScale_ = true;
  markChanged();
}

float AttentionLayer::scaleFor(int64_t headSize) const {
  // PyTorch's default, 1 / sqrt(D), computed in double and rounded once.
  return hasScale_ ? scale_ : static_cast<float>(1.0 / std::sqrt(static_cast<double>(headSize)));
}

void AttentionLayer::setCausal(bool causal) {
  causal_ = causal;
  markChanged();
}

void AttentionLayer::setZeroFullyMaskedRows(bool zero) {
  zeroFullyMaskedRows_ = zero;
  markChanged();
}

namespace {
// Two sizes that must be equal; -1 (dynamic) is checked at run time.
bool compatible(int64_t a, int64_t b) { return a == b || a < 0 || b < 0; }
}  // namespace

std::vector<TensorDesc> AttentionLayer::inferOutputs(const std::vector<TensorDesc>& inputs) const {
  if (inputs.size() != 3 && inputs.size() != 4)
    throw Error(describe() + ": expects query, key, value and optionally a mask, has " + std::to_string(inputs.size()) +
                " inputs");
  // Shapes are checked on the [B, H, S, D] view of each tensor (the stored layout may be [B, S, H, D]).
  TensorDesc q = inputs[0], k = inputs[1], v = inputs[2];
  requireFloat(*this, q, "the query");
  const char* names[] = {"query", "key", "value"};
  for (int i = 0; i < 3; ++i) {
    if (inputs[i].type != q.type)
      throw Error(describe() + ": the " + names[i] + " is " + dataTypeName(inputs[i].type) + " but the query is " +
                  dataTypeName(q.type) + "; cast it with an Identity layer");
    if (inputs[i].dims.nbDims != 4)
      throw Error(describe() + ": the " + names[i] + " must be 4-D [batch, heads, sequence, head size], got " +
                  inputs[i].dims.str());
  }
  q.dims = attentionLogicalDims(q.dims, sequenceMajor_ & kQuerySequenceMajor);
  k.dims = attentionLogicalDims(k.dims, sequenceMajor_ & kKeySequenceMajor);
  v.dims = attentionLogicalDims(v.dims, sequenceMajor_ & kValueSequenceMajor);
  const bool shapesAgree = compatible(q.dims.d[0], k.dims.d[0]) && compatible(q.dims.d[0], v.dims.d[0]) &&
                           compatible(q.dims.d[1], k.dims.d[1]) && compatible(q.dims.d[1], v.dims.d[1]) &&
                           compatible(q.dims.d[3], k.dims.d[3]) && compatible(k.dims.d[2], v.dims.d[2]);
  if (!shapesAgree)
    throw Error(describe() + ": query " + q.dims.str() + ", key " + k.dims.str() + " and value " + v.dims.str() +
                " must be [B, H, Sq, D], [B, H, Sk, D] and [B, H, Sk, Dv]");
  Dims out = q.dims;
  out.d[3] = v.dims.d[3];
  if (inputs.size() == 4) {
    const TensorDesc& m = inputs[3];
    if (m.type != DataType::kBOOL && m.type != q.type)
      throw Error(describe() + ": the mask is " + dataTypeName(m.type) + " but must be bool or the query's " +
                  dataTypeName(q.type));
    Dims scores = q.dims;
    scores.d[3] = k.dims.d[2];
    if (m.dims.nbDims == 5) {
      // [G, P, H or 1, Sq or 1, Sk or 1] over the scores' batch viewed as [B / P, P] (a mask that repeats
      // every P batches: Swin's window mask, one per window).
      const int64_t period = m.dims.d[1], b = scores.d[0];
      bool broadcasts = period > 0 && (b < 0 || b % period == 0) &&
                        (m.dims.d[0] == 1 || b < 0 || compatible(m.dims.d[0], b / period));
      for (int i = 1; broadcasts && i <= 3; ++i)
        broadcasts = m.dims.d[i + 1] == 1 || compatible(m.dims.d[i + 1], scores.d[i]);
      if (!broadcasts)
        throw Error(describe() + ": the 5-D mask " + m.dims.str() + " does not broadcast to the scores " +
                    scores.str() + " with their batch viewed as [B / P, P] (P: the mask's dim 1, dividing B; the " +
                    "others 1 or the scores')");
    } else {
      bool broadcasts = m.dims.nbDims <= 4;
      for (int i = 1; broadcasts && i <= m.dims.nbDims; ++i) {
        const int64_t md = m.dims.d[m.dims.nbDims - i], sd = scores.d[4 - i];
        broadcasts = md == 1 || compatible(md, sd);
      }
      if (!broadcasts)
        throw Error(describe() + ": the mask " + m.dims.str() + " does not broadcast to the scores " + scores.str() +
                    " (each of its dimensions must be 1 or the scores')");
    }
  }
  return {{attentionLogicalDims(out, sequenceMajor_ & kOutputSequenceMajor), q.type}};
}

void AttentionLayer::writeParams(PlanWriter& w) const {
  w.u8(hasScale_ ? 1 : 0);
  w.f32(scale_);
  w.u8(causal_ ? 1 : 0);
  w.u8(zeroFullyMaskedRows_ ? 1 : 0);
  w.u8(static_cast<uint8_t>(sequenceMajor_));  // since plan version 15
}

void AttentionLayer::readParams(PlanReader& r) {
  hasScale_ = r.boolean("has_scale");
  scale_ = r.f32("scale");
  rules::finite(ParamCheck(r), "scale", "attention scale", scale_);
  if (!hasScale_ && scale_ != 0.f) r.fail("scale", "must be 0 when has_scale is 0");
  causal_ = r.boolean("causal");
  zeroFullyMaskedRows_ = r.boolean("zero_fully_masked_rows");
  if (r.remaining() == 0) return;  // before version 15: every tensor [B, H, S, D]
  sequenceMajor_ = r.u8("sequence_major");
  if (sequenceMajor_ & ~uint32_t(kAllSequenceMajor)) r.fail("sequence_major", "has bits other than 0-3");
}

IAttentionLayer* INetworkDefinition::addAttention(ITensor& query, ITensor& key, ITensor& value, ITensor* mask) {
  std::vector<ITensor*> inputs = {&query, &key, &value};
  if (mask) inputs.push_back(mask);
  return attach(*this, newLayer<IAttentionLayer>(), inputs, 1, "addAttention");
}

std::unique_ptr<LayerBase> makeAttentionLayer() { return std::make_unique<AttentionLayer>(); }

}  // namespace trt
