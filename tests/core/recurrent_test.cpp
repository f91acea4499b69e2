// Recurrent layers: aten::lstm / gru / rnn_tanh / rnn_relu (.input) over whole sequences in every
// configuration (layers, directions, batch_first, biases, LSTM projections, given initial states,
// a dynamic batch) and the single-step cells, from IR strings run by the JIT interpreter and as an
// engine; plus the refusals (a dynamic sequence length, training mode).
#include <sstream>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

namespace {

struct Config {
  std::string op = "lstm";  // lstm, gru, rnn_tanh, rnn_relu
  int64_t layers = 1;
  bool bidirectional = false;
  bool batchFirst = false;
  bool biases = true;
  int64_t proj = 0;  // LSTM proj_size
  int64_t T = 5, B = 3, I = 4, H = 6;
};

int64_t gates(const Config& c) { return c.op == "lstm" ? 4 : c.op == "gru" ? 3 : 1; }
bool isLstm(const Config& c) { return c.op == "lstm"; }
int64_t outSize(const Config& c) { return c.proj > 0 ? c.proj : c.H; }
int64_t directions(const Config& c) { return c.bidirectional ? 2 : 1; }

// The flat parameter list of nn.LSTM / nn.GRU / nn.RNN: per layer and direction w_ih, w_hh, [b_ih,
// b_hh], [w_hr]; scaled as PyTorch initialises them (uniform within 1/sqrt(H)).
std::vector<at::Tensor> parameters(const Config& c) {
  std::vector<at::Tensor> params;
  const double bound = 1.0 / std::sqrt(static_cast<double>(c.H));
  auto uniform = [&](std::vector<int64_t> shape) { return (at::rand(shape) * 2 - 1) * bound; };
  for (int64_t l = 0; l < c.layers; ++l) {
    for (int64_t d = 0; d < directions(c); ++d) {
      const int64_t in = l == 0 ? c.I : directions(c) * outSize(c);
      params.push_back(uniform({gates(c) * c.H, in}));
      params.push_back(uniform({gates(c) * c.H, outSize(c)}));
      if (c.biases) {
        params.push_back(uniform({gates(c) * c.H}));
        params.push_back(uniform({gates(c) * c.H}));
      }
      if (c.proj > 0) params.push_back(uniform({c.proj, c.H}));
    }
  }
  return params;
}

// A graph taking x, h_0 (and c_0) as engine inputs and the parameters as a compile-time list.
std::string sequenceIR(const Config& c) {
  std::stringstream ir;
  ir << "graph(%x : Tensor, %h0 : Tensor, " << (isLstm(c) ? "%c0 : Tensor, " : "") << "%params : Tensor[]):\n";
  ir << "  %biases : bool = prim::Constant[value=" << c.biases << "]()\n";
  ir << "  %layers : int = prim::Constant[value=" << c.layers << "]()\n";
  ir << "  %dropout : float = prim::Constant[value=0.5]()\n";
  ir << "  %train : bool = prim::Constant[value=0]()\n";
  ir << "  %bidirectional : bool = prim::Constant[value=" << c.bidirectional << "]()\n";
  ir << "  %batch_first : bool = prim::Constant[value=" << c.batchFirst << "]()\n";
  if (isLstm(c)) {
    ir << "  %hx : Tensor[] = prim::ListConstruct(%h0, %c0)\n";
    ir << "  %y : Tensor, %hn : Tensor, %cn : Tensor = aten::lstm(%x, %hx, %params, %biases, %layers, %dropout, "
          "%train, %bidirectional, %batch_first)\n";
    ir << "  %r : (Tensor, Tensor, Tensor) = prim::TupleConstruct(%y, %hn, %cn)\n";
  } else {
    ir << "  %y : Tensor, %hn : Tensor = aten::" << c.op
       << "(%x, %h0, %params, %biases, %layers, %dropout, %train, %bidirectional, %batch_first)\n";
    ir << "  %r : (Tensor, Tensor) = prim::TupleConstruct(%y, %hn)\n";
  }
  ir << "  return (%r)\n";
  return ir.str();
}

std::vector<at::Tensor> sequenceInputs(const Config& c, int64_t batch) {
  std::vector<at::Tensor> in = {c.batchFirst ? at::randn({batch, c.T, c.I}) : at::randn({c.T, batch, c.I}),
                                at::randn({c.layers * directions(c), batch, outSize(c)}) * 0.5};
  if (isLstm(c)) in.push_back(at::randn({c.layers * directions(c), batch, c.H}) * 0.5);
  return in;
}

void checkSequence(const Config& c) {
  checkGraph(sequenceIR(c), sequenceInputs(c, c.B), {c10::List<at::Tensor>(parameters(c))});
}

std::string errorOf(const std::function<void()>& run) {
  try {
    run();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Recurrent, LstmOneLayer) { checkSequence({}); }

TEST(Recurrent, LstmTwoLayersBidirectional) {
  Config c;
  c.layers = 2;
  c.bidirectional = true;
  checkSequence(c);
}

TEST(Recurrent, LstmBatchFirstWithoutBiases) {
  Config c;
  c.batchFirst = true;
  c.biases = false;
  c.layers = 2;
  checkSequence(c);
}

TEST(Recurrent, LstmBidirectionalBatchFirstWithProjections) {
  Config c;
  c.layers = 2;
  c.bidirectional = true;
  c.batchFirst = true;
  c.proj = 3;
  checkSequence(c);
}

TEST(Recurrent, LstmOneStepAndOneSample) {
  Config c;
  c.T = 1;
  c.B = 1;
  checkSequence(c);
}

TEST(Recurrent, GruOneLayer) {
  Config c;
  c.op = "gru";
  checkSequence(c);
}

TEST(Recurrent, GruTwoLayersBidirectionalBatchFirst) {
  Config c;
  c.op = "gru";
  c.layers = 2;
  c.bidirectional = true;
  c.batchFirst = true;
  checkSequence(c);
}

TEST(Recurrent, GruWithoutBiases) {
  Config c;
  c.op = "gru";
  c.biases = false;
  c.bidirectional = true;
  checkSequence(c);
}

TEST(Recurrent, ElmanTanhAndRelu) {
  for (const char* op : {"rnn_tanh", "rnn_relu"}) {
    Config c;
    c.op = op;
    c.layers = 2;
    c.bidirectional = true;
    checkSequence(c);
    c.batchFirst = true;
    c.biases = false;
    checkSequence(c);
  }
}

TEST(Recurrent, DynamicBatch) {
  // One engine for batches 1..4 (the sequence length static): h_0 / c_0 follow the batch.
  for (const char* op : {"lstm", "gru"}) {
    Config c;
    c.op = op;
    c.layers = 2;
    c.bidirectional = true;
    std::vector<torch_tensorrt::core::conversion::InputRange> ranges = {
        range({c.T, 1, c.I}, {c.T, 2, c.I}, {c.T, 4, c.I}),
        range({2 * c.layers, 1, c.H}, {2 * c.layers, 2, c.H}, {2 * c.layers, 4, c.H})};
    if (isLstm(c)) ranges.push_back(ranges.back());
    checkGraphDynamic(sequenceIR(c), ranges, {sequenceInputs(c, 1), sequenceInputs(c, 3), sequenceInputs(c, 4)},
                      {c10::List<at::Tensor>(parameters(c))});
  }
}

TEST(Recurrent, DynamicSequenceLengthIsRefusedNamingTheNode) {
  Config c;
  c.batchFirst = true;
  const std::string msg = errorOf([&] {
    checkGraphDynamic(sequenceIR(c),
                      {range({2, 1, c.I}, {2, 4, c.I}, {2, 8, c.I}), range({1, 2, c.H}, {1, 2, c.H}, {1, 2, c.H}),
                       range({1, 2, c.H}, {1, 2, c.H}, {1, 2, c.H})},
                      {}, {c10::List<at::Tensor>(parameters(c))});
  });
  EXPECT_NE(msg.find("aten::lstm"), std::string::npos) << msg;
  EXPECT_NE(msg.find("sequence length"), std::string::npos) << msg;
  EXPECT_NE(msg.find("must be static"), std::string::npos) << msg;
  EXPECT_NE(msg.find("min = opt = max"), std::string::npos) << msg;
}

TEST(Recurrent, TrainingModeIsRefused) {
  Config c;
  std::string ir = sequenceIR(c);
  const std::string inference = "%train : bool = prim::Constant[value=0]";
  ir.replace(ir.find(inference), inference.size(), "%train : bool = prim::Constant[value=1]");
  const std::string msg = errorOf([&] {
    torchtrt_test::runEngine(torchtrt_test::parse(ir), sequenceInputs(c, c.B), {c10::List<at::Tensor>(parameters(c))});
  });
  EXPECT_NE(msg.find("train=True"), std::string::npos) << msg;
  EXPECT_NE(msg.find("model.eval()"), std::string::npos) << msg;
}

TEST(Recurrent, Cells) {
  // One step of each cell, with and without biases; the weights are compile-time values.
  const int64_t B = 3, I = 5, H = 4;
  for (bool biases : {true, false}) {
    const std::string b = biases ? "%b_ih, %b_hh" : "%none, %none";
    for (const char* cell : {"gru_cell", "rnn_tanh_cell", "rnn_relu_cell"}) {
      const int64_t G = std::string(cell) == "gru_cell" ? 3 : 1;
      checkGraph(std::string(R"IR(
        graph(%x : Tensor, %h : Tensor, %w_ih : Tensor, %w_hh : Tensor, %b_ih : Tensor, %b_hh : Tensor):
          %none : NoneType = prim::Constant()
          %y : Tensor = aten::)IR") +
                     cell + "(%x, %h, %w_ih, %w_hh, " + b + R"IR()
          return (%y))IR",
                 {at::randn({B, I}), at::randn({B, H})},
                 {at::randn({G * H, I}) * 0.4, at::randn({G * H, H}) * 0.4, at::randn({G * H}) * 0.4,
                  at::randn({G * H}) * 0.4});
    }
    checkGraph(
        R"IR(
      graph(%x : Tensor, %h : Tensor, %c : Tensor, %w_ih : Tensor, %w_hh : Tensor, %b_ih : Tensor, %b_hh : Tensor):
        %none : NoneType = prim::Constant()
        %hx : Tensor[] = prim::ListConstruct(%h, %c)
        %h1 : Tensor, %c1 : Tensor = aten::lstm_cell(%x, %hx, %w_ih, %w_hh, )IR" +
            b + R"IR()
        return (%h1, %c1))IR",
        {at::randn({B, I}), at::randn({B, H}), at::randn({B, H})},
        {at::randn({4 * H, I}) * 0.4, at::randn({4 * H, H}) * 0.4, at::randn({4 * H}) * 0.4, at::randn({4 * H}) * 0.4});
  }
}

