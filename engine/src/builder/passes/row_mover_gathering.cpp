// A run of layers that only move whole rows (shuffles and slices that keep the last axis whole and last) with
// two or more of them copying becomes one gather of rows by a constant index table: Swin's shifted windows roll
// the feature map and then cut it into windows (two copies), and after the attention put the windows back and
// roll back (two more). The table is the chain's row map, computed on the rows alone (every layer keeps the
// last axis, so the chain moves rows as it would move elements of the same tensor with a last dim of 1); where
// each batch's rows map within the batch alike, it holds one batch's rows and the gather reads along axis 1.
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/sample_mode.h"
#include "runtime/memory_views.h"

namespace trt {
namespace passes {

namespace {
Dims rowsOf(Dims d) {  // the dims with the last axis as 1
  d.d[d.nbDims - 1] = 1;
  return d;
}

// Row-major unravel of `flat` over `d`.
void unravel(int64_t flat, const Dims& d, int64_t* at) {
  for (int i = d.nbDims - 1; i >= 0; --i) {
    at[i] = flat % d.d[i];
    flat /= d.d[i];
  }
}

int64_t ravel(const int64_t* at, const Dims& d) {
  int64_t flat = 0;
  for (int i = 0; i < d.nbDims; ++i) flat = flat * d.d[i] + at[i];
  return flat;
}

// A row mover (pass_util.h) of a tensor that is not empty.
bool movesRows(const ILayer* layer, int64_t n) {
  return movesWholeRows(layer, n) && layer->getInput(0)->getDimensions().volume() > 0;
}

// The input row that output row `row` of a row mover reads (on the dims with the last axis 1).
int64_t sourceRow(const ILayer& layer, int64_t row) {
  const Dims in = rowsOf(layer.getInput(0)->getDimensions()), out = rowsOf(layer.getOutput(0)->getDimensions());
  int64_t at[Dims::MAX_DIMS], from[Dims::MAX_DIMS];
  unravel(row, out, at);
  if (layer.getType() == LayerType::kSLICE) {
    const auto& s = static_cast<const ISliceLayer&>(layer);
    for (int i = 0; i < in.nbDims; ++i)
      from[i] =
          sampleCoordinate(s.getStart().d[i] + at[i] * s.getStride().d[i], in.d[i], static_cast<int32_t>(s.getMode()));
    return ravel(from, in);
  }
  const auto& s = static_cast<const IShuffleLayer&>(layer);
  const Permutation first = s.getFirstTranspose(), second = s.getSecondTranspose();
  // Output dim i is dim second[i] of the reshaped tensor, whose dim j is dim first[j] of the input.
  Dims transposed = in, reshaped = out;
  for (int j = 0; j < in.nbDims; ++j) transposed.d[j] = in.d[first.order[j]];
  for (int i = 0; i < out.nbDims; ++i) reshaped.d[second.order[i]] = out.d[i];
  int64_t r[Dims::MAX_DIMS], t[Dims::MAX_DIMS];
  for (int i = 0; i < out.nbDims; ++i) r[second.order[i]] = at[i];
  unravel(ravel(r, reshaped), transposed, t);
  for (int j = 0; j < in.nbDims; ++j) from[first.order[j]] = t[j];
  return ravel(from, in);
}

// Whether a row mover copies (a slice or shuffle the runtime cannot run as a view of its input, at an offset
// for a slice of one contiguous block).
bool copies(const ILayer& layer) {
  int64_t offset = 0;
  return !isMemoryView(layer, layer.getInput(0)->getDimensions(), layer.getOutput(0)->getDimensions(), &offset);
}
}  // namespace

int32_t gatherRowMoverChains(INetworkDefinition& network) {
  int32_t gathered = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* first = network.getLayer(l);
    const Dims fd = first->getNbInputs() == 1 ? first->getInput(0)->getDimensions() : Dims{};
    if (fd.nbDims < 2 || !movesRows(first, fd.d[fd.nbDims - 1])) continue;
    const int64_t n = fd.d[fd.nbDims - 1];
    // A chain starts where its input is not itself a row mover's output read only by it.
    const ILayer* before = first->getInput(0)->getProducer();
    if (before && movesRows(before, n) && soleConsumer(network, first->getInput(0)) == first) continue;
    std::vector<ILayer*> chain = {first};
    while (true) {
      ILayer* next = soleConsumer(network, chain.back()->getOutput(0));
      if (!next || next->getInput(0) != chain.back()->getOutput(0) || !movesRows(next, n)) break;
      chain.push_back(next);
    }
    int copying = 0;
    for (const ILayer* layer : chain) copying += copies(*layer);
    if (copying < 2) continue;
    ITensor* source = first->getInput(0);
    ITensor* result = chain.back()->getOutput(0);
    const Dims in = source->getDimensions(), out = result->getDimensions();
    const int64_t inRows = in.volume() / n, outRows = out.volume() / n;
    if (outRows <= 0 || inRows > (int64_t(1) << 31) || outRows > (int64_t(1) << 31)) continue;
    // The chain's row map, output row -> input row.
    std::vector<int64_t> map(static_cast<size_t>(outRows));
    for (int64_t r = 0; r < outRows; ++r) {
      int64_t row = r;
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) row = sourceRow(**it, row);
      map[static_cast<size_t>(r)] = row;
    }
    // One table for every batch when the b-th block of output rows comes from input batch b, alike in each.
    const int64_t batches = in.d[0] > 1 && outRows % in.d[0] == 0 ? in.d[0] : 1;  // the input's batch
    const int64_t inPer = inRows / batches, outPer = outRows / batches;
    bool perBatch = batches > 1;
    for (int64_t r = 0; r < outRows && perBatch; ++r)
      perBatch = map[static_cast<size_t>(r)] - (r / outPer) * inPer == map[static_cast<size_t>(r % outPer)] &&
                 map[static_cast<size_t>(r % outPer)] < inPer;
    const int64_t tableRows = perBatch ? outPer : outRows, groups = perBatch ? batches : 1;
    std::vector<int32_t> table(static_cast<size_t>(tableRows));
    for (int64_t r = 0; r < tableRows; ++r)
      table[static_cast<size_t>(r)] = static_cast<int32_t>(map[static_cast<size_t>(r)]);
    const std::string name = std::string(first->getName()) + " .. " + chain.back()->getName() + " [rows gathered]";
    int32_t place = network.indexOf(chain.back());
    IShuffleLayer* rows = network.addShuffle(*source);
    rows->setZeroIsPlaceholder(false);
    rows->setReshapeDimensions(Dims{groups, perBatch ? inPer : inRows, n});
    rows->setName((name + " rows").c_str());
    network.moveLayer(rows, place++);
    IConstantLayer* indices = network.addConstant(Dims{tableRows}, {DataType::kINT32, table.data(), tableRows});
    indices->setName((name + " table").c_str());
    network.moveLayer(indices, place++);
    IGatherLayer* gather = network.addGather(*rows->getOutput(0), *indices->getOutput(0), 1);
    gather->setName(name.c_str());
    network.moveLayer(gather, place++);
    IShuffleLayer* shaped = network.addShuffle(*gather->getOutput(0));
    shaped->setZeroIsPlaceholder(false);
    shaped->setReshapeDimensions(out);
    shaped->setName((name + " shape").c_str());
    network.moveLayer(shaped, place++);
    network.replaceAllUses(*result, *shaped->getOutput(0));
    ++gathered;
    l = network.indexOf(shaped);
  }
  return gathered;
}

}  // namespace passes
}  // namespace trt
