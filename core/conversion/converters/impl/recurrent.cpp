// Recurrent layers: the cells (lstm_cell, gru_cell, rnn_tanh_cell, rnn_relu_cell) and whole lstm /
// gru / rnn_tanh / rnn_relu stacks unrolled over a static sequence length. Per layer and direction
// the input projection x W_ih^T + b of every time step is one matrix product; each step then adds
// h W_hh^T and applies the cell with ATen's gate order and arithmetic (LSTM i, f, g, o; GRU r, z, n
// with b_hn inside r * (W_hn h + b_hn) and h' = (h - n) * z + n). LSTM projections (proj_size) are
// one more product per step. Inference only: train=True is refused, dropout between layers is
// ignored as in eval; packed sequences (the .data overloads) have no converter.
#include "core/conversion/converters/shape_tensors.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {
namespace converters {
namespace impl {
namespace {

using E = trt::ElementWiseOperation;

enum class Cell { kLSTM, kGRU, kRNNTanh, kRNNRelu };

int64_t gatesOf(Cell cell) {
  switch (cell) {
    case Cell::kLSTM:
      return 4;
    case Cell::kGRU:
      return 3;
    case Cell::kRNNTanh:
    case Cell::kRNNRelu:
      return 1;
  }
  return 1;
}

// Slices of tensors whose only dynamic dimensions are those of `like` (the batch): static slices when
// the batch is static, else slices reading start and size from shape tensors, each made once and
// shared by every step.
class Windows {
 public:
  Windows(ConversionCtx* ctx, trt::ITensor* like, std::string name)
      : ctx_(ctx), like_(like), likeDims_(util::toVec(like->getDimensions())), name_(std::move(name)) {}

  //! `t` from `start` taking `size` elements per dimension (-1: the whole of `like`'s dimension).
  trt::ITensor* operator()(trt::ITensor* t, const std::vector<int64_t>& start, std::vector<int64_t> size,
                           const std::string& name) {
    bool dynamic = false;
    for (size_t d = 0; d < size.size(); ++d)
      if (size[d] < 0) dynamic |= (size[d] = likeDims_[d]) < 0;
    const std::vector<int64_t> stride(size.size(), 1);
    if (!dynamic) {
      auto* layer = ctx_->net->addSlice(*t, util::toDims(start), util::toDims(size), util::toDims(stride));
      layer->setName(name.c_str());
      return layer->getOutput(0);
    }
    trt::ITensor*& startTensor = starts_[start];
    if (!startTensor) startTensor = shape::int64Vector(ctx_, start, name_ + " [window start]");
    trt::ITensor*& sizeTensor = sizes_[size];
    if (!sizeTensor) {
      std::map<int64_t, trt::ITensor*> known;
      for (size_t d = 0; d < size.size(); ++d)
        if (size[d] >= 0) known[d] = shape::int64Vector(ctx_, {size[d]}, name_ + " [window size]");
      sizeTensor = shape::shapeOf(ctx_, like_, name_ + " [window size]", known);
    }
    return shape::slice(ctx_, t, startTensor, sizeTensor, stride, name);
  }

