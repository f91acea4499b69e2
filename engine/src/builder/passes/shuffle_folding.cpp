// Shuffle folding: two transposes in a row become one, two reshapes in a row become one, and a
// shuffle that moves nothing (identity permutations, no reshape or a reshape of a static shape to
// itself) disappears. Layout changes at region borders, converters' permute pairs (attention heads,
// channels-last inputs) and chains of view/unsqueeze/flatten meet this way.
#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"

namespace trt {
namespace passes {

namespace {
// The permutation a shuffle without a reshape applies: output dim i is input dim p[i].
Permutation effectivePermutation(const IShuffleLayer& s, int32_t rank) {
  Permutation p;
  const Permutation first = s.getFirstTranspose(), second = s.getSecondTranspose();
  for (int i = 0; i < rank; ++i) p.order[i] = first.order[second.order[i]];
  return p;
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
}  // namespace

int32_t foldShuffles(INetworkDefinition& network) {
  int32_t changed = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    if (network.getLayer(l)->getType() != LayerType::kSHUFFLE) continue;
    auto* s = static_cast<IShuffleLayer*>(network.getLayer(l));
    if (isPureReshape(*s)) {
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
    const int32_t rank = s->getInput(0)->getDimensions().nbDims;
    Permutation p = effectivePermutation(*s, rank);
    // transpose(transpose(x, p1), p2) = transpose(x, p1[p2[i]]).
    if (auto* prev = static_cast<IShuffleLayer*>(soleUseProducer(network, s->getInput(0), LayerType::kSHUFFLE))) {
      if (prev->getNbInputs() == 1 && !prev->hasReshape()) {
        const Permutation p1 = effectivePermutation(*prev, rank);
        Permutation composed;
        for (int i = 0; i < rank; ++i) composed.order[i] = p1.order[p.order[i]];
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

}  // namespace passes
}  // namespace trt
