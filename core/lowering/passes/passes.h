// Lowering passes: one per file, each rewriting the graph into forms the converters take.
#pragma once

#include <memory>

#include "torch/csrc/jit/ir/ir.h"

namespace torch_tensorrt {
namespace core {
namespace lowering {
namespace passes {

//! Removes dropout / feature_dropout in inference (train=False) graphs.
void RemoveDropout(std::shared_ptr<torch::jit::Graph>& graph);
//! aten::linear -> aten::matmul(x, aten::t(w)) (+ bias), as the seed's lowering shows.
void LinearToMatmulAdd(std::shared_ptr<torch::jit::Graph>& graph);
//! x.view/reshape(x.size(0), ..., x.size(k-1), -1) -> aten::flatten(x, k, -1) (no size arithmetic, so a
//! dynamic batch converts).
void ReshapeWithLeadingSizesToFlatten(std::shared_ptr<torch::jit::Graph>& graph);
//! Writes into slice/select views (x[a:b] = v: fill_ / copy_ / zero_ on a view chain) -> slice_scatter /
//! select_scatter of the base, where no earlier view of the base is read after the write.
void ViewWritesToScatter(std::shared_ptr<torch::jit::Graph>& graph);
//! nn.TransformerEncoder's nested-tensor path (_nested_tensor_from_mask -> encoder layers ->
//! to_padded_tensor) -> the same layers on the dense input with a key padding mask.
void NestedEncoderToPaddingMask(std::shared_ptr<torch::jit::Graph>& graph);
//! aten::conv1d/2d/3d and aten::convolution -> aten::_convolution.
void ConvToConvolution(std::shared_ptr<torch::jit::Graph>& graph);

}  // namespace passes
}  // namespace lowering
}  // namespace core
}  // namespace torch_tensorrt
