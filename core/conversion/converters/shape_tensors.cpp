#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace shape {

namespace {
bool isIntType(trt::DataType t) { return t == trt::DataType::kINT64 || t == trt::DataType::kINT32; }
}  // namespace

trt::ITensor* int64Vector(ConversionCtx* ctx, const std::vector<int64_t>& values, const std::string& name) {
  auto* layer = ctx->net->addConstant({static_cast<int64_t>(values.size())},
                                      {trt::DataType::kINT64, values.data(), static_cast<int64_t>(values.size())});
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

namespace {
// The Shape layer of `t`, made once per tensor and shared by every converter that reads its sizes.
trt::ITensor* shapeLayerOf(ConversionCtx* ctx, trt::ITensor* t, const std::string& name) {
  auto it = ctx->shape_of_tensor.find(t);
  if (it != ctx->shape_of_tensor.end()) return it->second;
  auto* layer = ctx->net->addShape(*t);
  layer->setName(name.c_str());
  return ctx->shape_of_tensor[t] = layer->getOutput(0);
}
}  // namespace

trt::ITensor* dimension(ConversionCtx* ctx, trt::ITensor* t, int64_t dim, const std::string& name) {
  const trt::Dims dims = t->getDimensions();
  if (dims.d[dim] >= 0) return scalarConstant(ctx, dims.d[dim], trt::DataType::kINT64, name);
  return element(ctx, shapeLayerOf(ctx, t, name + " [shape]"), dim, name);
}

trt::ITensor* element(ConversionCtx* ctx, trt::ITensor* t, int64_t i, const std::string& name) {
  trt::ITensor* index = scalarConstant(ctx, i, trt::DataType::kINT32, name + " [index]");
  auto* gather = ctx->net->addGather(*t, *index, 0);
  gather->setName(name.c_str());
  return gather->getOutput(0);
}

trt::ITensor* shapeOf(ConversionCtx* ctx, trt::ITensor* t, const std::string& name,
                      const std::map<int64_t, trt::ITensor*>& replace) {
  const trt::Dims dims = t->getDimensions();
  if (replace.empty()) {
    if (dims.isStatic()) return int64Vector(ctx, util::toVec(dims), name);
    return shapeLayerOf(ctx, t, name);
  }
  std::vector<trt::ITensor*> parts;
  for (int d = 0; d < dims.nbDims; ++d) {
    auto it = replace.find(d);
    if (it != replace.end())
      parts.push_back(it->second);
    else
      parts.push_back(asElement(ctx, dimension(ctx, t, d, name + " [dim " + std::to_string(d) + "]"), name));
  }
  return concat(ctx, parts, name);
}

trt::ITensor* asElement(ConversionCtx* ctx, trt::ITensor* value, const std::string& name) {
  value = castTo(ctx, value, trt::DataType::kINT64, name + " [int64]");
  if (value->getDimensions().nbDims == 1) return value;
  return reshape(ctx, value, {1}, name + " [as element]");
}

trt::ITensor* asElement(ConversionCtx* ctx, Var& arg, const std::string& name) {
  if (arg.isITensor()) return asElement(ctx, arg.ITensor(), name);
  return int64Vector(ctx, {arg.unwrapToInt()}, name);
}

bool isRunTimeSizes(Var& arg) {
  if (arg.type() == Var::kITensorList) return true;
  return arg.isITensor() && isIntType(arg.ITensor()->getType()) && arg.ITensor()->getDimensions().nbDims == 1;
}

trt::ITensor* sizesTensor(ConversionCtx* ctx, Var& arg, const std::string& name) {
  if (arg.isITensor()) return castTo(ctx, arg.ITensor(), trt::DataType::kINT64, name + " [int64]");
  std::vector<trt::ITensor*> parts;
  for (trt::ITensor* t : arg.unwrapToITensorList(ctx)) parts.push_back(asElement(ctx, t, name));
  return concat(ctx, parts, name);
}

trt::ITensor* concat(ConversionCtx* ctx, const std::vector<trt::ITensor*>& parts, const std::string& name) {
  if (parts.size() == 1) return parts[0];
  auto* layer = ctx->net->addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* arith(ConversionCtx* ctx, trt::ElementWiseOperation op, trt::ITensor* a, trt::ITensor* b,
                    const std::string& name) {
  a = castTo(ctx, a, trt::DataType::kINT64, name + " [int64 a]");
  b = castTo(ctx, b, trt::DataType::kINT64, name + " [int64 b]");
  auto* layer = ctx->net->addElementWise(*a, *b, op);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* reshapeTo(ConversionCtx* ctx, trt::ITensor* t, trt::ITensor* sizes, const std::string& name) {
  auto* layer = ctx->net->addShuffle(*t);
  layer->setZeroIsPlaceholder(false);
  layer->setInput(1, *sizes);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* regroup(ConversionCtx* ctx, trt::ITensor* t, const std::vector<std::vector<int64_t>>& groups,
                      const std::string& name) {
  const trt::Dims dims = t->getDimensions();
  // While at most one output dim is dynamic, a static reshape (-1 for that dim) does it.
  std::vector<int64_t> out;
  int dynamic = 0;
  for (const auto& group : groups) {
    int64_t product = 1;
    for (int64_t d : group) product = dims.d[d] < 0 || product < 0 ? -1 : product * dims.d[d];
    out.push_back(product);
    dynamic += product < 0;
  }
  if (dynamic <= 1) return reshape(ctx, t, out, name);
  std::vector<trt::ITensor*> parts;
  for (const auto& group : groups) {
    int64_t fixed = 1;
    trt::ITensor* product = nullptr;
    for (int64_t d : group) {
      if (dims.d[d] >= 0) {
        fixed *= dims.d[d];
        continue;
      }
      trt::ITensor* size = asElement(ctx, dimension(ctx, t, d, name + " [size]"), name);
      product = product ? arith(ctx, trt::ElementWiseOperation::kPROD, product, size, name + " [product]") : size;
    }
    trt::ITensor* fixedPart = int64Vector(ctx, {fixed}, name + " [static size]");
    if (!product)
      product = fixedPart;
    else if (fixed != 1)
      product = arith(ctx, trt::ElementWiseOperation::kPROD, product, fixedPart, name + " [product]");
    parts.push_back(product);
  }
  return reshapeTo(ctx, t, concat(ctx, parts, name + " [sizes]"), name);
}

trt::ITensor* slice(ConversionCtx* ctx, trt::ITensor* t, trt::ITensor* start, trt::ITensor* size,
                    const std::vector<int64_t>& stride, const std::string& name) {
  const std::vector<int64_t> zeros(stride.size(), 0);
  auto* layer = ctx->net->addSlice(*t, util::toDims(zeros), util::toDims(zeros), util::toDims(stride));
  layer->setInput(1, *start);
  layer->setInput(2, *size);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* diagonalOffsets(ConversionCtx* ctx, trt::ITensor* t, const std::string& name) {
  const int64_t rank = t->getDimensions().nbDims;
  trt::ITensor* plane = concat(ctx,
                               {asElement(ctx, dimension(ctx, t, rank - 2, name + " [rows]"), name),
                                asElement(ctx, dimension(ctx, t, rank - 1, name + " [columns]"), name)},
                               name + " [plane]");
  auto ramp = [&](std::vector<double> beta, const char* what) {
    auto* fill = ctx->net->addFill({}, trt::FillOperation::kLINSPACE, trt::DataType::kINT64);
    fill->setInput(0, *plane);
    fill->setBeta(std::move(beta));
    fill->setName((name + what).c_str());
    return fill->getOutput(0);
  };
  trt::ITensor* rows = ramp({1.0, 0.0}, " [row index]");
  trt::ITensor* columns = ramp({0.0, 1.0}, " [column index]");
  return arith(ctx, trt::ElementWiseOperation::kSUB, columns, rows, name + " [column - row]");
}

trt::ITensor* broadcastTo(ConversionCtx* ctx, trt::ITensor* in, trt::ITensor* target, const std::string& name) {
  const bool isBool = in->getType() == trt::DataType::kBOOL;
  // Fill makes float32, float16, int32, int64 and bool; ones of other types (bfloat16, int8) are
  // float32 ones cast, exactly.
  const trt::DataType type = in->getType();
  const bool fillable = type == trt::DataType::kFLOAT || type == trt::DataType::kHALF ||
                        type == trt::DataType::kINT32 || type == trt::DataType::kINT64 || isBool;
  auto* ones = ctx->net->addFill({}, trt::FillOperation::kCONSTANT, fillable ? type : trt::DataType::kFLOAT);
  ones->setInput(0, *target);
  ones->setAlpha(1.0);
  ones->setName((name + " [ones]").c_str());
  trt::ITensor* one = castTo(ctx, ones->getOutput(0), type, name + " [ones cast]");
  auto* layer =
      ctx->net->addElementWise(*in, *one, isBool ? trt::ElementWiseOperation::kAND : trt::ElementWiseOperation::kPROD);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

void requireShapeTensor(const torch::jit::Node* n, trt::ITensor* t) {
  const trt::Dims d = t->getDimensions();
  const bool small = d.isStatic() && d.volume() <= trt::kMaxShapeTensorVolume;
  TORCHTRT_CHECK(isIntType(t->getType()) && small && !t->getShapeValues().empty(),
                 "Unable to convert node: " << util::node_info(n)
                                            << "\nIts integer operand is computed at run time from tensor data ("
                                            << trt::dataTypeName(t->getType()) << " " << d.str()
                                            << "), not from tensor sizes; engines take such values only where a "
                                               "tensor is expected. Run this op in TorchScript with "
                                               "torch_executed_ops, or compute it from sizes.");
}

}  // namespace shape
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