TEST(Recurrent, CellWeightsAsEngineTensorsAndADynamicBatch) {
  // Weights arriving as engine inputs (not frozen) and a batch known only at run time.
  const int64_t I = 5, H = 4;
  const char* ir = R"IR(
    graph(%x : Tensor, %h : Tensor, %w_ih : Tensor, %w_hh : Tensor, %b_ih : Tensor, %b_hh : Tensor):
      %y : Tensor = aten::gru_cell(%x, %h, %w_ih, %w_hh, %b_ih, %b_hh)
      return (%y))IR";
  auto fixed = [](std::vector<int64_t> s) { return range(s, s, s); };
  const at::Tensor wIh = at::randn({3 * H, I}) * 0.4, wHh = at::randn({3 * H, H}) * 0.4, bIh = at::randn({3 * H}),
                   bHh = at::randn({3 * H});
  checkGraphDynamic(ir,
                    {range({1, I}, {2, I}, {6, I}), range({1, H}, {2, H}, {6, H}), fixed({3 * H, I}), fixed({3 * H, H}),
                     fixed({3 * H}), fixed({3 * H})},
                    {{at::randn({1, I}), at::randn({1, H}), wIh, wHh, bIh, bHh},
                     {at::randn({5, I}), at::randn({5, H}), wIh, wHh, bIh, bHh}});
}
