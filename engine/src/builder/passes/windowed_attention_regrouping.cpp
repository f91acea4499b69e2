// Shifted-window attention (Swin), once fused, reads its windows as heads: Q, K, V [B*nW, H, N, D] reshaped to
// [B, nW*H, N, D] around one Attention whose bias [1, nW*H, N, N] holds the window mask and the position bias
// (windowed_attention_bias.cpp), and its output reshaped back. Read per window instead ([B*nW, H, N, D], the
// bias as a 5-D mask [1, nW, H, N, N] that repeats every nW batches), the attention takes the tensors as the
// window partition gives them: the attention layout pass can then read them through strides and the packed
// Q/K/V product can be stacked (head_split_product_stacking.cpp), where windows x heads made each of Q, K, V and
// the output a copy. For backends whose attention reads strides (the builder runs it where it runs the
// attention layout pass).
#include <string>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "layers/attention_layout.h"

namespace trt {
namespace passes {

namespace {
constexpr int64_t kPerWindowMaxTokens = 64;

// The shuffle producing `t` when it only reshapes one input (no transposes), or nullptr.
IShuffleLayer* pureReshape(ITensor* t) {
  ILayer* p = t->getProducer();
  if (!isMovingShuffle(p) || p->getNbInputs() != 1 || p->precisionIsSet()) return nullptr;
  auto* shuffle = static_cast<IShuffleLayer*>(p);
  return isIdentityPermutation(shuffle->getFirstTranspose()) && isIdentityPermutation(shuffle->getSecondTranspose())
             ? shuffle
             : nullptr;
}

// Whether `from` [B*nW, H, N, D] reshaped gives `to` [B, nW*H, N, D].
bool windowsAsHeads(const Dims& from, const Dims& to, int64_t windows) {
  return from.nbDims == 4 && to.nbDims == 4 && from.isStatic() && to.isStatic() && to.d[0] * windows == from.d[0] &&
         from.d[1] * windows == to.d[1] && from.d[2] == to.d[2] && from.d[3] == to.d[3];
}
}  // namespace

int32_t regroupWindowedAttention(INetworkDefinition& network) {
  int32_t regrouped = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kATTENTION || layer->getNbInputs() != 4 || !layer->getInput(3)) continue;
    auto* attention = static_cast<IAttentionLayer*>(layer);
    if (attentionSequenceMajor(*attention) != 0) continue;
    IShuffleLayer* reshapes[3];
    bool reshaped = true;
    for (int i = 0; i < 3 && reshaped; ++i) reshaped = (reshapes[i] = pureReshape(attention->getInput(i))) != nullptr;
    if (!reshaped) continue;
    const Dims q = attention->getInput(0)->getDimensions(), q0 = reshapes[0]->getInput(0)->getDimensions();
    if (q.nbDims != 4 || q0.nbDims != 4 || q.d[0] <= 0 || q0.d[0] % q.d[0] != 0) continue;
    const int64_t windows = q0.d[0] / q.d[0];
    // Windows of at most 64 tokens (Swin's 7 x 7, 8 x 8), which the CUDA backend's small-sequence kernel runs
    // reading the 5-D mask as it is; longer ones go through cuDNN's SDPA, for which the mask would be repeated
    // for every batch (B*nW x H x N x N), where windows x heads reads one [nW*H, N, N] bias.
    if (windows < 2 || q.d[2] > kPerWindowMaxTokens ||
        attention->getInput(1)->getDimensions().d[2] > kPerWindowMaxTokens)
      continue;
    bool perWindow = true;
    for (int i = 0; i < 3 && perWindow; ++i)
      perWindow =
          windowsAsHeads(reshapes[i]->getInput(0)->getDimensions(), attention->getInput(i)->getDimensions(), windows);
    // The mask [1, nW*H, N or 1, Nk or 1] (or of lower rank with its windows x heads axis).
    ITensor* mask = attention->getInput(3);
    const Dims md = mask->getDimensions();
    if (!perWindow || md.nbDims < 3 || md.nbDims > 4 || !md.isStatic() || (md.nbDims == 4 && md.d[0] != 1) ||
        md.d[md.nbDims - 3] != q.d[1])
      continue;
    // The output [B, nW*H, N, Dv], read only by its reshape back to [B*nW, H, N, Dv].
    ILayer* reader = soleConsumer(network, attention->getOutput(0));
    if (!isMovingShuffle(reader)) continue;
    IShuffleLayer* back = pureReshape(reader->getOutput(0));
    if (back != reader ||
        !windowsAsHeads(back->getOutput(0)->getDimensions(), attention->getOutput(0)->getDimensions(), windows))
      continue;
    const int64_t heads = q0.d[1];
    IShuffleLayer* mask5 = network.addShuffle(*mask);
    mask5->setZeroIsPlaceholder(false);
    mask5->setReshapeDimensions(Dims{1, windows, heads, md.d[md.nbDims - 2], md.d[md.nbDims - 1]});
    mask5->setName((std::string(attention->getName()) + " [mask per window]").c_str());
    network.moveLayer(mask5, network.indexOf(attention));
    for (int i = 0; i < 3; ++i) attention->setInput(i, *reshapes[i]->getInput(0));
    attention->setInput(3, *mask5->getOutput(0));
    network.replaceAllUses(*back->getOutput(0), *attention->getOutput(0));
    ++regrouped;
    l = network.indexOf(attention);
  }
  return regrouped;
}

}  // namespace passes
}  // namespace trt
