// Squeeze-and-excitation ends with `x * gate` (gate [N, 1, 1, C]: one value per image and channel) read only by
// a 1x1 projection convolution (EfficientNet, MobileNetV3). The multiply reads and writes the whole feature map;
// scaling the projection's weights per image instead touches N x Cout x Cin values (less where an image has at
// least twice as many pixels as the projection has outputs, the only case folded):
//   conv1x1(x * gate) = per image n: x[n] (pixels x Cin) . (W * gate[n])^T (Cin x Cout)
// so the convolution becomes one product batched over the images, [N, H*W, Cin] x [N, Cout, Cin]^T, its bias
// and residual in the product's epilogue (reshapes of x, the residual and the result: views). Channels-last
// convolutions ([N, H, W, C] tensors, after the layout pass) only: there each image's pixels are rows.
#include <memory>
#include <string>
#include <vector>

#include "builder/passes/pass_util.h"
#include "builder/passes/passes.h"
#include "common/cast_value.h"

namespace trt {
namespace passes {

namespace {
// `values` (float32) as a constant of `type` and `dims`, placed first.
ITensor* typedConstant(INetworkDefinition& network, const float* values, int64_t count, const Dims& dims, DataType type,
                       const std::string& name) {
  auto bytes = std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(count) * dataTypeSize(type));
  for (int64_t i = 0; i < count; ++i) cast_value::store(bytes->data(), type, i, values[i]);
  IConstantLayer* c = network.addConstant(dims, {type, bytes->data(), count}, bytes);
  c->setName(name.c_str());
  network.moveLayer(c, 0);
  return c->getOutput(0);
}

bool allEqual(const Dims& d, int64_t v) {
  for (int i = 0; i < d.nbDims; ++i)
    if (d.d[i] != v) return false;
  return true;
}
}  // namespace

int32_t foldExcitationGates(INetworkDefinition& network) {
  int32_t folded = 0;
  for (int l = 0; l < network.getNbLayers(); ++l) {
    ILayer* layer = network.getLayer(l);
    if (layer->getType() != LayerType::kCONVOLUTION || layer->precisionIsSet()) continue;
    auto* conv = static_cast<IConvolutionLayer*>(layer);
    const Dims k = conv->getKernelSizeNd();
    // The product's epilogue computes ReLU and GELU's tanh form on every backend (RegNetY's projection ends in
    // a ReLU after its residual, as the product's epilogue orders them).
    const int32_t activation = conv->getFusedActivation();
    const bool productActivation = activation < 0 || activation == static_cast<int32_t>(ActivationType::kRELU) ||
                                   activation == static_cast<int32_t>(ActivationType::kGELU_TANH);
    if (!conv->getChannelsLast() || conv->isInt8() || !productActivation || conv->getNbGroups() != 1 || k.nbDims != 2 ||
        !allEqual(k, 1) || !allEqual(conv->getStrideNd(), 1) || !allEqual(conv->getDilationNd(), 1) ||
        !allEqual(conv->getPrePadding(), 0) || !allEqual(conv->getPostPadding(), 0))
      continue;
    ILayer* mul = soleElementWise(network, conv->getInput(0), ElementWiseOperation::kPROD);
    if (!mul || mul->precisionIsSet()) continue;
    const Dims xd = conv->getInput(0)->getDimensions();  // [N, H, W, Cin]
    if (xd.nbDims != 4 || !xd.isStatic()) continue;
    const int64_t N = xd.d[0], H = xd.d[1], W = xd.d[2], C = xd.d[3], Cout = conv->getNbOutputMaps();
    ITensor* x = nullptr;
    ITensor* gate = nullptr;
    for (int side = 0; side < 2 && !x; ++side) {
      const Dims gd = mul->getInput(1 - side)->getDimensions();
      if (mul->getInput(side)->getDimensions() == xd && gd.nbDims == 4 && gd.d[0] == N && gd.d[1] == 1 &&
          gd.d[2] == 1 && gd.d[3] == C && H * W > 1) {
        x = mul->getInput(side);
        gate = mul->getInput(1 - side);
      }
    }
    // Worth it where an image has many more pixels than the projection has outputs: the multiply read and wrote
    // N*H*W*Cin values, the weights per image are N*Cout*Cin, and N products of H*W rows replace one of N*H*W
    // (EfficientNet's late 7x7 stages with 192-320 outputs keep the multiply).
    if (H * W < 2 * Cout) continue;
    const DataType type = conv->getOutput(0)->getType();
    if (!x || x->getType() != type || gate->getType() != type ||
        (type != DataType::kFLOAT && type != DataType::kHALF && type != DataType::kBF16))
      continue;
    const Weights kw = conv->getKernelWeights();
    if (kw.type != DataType::kFLOAT || kw.count != Cout * C) continue;
    const std::string name = conv->getName();
    // W [1, Cout, Cin] * gate [N, 1, Cin]: each image's weights, in the convolution's type.
    ITensor* weights = typedConstant(network, static_cast<const float*>(kw.values), kw.count, Dims{1, Cout, C}, type,
                                     name + " [weights per image]");
    ITensor* g = reshapedBefore(network, *gate, Dims{N, 1, C}, conv, name + " [gate per image]");
    IElementWiseLayer* scaled = network.addElementWise(*weights, *g, ElementWiseOperation::kPROD);
    scaled->setName((name + " [gated weights]").c_str());
    network.moveLayer(scaled, network.indexOf(conv));
    ITensor* rows = reshapedBefore(network, *x, Dims{N, H * W, C}, conv, name + " [pixels as rows]");
    IMatrixMultiplyLayer* mm =
        network.addMatrixMultiply(*rows, MatrixOperation::kNONE, *scaled->getOutput(0), MatrixOperation::kTRANSPOSE);
    mm->setName((name + " + " + mul->getName()).c_str());
    if (activation >= 0) mm->setFusedActivation(activation);
    network.moveLayer(mm, network.indexOf(conv));
    // The bias (zeros where the convolution has none) and the residual in the product's epilogue.
    const Weights bw = conv->getBiasWeights();
    std::vector<float> zeros;
    const float* bias = static_cast<const float*>(bw.values);
    if (bw.count != Cout || bw.type != DataType::kFLOAT) {
      zeros.assign(static_cast<size_t>(Cout), 0.f);
      bias = zeros.data();
    }
    mm->setInput(2, *typedConstant(network, bias, Cout, Dims{Cout}, type, name + " [bias]"));
    if (conv->getNbInputs() > 1)
      mm->setInput(3,
                   *reshapedBefore(network, *conv->getInput(1), Dims{N, H * W, Cout}, mm, name + " [residual rows]"));
    ITensor* out = reshapedBefore(network, *mm->getOutput(0), Dims{N, H, W, Cout}, conv, name + " [rows as pixels]");
    network.replaceAllUses(*conv->getOutput(0), *out);
    ++folded;
    l = network.indexOf(conv);  // past the (now dead) convolution and the layers put before it
  }
  return folded;
}

}  // namespace passes
}  // namespace trt