 private:
  ConversionCtx* ctx_;
  trt::ITensor* like_;
  std::vector<int64_t> likeDims_;
  std::string name_;
  std::map<std::vector<int64_t>, trt::ITensor*> starts_, sizes_;
};

// One layer and direction's parameters, in the input's type. The hidden bias is only the GRU's
// [0, 0, b_hn]; every other bias is folded into the input projection.
struct CellParams {
  trt::ITensor* wIh = nullptr;
  trt::ITensor* wHh = nullptr;
  trt::ITensor* inputBias = nullptr;
  trt::ITensor* hiddenBias = nullptr;
  trt::ITensor* wHr = nullptr;  //!< LSTM projection [P, H], or none
  int64_t hidden = 0;
};

trt::ITensor* sum(ConversionCtx* ctx, trt::ITensor* a, trt::ITensor* b, const std::string& name) {
  if (!a) return b;
  if (!b) return a;
  return addElementwise(ctx, E::kSUM, a, b, name)->getOutput(0);
}

trt::ITensor* product(ConversionCtx* ctx, trt::ITensor* a, trt::ITensor* b, const std::string& name) {
  return addElementwise(ctx, E::kPROD, a, b, name)->getOutput(0);
}

trt::ITensor* activation(ConversionCtx* ctx, trt::ITensor* t, trt::ActivationType type, const std::string& name) {
  auto* layer = ctx->net->addActivation(*t, type);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

// t @ w^T for a weight [N, K]: [..., K] -> [..., N].
trt::ITensor* timesTransposed(ConversionCtx* ctx, trt::ITensor* t, trt::ITensor* w, const std::string& name) {
  auto* layer = ctx->net->addMatrixMultiply(*t, trt::MatrixOperation::kNONE, *w, trt::MatrixOperation::kTRANSPOSE);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

trt::ITensor* concat(ConversionCtx* ctx, std::vector<trt::ITensor*> parts, int32_t axis, const std::string& name) {
  if (parts.size() == 1) return parts[0];
  auto* layer = ctx->net->addConcatenation(parts.data(), static_cast<int32_t>(parts.size()));
  layer->setAxis(axis);
  layer->setName(name.c_str());
  return layer->getOutput(0);
}

CellParams cellParams(ConversionCtx* ctx, const torch::jit::Node* n, Cell cell, trt::DataType type, trt::ITensor* wIh,
                      trt::ITensor* wHh, trt::ITensor* bIh, trt::ITensor* bHh, trt::ITensor* wHr,
                      const std::string& name) {
  const int64_t gates = gatesOf(cell);
  auto as = [&](trt::ITensor* t, const char* what) -> trt::ITensor* {
    if (!t) return nullptr;
    requireStaticShape(n, t, what);
    return castTo(ctx, t, type, name + " [" + what + "]");
  };
  CellParams p;
  p.wIh = as(wIh, "w_ih");
  p.wHh = as(wHh, "w_hh");
  p.wHr = as(wHr, "w_hr");
  bIh = as(bIh, "b_ih");
  bHh = as(bHh, "b_hh");
  const auto ih = util::toVec(p.wIh->getDimensions()), hh = util::toVec(p.wHh->getDimensions());
  TORCHTRT_CHECK(ih.size() == 2 && hh.size() == 2 && ih[0] % gates == 0 && hh[0] == ih[0],
                 "the weights of " << util::node_info(n) << " must be w_ih [" << gates << "*H, I] and w_hh [" << gates
                                   << "*H, H], got " << p.wIh->getDimensions().str() << " and "
                                   << p.wHh->getDimensions().str());
  p.hidden = ih[0] / gates;
  for (trt::ITensor* b : {bIh, bHh})
    TORCHTRT_CHECK(
        !b || util::toVec(b->getDimensions()) == std::vector<int64_t>{ih[0]},
        "a bias of " << util::node_info(n) << " is " << b->getDimensions().str() << ", expected [" << ih[0] << "]");
  if (cell == Cell::kGRU && bHh) {
    // b_hr and b_hz join the input projection; b_hn stays with W_hn h, inside the reset gate's product.
    at::Tensor rz = at::ones({ih[0]}, at::TensorOptions().dtype(util::TRTDataTypeToScalarType(type)));
    rz.narrow(0, 2 * p.hidden, p.hidden).zero_();
    p.inputBias = sum(ctx, bIh, product(ctx, bHh, ctx->constantTensor(rz, name + " [r, z mask]"), name + " [b_hrz]"),
                      name + " [input bias]");
    p.hiddenBias = product(ctx, bHh, ctx->constantTensor(1 - rz, name + " [n mask]"), name + " [b_hn]");
  } else {
    p.inputBias = sum(ctx, bIh, bHh, name + " [input bias]");
  }
  return p;
}

// x W_ih^T + the input-side biases, for every time step at once.
trt::ITensor* inputProjection(ConversionCtx* ctx, trt::ITensor* x, const CellParams& p, const std::string& name) {
  return sum(ctx, timesTransposed(ctx, x, p.wIh, name + " [x W_ih]"), p.inputBias, name + " [x W_ih + b]");
}

struct State {
  trt::ITensor* h = nullptr;
  trt::ITensor* c = nullptr;  // LSTM only
};

// One step: `xw` is this step's input projection [..., gates*H]; `lead` the sizes of the dims before the
// last of per-step tensors (-1: the batch's).
State step(ConversionCtx* ctx, Cell cell, Windows& window, const std::vector<int64_t>& lead, trt::ITensor* xw,
           const State& s, const CellParams& p, const std::string& name) {
  const int64_t H = p.hidden;
  auto gate = [&](trt::ITensor* t, int64_t first, int64_t count, const std::string& what) {
    std::vector<int64_t> start(lead.size() + 1, 0), size = lead;
    start.back() = first * H;
    size.push_back(count * H);
    return window(t, start, size, name + " [" + what + "]");
  };
  trt::ITensor* hw = sum(ctx, timesTransposed(ctx, s.h, p.wHh, name + " [h W_hh]"), p.hiddenBias, name + " [+ b_hn]");
  State next;
  switch (cell) {
    case Cell::kLSTM: {
      trt::ITensor* gates = sum(ctx, xw, hw, name + " [gates]");
      trt::ITensor* i = activation(ctx, gate(gates, 0, 1, "i"), trt::ActivationType::kSIGMOID, name + " [input gate]");
      trt::ITensor* f = activation(ctx, gate(gates, 1, 1, "f"), trt::ActivationType::kSIGMOID, name + " [forget gate]");
      trt::ITensor* g = activation(ctx, gate(gates, 2, 1, "g"), trt::ActivationType::kTANH, name + " [cell gate]");
      trt::ITensor* o = activation(ctx, gate(gates, 3, 1, "o"), trt::ActivationType::kSIGMOID, name + " [output gate]");
      next.c = sum(ctx, product(ctx, f, s.c, name + " [f c]"), product(ctx, i, g, name + " [i g]"), name + " [c]");
      next.h = product(ctx, o, activation(ctx, next.c, trt::ActivationType::kTANH, name + " [tanh c]"), name + " [h]");
      if (p.wHr) next.h = timesTransposed(ctx, next.h, p.wHr, name + " [h W_hr]");
      break;
    }
    case Cell::kGRU: {
      trt::ITensor* rz = activation(ctx, sum(ctx, gate(xw, 0, 2, "x rz"), gate(hw, 0, 2, "h rz"), name + " [rz]"),
                                    trt::ActivationType::kSIGMOID, name + " [reset, update gates]");
      trt::ITensor* r = gate(rz, 0, 1, "r");
      trt::ITensor* z = gate(rz, 1, 1, "z");
      trt::ITensor* nGate = activation(
          ctx, sum(ctx, gate(xw, 2, 1, "x n"), product(ctx, r, gate(hw, 2, 1, "h n"), name + " [r hn]"), name + " [n]"),
          trt::ActivationType::kTANH, name + " [new gate]");
      trt::ITensor* diff = addElementwise(ctx, E::kSUB, s.h, nGate, name + " [h - n]")->getOutput(0);
      next.h = sum(ctx, product(ctx, diff, z, name + " [(h - n) z]"), nGate, name + " [h]");
      break;
    }
    case Cell::kRNNTanh:
    case Cell::kRNNRelu:
      next.h =
          activation(ctx, sum(ctx, xw, hw, name + " [pre]"),
                     cell == Cell::kRNNTanh ? trt::ActivationType::kTANH : trt::ActivationType::kRELU, name + " [h]");
      break;
  }
  return next;
}

// aten::lstm_cell / gru_cell / rnn_*_cell: one step on [B, I] inputs.
bool cellConverter(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Cell cell) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  TORCHTRT_CHECK(rankOf(x) == 2, name << " takes a batched input [B, I], got " << x->getDimensions().str());
  State s;
  if (cell == Cell::kLSTM) {
    auto hx = a[1].unwrapToITensorList(ctx);
    TORCHTRT_CHECK(hx.size() == 2 && hx[0] && hx[1], "hx of " << name << " must be [h, c]");
    s = {hx[0], hx[1]};
  } else {
    s.h = a[1].ITensorOrFreeze(ctx);
  }
  auto optional = [&](Var& v) { return v.isNone() ? nullptr : v.ITensorOrFreeze(ctx); };
  const trt::DataType type = x->getType();
  CellParams p = cellParams(ctx, n, cell, type, a[2].ITensorOrFreeze(ctx), a[3].ITensorOrFreeze(ctx), optional(a[4]),
                            optional(a[5]), nullptr, name);
  s.h = castTo(ctx, s.h, type, name + " [h]");
  if (s.c) s.c = castTo(ctx, s.c, type, name + " [c]");
  Windows window(ctx, x, name);
  State next = step(ctx, cell, window, {-1}, inputProjection(ctx, x, p, name), s, p, name);
  ctx->AssociateValueAndTensor(n->outputs()[0], next.h);
  if (cell == Cell::kLSTM) ctx->AssociateValueAndTensor(n->outputs()[1], next.c);
  return true;
}

// aten::lstm.input / gru.input / rnn_*.input: num_layers stacked layers, each one or two directions,
// over the whole sequence. Returns (output, h_n[, c_n]) with PyTorch's layouts.
bool sequenceConverter(ConversionCtx* ctx, const torch::jit::Node* n, args& a, Cell cell) {
  const std::string name = util::node_info(n);
  trt::ITensor* x = a[0].ITensorOrFreeze(ctx);
  const trt::Dims given = x->getDimensions();
  const bool hasBiases = a[3].unwrapToBool(), bidirectional = a[7].unwrapToBool(), batchFirst = a[8].unwrapToBool();
  const int64_t layers = a[4].unwrapToInt(), directions = bidirectional ? 2 : 1;
  TORCHTRT_CHECK(!a[6].unwrapToBool(), name << " runs in training mode (train=True); engines are for inference: "
                                               "call model.eval() before compiling");
  TORCHTRT_CHECK(rankOf(x) == 3, name << " takes a batched input [" << (batchFirst ? "B, T, I" : "T, B, I") << "], got "
                                      << x->getDimensions().str());
  x = transposed(ctx, x, batchFirst ? std::vector<int64_t>{1, 0, 2} : std::vector<int64_t>{0, 1, 2},
                 name + " [time major]");
  const auto dims = util::toVec(x->getDimensions());
  const int64_t T = dims[0];
  TORCHTRT_CHECK(T >= 0, "the sequence length of "
                             << name << " must be static: its input " << given.str()
                             << " has a dynamic time dimension (dim " << (batchFirst ? 1 : 0)
                             << "), and the engine unrolls the recurrence over the time steps. Give that dimension "
                                "one size (min = opt = max in its Input; the batch may stay dynamic), or run the "
                                "layer in TorchScript (torch_executed_modules / torch_executed_ops)");
  TORCHTRT_CHECK(dims[2] >= 0,
                 "the input size (last dimension) of " << name << " must be static, got " << x->getDimensions().str());
  const trt::DataType type = x->getType();

  std::vector<trt::ITensor*> hx;
  if (cell == Cell::kLSTM) {
    hx = a[1].unwrapToITensorList(ctx);
    TORCHTRT_CHECK(hx.size() == 2 && hx[0] && hx[1], "hx of " << name << " must be [h_0, c_0]");
  } else {
    hx = {a[1].ITensorOrFreeze(ctx)};
  }
  for (auto*& h : hx) {
    TORCHTRT_CHECK(rankOf(h) == 3, "the initial states of " << name << " must be [num_layers * directions, B, H], got "
                                                            << h->getDimensions().str());
    h = castTo(ctx, h, type, name + " [initial state]");
  }
  // LSTM projections show as h_0 narrower than c_0 (ATen decides the same way).
  const bool projections = cell == Cell::kLSTM && hx[0]->getDimensions().d[2] != hx[1]->getDimensions().d[2];
  const size_t perCell = 2 + (hasBiases ? 2 : 0) + (projections ? 1 : 0);
  const std::vector<trt::ITensor*> params = a[2].unwrapToITensorList(ctx);
  TORCHTRT_CHECK(params.size() == perCell * static_cast<size_t>(layers * directions),
                 name << " has " << params.size() << " parameters; " << layers << " layer(s), " << directions
                      << " direction(s)" << (hasBiases ? ", biases" : "") << (projections ? ", projections" : "")
                      << " take " << perCell * layers * directions);

  Windows window(ctx, x, name);
  std::vector<trt::ITensor*> hN, cN;
  trt::ITensor* layerInput = x;
  for (int64_t l = 0; l < layers; ++l) {
    std::vector<trt::ITensor*> outputs;
    for (int64_t d = 0; d < directions; ++d) {
      const int64_t k = l * directions + d;
      const std::string cellName = name + " [layer " + std::to_string(l) + (d ? " reverse" : "") + "]";
      trt::ITensor* const* w = &params[k * perCell];
      CellParams p = cellParams(ctx, n, cell, type, w[0], w[1], hasBiases ? w[2] : nullptr, hasBiases ? w[3] : nullptr,
                                projections ? w[perCell - 1] : nullptr, cellName);
      const int64_t H = p.hidden;
      const int64_t out = p.wHr ? p.wHr->getDimensions().d[0] : H;
      State s;
      s.h = window(hx[0], {k, 0, 0}, {1, -1, out}, cellName + " [h_0]");
      if (cell == Cell::kLSTM) s.c = window(hx[1], {k, 0, 0}, {1, -1, H}, cellName + " [c_0]");
      trt::ITensor* xw = inputProjection(ctx, layerInput, p, cellName);
      std::vector<trt::ITensor*> steps(static_cast<size_t>(T));
      for (int64_t i = 0; i < T; ++i) {
        const int64_t t = d ? T - 1 - i : i;
        const std::string stepName = cellName + " [t " + std::to_string(t) + "]";
        trt::ITensor* xwT = window(xw, {t, 0, 0}, {1, -1, gatesOf(cell) * H}, stepName + " [x W_ih]");
        s = step(ctx, cell, window, {1, -1}, xwT, s, p, stepName);
        steps[t] = s.h;
      }
      outputs.push_back(concat(ctx, steps, 0, cellName + " [steps]"));
      hN.push_back(s.h);
      cN.push_back(s.c);
    }
    layerInput = concat(ctx, outputs, 2, name + " [layer " + std::to_string(l) + " directions]");
  }
  trt::ITensor* output = transposed(
      ctx, layerInput, batchFirst ? std::vector<int64_t>{1, 0, 2} : std::vector<int64_t>{0, 1, 2}, name + " [output]");
  ctx->AssociateValueAndTensor(n->outputs()[0], output);
  ctx->AssociateValueAndTensor(n->outputs()[1], concat(ctx, hN, 0, name + " [h_n]"));
  if (cell == Cell::kLSTM) ctx->AssociateValueAndTensor(n->outputs()[2], concat(ctx, cN, 0, name + " [c_n]"));
  return true;
}

#define TORCHTRT_RECURRENT(fn, cell) \
  [](ConversionCtx* ctx, const torch::jit::Node* n, args& a) -> bool { return fn(ctx, n, a, Cell::cell); }

const char* kSequenceArgs =
    "Tensor[] params, bool has_biases, int num_layers, float dropout, bool train, bool bidirectional, bool "
    "batch_first)";
const char* kCellArgs = "Tensor w_ih, Tensor w_hh, Tensor? b_ih=None, Tensor? b_hh=None)";

auto recurrentRegistrations =
    RegisterNodeConversionPatterns()
        .pattern({std::string("aten::lstm.input(Tensor input, Tensor[] hx, ") + kSequenceArgs +
                      " -> (Tensor, Tensor, Tensor)",
                  TORCHTRT_RECURRENT(sequenceConverter, kLSTM)})
        .pattern({std::string("aten::gru.input(Tensor input, Tensor hx, ") + kSequenceArgs + " -> (Tensor, Tensor)",
                  TORCHTRT_RECURRENT(sequenceConverter, kGRU)})
        .pattern(
            {std::string("aten::rnn_tanh.input(Tensor input, Tensor hx, ") + kSequenceArgs + " -> (Tensor, Tensor)",
             TORCHTRT_RECURRENT(sequenceConverter, kRNNTanh)})
        .pattern(
            {std::string("aten::rnn_relu.input(Tensor input, Tensor hx, ") + kSequenceArgs + " -> (Tensor, Tensor)",
             TORCHTRT_RECURRENT(sequenceConverter, kRNNRelu)})
        .pattern({std::string("aten::lstm_cell(Tensor input, Tensor[] hx, ") + kCellArgs + " -> (Tensor, Tensor)",
                  TORCHTRT_RECURRENT(cellConverter, kLSTM)})
        .pattern({std::string("aten::gru_cell(Tensor input, Tensor hx, ") + kCellArgs + " -> Tensor",
                  TORCHTRT_RECURRENT(cellConverter, kGRU)})
        .pattern({std::string("aten::rnn_tanh_cell(Tensor input, Tensor hx, ") + kCellArgs + " -> Tensor",
                  TORCHTRT_RECURRENT(cellConverter, kRNNTanh)})
        .pattern({std::string("aten::rnn_relu_cell(Tensor input, Tensor hx, ") + kCellArgs + " -> Tensor",
                  TORCHTRT_RECURRENT(cellConverter, kRNNRelu)});

}  // namespace
}  // namespace impl
}  // namespace converters
}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
