// nn.TransformerEncoder given a src_key_padding_mask in inference packs the batch into a nested
// tensor (aten::_nested_tensor_from_mask), runs its fast-path layers on it and pads the result back
// (aten::to_padded_tensor). Engines hold dense tensors only, so the chain becomes dense: each layer
// takes the padding mask as a key padding mask (mask_type 1), and the padding positions of the
// result are set to the padding value. Keys at padded positions are blocked, so the kept positions
// compute what the nested layers compute; rows at padded positions are overwritten at the end.
// Rewritten only where the nested value goes through encoder layers alone, into a
// to_padded_tensor whose output_size is the input's own size (as nn.TransformerEncoder writes it).
#include "core/lowering/passes/passes.h"
#include "core/util/macros.h"
#include "torch/csrc/jit/passes/dead_code_elimination.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

namespace {
using torch::jit::Node;
using torch::jit::Value;

const c10::Symbol kFromMask = c10::Symbol::fromQualString("aten::_nested_tensor_from_mask");
const c10::Symbol kEncoderLayer = c10::Symbol::fromQualString("aten::_transformer_encoder_layer_fwd");
const c10::Symbol kToPadded = c10::Symbol::fromQualString("aten::to_padded_tensor");
constexpr size_t kLayerMask = 18, kLayerMaskType = 19;

bool isNone(const Value* v) { return v->type()->kind() == c10::TypeKind::NoneType; }

// True when `sizes` is [x.size(0), ..., x.size(r - 1)] for the rank-3 x.
bool isSizeOf(const Value* sizes, const Value* x) {
  const Node* list = sizes->node();
  if (list->kind() != torch::jit::prim::ListConstruct || list->inputs().size() != 3) return false;
  for (size_t i = 0; i < 3; ++i) {
    const Node* size = list->input(i)->node();
    if (size->kind() != c10::Symbol::fromQualString("aten::size") || size->inputs().size() != 2 || size->input(0) != x)
      return false;
    auto dim = torch::jit::constant_as<int64_t>(size->input(1));
    if (!dim || (*dim != static_cast<int64_t>(i) && *dim != static_cast<int64_t>(i) - 3)) return false;
  }
  return true;
}

bool rewrite(torch::jit::Graph& graph, Node* fromMask) {
  if (fromMask->inputs().size() != 3) return false;
  Value* dense = fromMask->input(0);
  Value* keep = fromMask->input(1);
  // The chain of layers the nested value goes through, and where it is padded back.
  std::vector<Node*> layers;
  Value* current = fromMask->output();
  Node* pad = nullptr;
  while (!pad) {
    if (current->uses().size() != 1) return false;
    const auto& use = current->uses()[0];
    Node* user = use.user;
    if (user->owningBlock() != fromMask->owningBlock()) return false;
    if (user->kind() == kEncoderLayer && use.offset == 0 && user->inputs().size() == 20 &&
        isNone(user->input(kLayerMask))) {
      layers.push_back(user);
      current = user->output();
    } else if (user->kind() == kToPadded && use.offset == 0 && user->inputs().size() == 3 &&
               isSizeOf(user->input(2), dense)) {
      pad = user;
    } else {
      return false;
    }
  }
  if (layers.empty()) return false;

  Value* keyPadding = nullptr;
  Value* maskType = nullptr;
  {
    torch::jit::WithInsertPoint guard(fromMask);
    keyPadding = graph.insert(c10::Symbol::fromQualString("aten::logical_not"), {keep});
    maskType = graph.insertConstant(1);
  }
  for (Node* layer : layers) {
    layer->replaceInput(kLayerMask, keyPadding);
    layer->replaceInput(kLayerMaskType, maskType);
    layer->output()->setType(dense->type());
  }
  fromMask->output()->replaceAllUsesWith(dense);
  {
    torch::jit::WithInsertPoint guard(pad);
    Value* minusOne = graph.insertConstant(-1);
    Value* kept = graph.insert(c10::Symbol::fromQualString("aten::unsqueeze"), {keep, minusOne});
    Value* padded = graph.insert(c10::Symbol::fromQualString("aten::where"), {kept, current, pad->input(1)});
    padded->setType(pad->output()->type());
    pad->output()->replaceAllUsesWith(padded);
  }
  pad->destroy();
  fromMask->destroy();
  return true;
}
}  // namespace

void NestedEncoderToPaddingMask(std::shared_ptr<torch::jit::Graph>& graph) {
  std::vector<Node*> packs;
  for (Node* n : graph->block()->nodes())
    if (n->kind() == kFromMask) packs.push_back(n);
  int rewritten = 0;
  for (Node* n : packs) rewritten += rewrite(*graph, n);
  if (rewritten) torch::jit::EliminateDeadCode(graph);
  LOG_GRAPH("After NestedEncoderToPaddingMask (" << rewritten << " encoders): " << *graph);
}

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
