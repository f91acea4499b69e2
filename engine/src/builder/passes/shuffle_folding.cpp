// Shuffle folding: two transposes in a row become one, two reshapes in a row become one, and a
// shuffle that moves nothing (identity permutations, no reshape or a reshape of a static shape to
// itself) disappears. Layout changes at region borders, converters' permute pairs (attention heads,
// channels-last inputs) and chains of view/unsqueeze/flatten meet this way.
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "runtime/memory_views.h"

namespace trt {
namespace passes {

namespace {
// Transposing by `a`, then by `b`, as one permutation of `rank` dims: output dim i is input dim a[b[i]].
Permutation compose(const Permutation& a, const Permutation& b, int32_t rank) {
  Permutation p;
  for (int i = 0; i < rank; ++i) p.order[i] = a.order[b.order[i]];
  return p;
}

// The permutation a shuffle without a reshape applies: output dim i is input dim p[i].
Permutation effectivePermutation(const IShuffleLayer& s, int32_t rank) {
  return compose(s.getFirstTranspose(), s.getSecondTranspose(), rank);
}

bool isIdentity(const Permutation& p, int32_t rank) {
  for (int i = 0; i < rank; ++i)
    if (p.order[i] != i) return false;
  return true;
}

// A shuffle that only reshapes (both transposes identity, static reshape dimensions).
bool isPureReshape(const IShuffleLayer& s) {
  if (s.getNbInputs() != 1 || !s.hasReshape()) return false;
  const int32_t inRank = s.getInput(0)->getDimensions().nbDims, outRank = s.getReshapeDimensions().nbDims;
  return isIdentity(s.getFirstTranspose(), inRank) && isIdentity(s.getSecondTranspose(), outRank);
}

// reshape(reshape(x, a), b) as one reshape of x: b's 0 placeholders copy the intermediate's
// dimensions, so they are resolved first (false when such a dimension is only known at run time).
bool foldReshapePair(INetworkDefinition& network, IShuffleLayer& s) {
  auto* prev = static_cast<IShuffleLayer*>(soleUseProducer(network, s.getInput(0), LayerType::kSHUFFLE));
  if (!prev || !isPureReshape(*prev)) return false;
  const Dims middle = prev->getOutput(0)->getDimensions();
  Dims target = s.getReshapeDimensions();
  if (s.getZeroIsPlaceholder()) {
    for (int i = 0; i < target.nbDims; ++i) {
      if (target.d[i] != 0) continue;
      if (i >= middle.nbDims || middle.d[i] <= 0) return false;  // run-time (or empty) dimension
      target.d[i] = middle.d[i];
    }
  }
  s.setInput(0, *prev->getInput(0));
  s.setReshapeDimensions(target);
  s.setName((std::string(prev->getName()) + " + " + s.getName()).c_str());
  return true;
}

// Replaces `s` (read by its consumers) by `merged`, a new shuffle computing the same from an earlier tensor,
// where `merged` runs as a view of its input's memory (static shapes); otherwise `merged` is removed. Only
// merges that leave a view are kept, so the passes after this one still see the model's other transposes
// and reshapes as the converters made them.
bool keepIfView(INetworkDefinition& network, IShuffleLayer& s, IShuffleLayer* merged) {
  const Dims in = merged->getInput(0)->getDimensions(), out = s.getOutput(0)->getDimensions();
  if (!in.isStatic() || !out.isStatic() || s.getOutput(0)->isNetworkOutput() ||
      !(merged->getOutput(0)->getDimensions() == out) || !isMemoryView(*merged, in, out)) {
    network.removeLayer(merged);
    return false;
  }
  network.moveLayer(merged, network.indexOf(&s));
  network.replaceAllUses(*s.getOutput(0), *merged->getOutput(0));
  return true;
}

// A transpose-only shuffle `prev` read only by `s`, a reshape: one shuffle transposing then reshaping (s's
// placeholders copy the same dimensions, those of prev's output), kept where it reads memory in order (a
// channels-last region's exit transpose before a model's flatten: ViT's patch embedding).
bool foldTransposeIntoReshape(INetworkDefinition& network, IShuffleLayer& s) {
  auto* prev = static_cast<IShuffleLayer*>(soleUseProducer(network, s.getInput(0), LayerType::kSHUFFLE));
  if (!prev || prev->getNbInputs() != 1 || prev->hasReshape() || s.getNbInputs() != 1) return false;
  const int32_t rank = prev->getInput(0)->getDimensions().nbDims;
  const Permutation composed = compose(effectivePermutation(*prev, rank), s.getFirstTranspose(), rank);
  IShuffleLayer* merged = network.addShuffle(*prev->getInput(0));
  merged->setFirstTranspose(composed);
  merged->setZeroIsPlaceholder(s.getZeroIsPlaceholder());
  merged->setReshapeDimensions(s.getReshapeDimensions());
  merged->setSecondTranspose(s.getSecondTranspose());
  merged->setName((std::string(prev->getName()) + " + " + s.getName()).c_str());
  return keepIfView(network, s, merged);
}

// A shuffle `prev` with a reshape, read only by the transpose-only `s`: prev's steps with s's permutation
// after its second transpose (and a transpose-only shuffle before prev, read only by prev, as the first
// transpose), kept where that reads memory in order: a channels-last region's exit transpose, a model's
// flatten and the permute that undoes the transpose (ViT's patch embedding) are the input's bytes as they are.
bool foldReshapeIntoTranspose(INetworkDefinition& network, IShuffleLayer& s) {
  auto* prev = static_cast<IShuffleLayer*>(soleUseProducer(network, s.getInput(0), LayerType::kSHUFFLE));
  if (!prev || prev->getNbInputs() != 1 || !prev->hasReshape() || s.getNbInputs() != 1 || s.hasReshape()) return false;
  const int32_t rank = s.getInput(0)->getDimensions().nbDims;
  const Permutation composed = compose(prev->getSecondTranspose(), effectivePermutation(s, rank), rank);
  auto* before = static_cast<IShuffleLayer*>(soleUseProducer(network, prev->getInput(0), LayerType::kSHUFFLE));
  const bool absorb = before && before->getNbInputs() == 1 && !before->hasReshape();
  for (int withBefore = absorb ? 1 : 0; withBefore >= 0; --withBefore) {
    ITensor* source = withBefore ? before->getInput(0) : prev->getInput(0);
    Permutation first = prev->getFirstTranspose();
    std::string name = std::string(prev->getName()) + " + " + s.getName();
    if (withBefore) {
      const int32_t sourceRank = source->getDimensions().nbDims;
      first = compose(effectivePermutation(*before, sourceRank), first, sourceRank);
      name = std::string(before->getName()) + " + " + name;
    }
    IShuffleLayer* merged = network.addShuffle(*source);
    merged->setFirstTranspose(first);
    merged->setZeroIsPlaceholder(prev->getZeroIsPlaceholder());
    merged->setReshapeDimensions(prev->getReshapeDimensions());
    merged->setSecondTranspose(composed);
    merged->setName(name.c_str());
    if (keepIfView(network, s, merged)) return true;
  }
  return false;
}

int32_t foldShuffleChains(INetworkDefinition& network, bool mergeIntoViews) {
  int32_t changed = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    if (!isMovingShuffle(network.getLayer(l))) continue;
    auto* s = static_cast<IShuffleLayer*>(network.getLayer(l));
    if (isPureReshape(*s)) {
      if (mergeIntoViews && foldTransposeIntoReshape(network, *s)) {
        ++changed;
        ++l;  // past s, which the merged shuffle placed before it replaces
        continue;
      }
      if (foldReshapePair(network, *s)) ++changed;
      // A reshape of a static shape to itself moves nothing.
      const Dims in = s->getInput(0)->getDimensions(), out = s->getOutput(0)->getDimensions();
      if (in.isStatic() && in == out && !s->getOutput(0)->isNetworkOutput()) {
        network.replaceAllUses(*s->getOutput(0), *s->getInput(0));
        ++changed;
      }
      continue;
    }
    if (s->getNbInputs() != 1 || s->hasReshape()) continue;
    if (mergeIntoViews && foldReshapeIntoTranspose(network, *s)) {
      ++changed;
      ++l;  // past s, which the merged shuffle placed before it replaces
      continue;
    }
    const int32_t rank = s->getInput(0)->getDimensions().nbDims;
    Permutation p = effectivePermutation(*s, rank);
    // transpose(transpose(x, p1), p2) = transpose(x, p1[p2[i]]).
    if (auto* prev = static_cast<IShuffleLayer*>(soleUseProducer(network, s->getInput(0), LayerType::kSHUFFLE))) {
      if (prev->getNbInputs() == 1 && !prev->hasReshape()) {
        const Permutation p1 = effectivePermutation(*prev, rank);
        const Permutation composed = compose(p1, p, rank);
        s->setInput(0, *prev->getInput(0));
        s->setFirstTranspose(composed);
        s->setSecondTranspose(Permutation{});
        s->setName((std::string(prev->getName()) + " + " + s->getName()).c_str());
        p = composed;
        ++changed;
      }
    }
    // An identity shuffle: readers take its input (a network output keeps its own tensor).
    if (isIdentity(p, rank) && !s->getOutput(0)->isNetworkOutput()) {
      network.replaceAllUses(*s->getOutput(0), *s->getInput(0));
      ++changed;
    }
  }
  return changed;
}
}  // namespace

int32_t foldShuffles(INetworkDefinition& network) { return foldShuffleChains(network, false); }

int32_t foldShufflesIntoViews(INetworkDefinition& network) { return foldShuffleChains(network, true); }

}  // namespace passes
}  // namespace trt
