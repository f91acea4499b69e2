// Every layer kind, in every data type it computes in, on every backend present, against the CPU
// reference (as ggml's test-backend-ops): one table of examples, each a tiny network around one layer
// named "under test". A kind without an example fails (BackendOps.EveryKindHasAnExample), and so does
// a kind that some backend computes in FP16/BF16 (the CPU16/CUDA16 columns of TRT_LAYER_KINDS) without
// an example that runs it so.
//
// Per case: the network is built (through the plan writer and reader) and run on the CPU; a 16-bit
// build is compared with the FP32 build, an integer one with the FP32 network on the same integer
// inputs where the example says the results are equal; then each other backend present (CUDA when
// built with TORCHTRT_WITH_CUDA and a GPU is visible) runs the same build, compared with the CPU's
// result. Tolerances are per data type (toleranceFor below); integer and bool results match exactly.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backends/half_support.h"
#include "common/half.h"
#include "engine_test_util.h"
#include "layers/attention_layout.h"
#include "layers/make_layer.h"
#ifdef TORCHTRT_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace {
using trt::DataType;
using trt::Dims;
using trt::ITensor;
using trt::LayerType;

// --- Tolerances ----------------------------------------------------------------------------------

// The central per-type tolerances (engine_test_util.h).
using trt_test::Tolerance;
using trt_test::toleranceFor;

// --- Host tensors of any type ----------------------------------------------------------------------

bool isFloating(DataType t) { return t == DataType::kFLOAT || t == DataType::kHALF || t == DataType::kBF16; }

void encode(double v, DataType t, void* p) {
  switch (t) {
    case DataType::kFLOAT: {
      float f = static_cast<float>(v);
      std::memcpy(p, &f, 4);
      return;
    }
    case DataType::kHALF: {
      uint16_t h = trt::floatToHalf(static_cast<float>(v));
      std::memcpy(p, &h, 2);
      return;
    }
    case DataType::kBF16: {
      uint16_t h = trt::floatToBf16(static_cast<float>(v));
      std::memcpy(p, &h, 2);
      return;
    }
    case DataType::kINT32: {
      int32_t i = static_cast<int32_t>(v);
      std::memcpy(p, &i, 4);
      return;
    }
    case DataType::kINT64: {
      int64_t i = static_cast<int64_t>(v);
      std::memcpy(p, &i, 8);
      return;
    }
    case DataType::kINT8:
      *static_cast<int8_t*>(p) = static_cast<int8_t>(v);
      return;
    case DataType::kBOOL:
    case DataType::kUINT8:
      *static_cast<uint8_t*>(p) = t == DataType::kBOOL ? v != 0 : static_cast<uint8_t>(v);
      return;
    default:
      FAIL() << "the backend-ops test has no encoding for " << trt::dataTypeName(t);
  }
}

double decode(DataType t, const uint8_t* p) {
  switch (t) {
    case DataType::kFLOAT: {
      float f;
      std::memcpy(&f, p, 4);
      return f;
    }
    case DataType::kHALF:
    case DataType::kBF16: {
      uint16_t h;
      std::memcpy(&h, p, 2);
      return t == DataType::kHALF ? trt::halfToFloat(h) : trt::bf16ToFloat(h);
    }
    case DataType::kINT32: {
      int32_t i;
      std::memcpy(&i, p, 4);
      return i;
    }
    case DataType::kINT64: {
      int64_t i;
      std::memcpy(&i, p, 8);
      return static_cast<double>(i);
    }
    case DataType::kINT8:
      return *reinterpret_cast<const int8_t*>(p);
    default:  // kBOOL, kUINT8
      return *p;
  }
}

std::vector<uint8_t> encodeAll(const std::vector<double>& values, DataType t) {
  std::vector<uint8_t> bytes(values.size() * trt::dataTypeSize(t));
  for (size_t i = 0; i < values.size(); ++i) encode(values[i], t, bytes.data() + i * trt::dataTypeSize(t));
  return bytes;
}

// A network output read back to the host, as doubles.
struct Result {
  Dims dims;
  DataType type = DataType::kFLOAT;
  std::vector<double> values;
};
using Results = std::map<std::string, Result>;

// --- The examples ------------------------------------------------------------------------------------

// The network of an example, and storage for the weights it was given.
struct Net {
  trt::INetworkDefinition net;
  std::deque<std::vector<uint8_t>> keep;
  uint32_t seed = 1;

  ITensor* input(const char* name, DataType type, Dims dims) { return net.addInput(name, type, dims); }
  trt::Weights weights(DataType type, const std::vector<double>& values) {
    keep.push_back(encodeAll(values, type));
    return {type, keep.back().data(), static_cast<int64_t>(values.size())};
  }
  // n values uniform in [lo, hi] (weights and coefficients), different per call.
  std::vector<double> random(int64_t n, double lo = -0.5, double hi = 0.5) {
    std::mt19937 gen(seed++ * 7919u);
    std::uniform_real_distribution<double> dist(lo, hi);
    std::vector<double> v(static_cast<size_t>(n));
    for (auto& x : v) x = static_cast<float>(dist(gen));
    return v;
  }
  ITensor* constant(Dims dims, DataType type, const std::vector<double>& values) {
    return net.addConstant(dims, weights(type, values))->getOutput(0);
  }
  // Names the layer under test and marks its output as the network output "out".
  void mark(trt::ILayer* layer) {
    layer->setName("under test");
    layer->getOutput(0)->setName("out");
    net.markOutput(*layer->getOutput(0));
  }
};

// One example: a tiny network around one layer named "under test", built for each of `types` (the
// type the example gives the layer's main tensors).
struct Example {
  using Build = std::function<void(Net&, DataType)>;
  Example(const char* name, LayerType kind, std::vector<DataType> types, Build build)
      : name(name), kind(kind), types(std::move(types)), build(std::move(build)) {}
  //! Of `types`: those whose results equal the float32 network's run on the same (integer) inputs.
  Example exact(std::vector<DataType> t) && {
    exactAgainstFloat = std::move(t);
    return std::move(*this);
  }
  //! No FP16/BF16 builds: they would build nothing new, or 16-bit rounding makes ties that the
  //! backends may break differently.
  Example no16BitBuilds() && {
    sixteenBit = false;
    return std::move(*this);
  }
  //! Float inputs hold integers too; integer inputs are drawn from [lo, hi].
  Example integers(int low, int high, bool alsoFloat = true) && {
    integerInputs = alsoFloat;
    lo = low, hi = high;
    return std::move(*this);
  }
  //! A dynamic input's run-time dims (the profile is pinned to them).
  Example running(const char* input, Dims dims) && {
    runDims[input] = dims;
    return std::move(*this);
  }

  const char* name;
  LayerType kind;
  std::vector<DataType> types;
  Build build;
  std::vector<DataType> exactAgainstFloat;
  bool sixteenBit = true;
  bool integerInputs = false;
  int lo = -4, hi = 4;
  std::map<std::string, Dims> runDims;
};

const DataType F32 = DataType::kFLOAT, F16 = DataType::kHALF, BF16 = DataType::kBF16, I32 = DataType::kINT32,
               I64 = DataType::kINT64, BOOL = DataType::kBOOL;

// The table: at least one example per layer kind, in every type the kind computes in.
const std::vector<Example>& examples() {
  static const std::vector<Example> table = {
      Example("Convolution", LayerType::kCONVOLUTION, {F32},
              [](Net& n, DataType t) {
                auto* conv = n.net.addConvolutionNd(*n.input("x", t, {1, 3, 6, 6}), 4, {3, 3},
                                                    n.weights(F32, n.random(108)), n.weights(F32, n.random(4)));
                conv->setPaddingNd({1, 1});
                n.mark(conv);
              }),
      Example("Deconvolution", LayerType::kDECONVOLUTION, {F32},
              [](Net& n, DataType t) {
                auto* deconv = n.net.addDeconvolutionNd(*n.input("x", t, {1, 4, 3, 3}), 2, {3, 3},
                                                        n.weights(F32, n.random(72)), n.weights(F32, n.random(2)));
                deconv->setStrideNd({2, 2});
                n.mark(deconv);
              }),
      Example("Activation", LayerType::kACTIVATION, {F32},
              [](Net& n, DataType t) {
                n.mark(n.net.addActivation(*n.input("x", t, {2, 3, 4, 5}), trt::ActivationType::kGELU_ERF));
              }),
      Example("Pooling", LayerType::kPOOLING, {F32},
              [](Net& n, DataType t) {
                auto* pool = n.net.addPoolingNd(*n.input("x", t, {1, 2, 6, 6}), trt::PoolingType::kAVERAGE, {3, 3});
                pool->setStrideNd({2, 2});
                pool->setPaddingNd({1, 1});
                n.mark(pool);
              }),
      // A product broadcast over the middle dimension; on bools its logical equal, AND.
      Example("ElementWise", LayerType::kELEMENTWISE, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                const auto op = t == BOOL ? trt::ElementWiseOperation::kAND : trt::ElementWiseOperation::kPROD;
                n.mark(n.net.addElementWise(*n.input("x", t, {2, 3, 4}), *n.input("y", t, {2, 1, 4}), op));
              })
          .exact({I32, I64, BOOL}),
      Example("ElementWise.compare", LayerType::kELEMENTWISE, {F32, I32, I64},
              [](Net& n, DataType t) {
                n.mark(n.net.addElementWise(*n.input("x", t, {3, 4}), *n.input("y", t, {3, 4}),
                                            trt::ElementWiseOperation::kLESS));
              })
          .exact({I32, I64})
          .integers(-4, 4),
      Example("MatrixMultiply", LayerType::kMATRIX_MULTIPLY, {F32},
              [](Net& n, DataType t) {
                n.mark(n.net.addMatrixMultiply(*n.input("x", t, {2, 3, 5}), trt::MatrixOperation::kNONE,
                                               *n.input("y", t, {2, 4, 5}), trt::MatrixOperation::kTRANSPOSE));
              }),
      // Bias and residual in the epilogue: B shared by the batch (one cuBLASLt GEMM, the residual its C) and
      // B batched (strided GEMMs, then the epilogue kernel adds both).
      Example("MatrixMultiply.residual", LayerType::kMATRIX_MULTIPLY, {F32},
              [](Net& n, DataType t) {
                auto* mm = n.net.addMatrixMultiply(*n.input("x", t, {2, 3, 5}), trt::MatrixOperation::kNONE,
                                                   *n.input("y", t, {5, 4}), trt::MatrixOperation::kNONE);
                mm->setInput(2, *n.input("b", t, {4}));
                mm->setInput(3, *n.input("r", t, {2, 3, 4}));
                n.mark(mm);
              }),
      // Stacked projections: one input shared by three products ([1, 6, 5] by [3, 5, 8]) with a bias row each
      // ([3, 1, 8]): one strided-batched cuBLASLt call with a bias batch stride; with 4 columns (rows and
      // batches not 16-byte aligned in 16 bits) the strided GEMM and the epilogue kernel.
      Example("MatrixMultiply.stacked", LayerType::kMATRIX_MULTIPLY, {F32},
              [](Net& n, DataType t) {
                auto* mm = n.net.addMatrixMultiply(*n.input("x", t, {1, 6, 5}), trt::MatrixOperation::kNONE,
                                                   *n.input("w", t, {3, 5, 8}), trt::MatrixOperation::kNONE);
                mm->setInput(2, *n.input("b", t, {3, 1, 8}));
                n.mark(mm);
              }),
      Example("MatrixMultiply.stackedUnaligned", LayerType::kMATRIX_MULTIPLY, {F32},
              [](Net& n, DataType t) {
                auto* mm = n.net.addMatrixMultiply(*n.input("x", t, {1, 6, 5}), trt::MatrixOperation::kNONE,
                                                   *n.input("w", t, {3, 4, 5}), trt::MatrixOperation::kTRANSPOSE);
                mm->setInput(2, *n.input("b", t, {3, 1, 4}));
                n.mark(mm);
              }),
      Example("MatrixMultiply.batchedResidual", LayerType::kMATRIX_MULTIPLY, {F32},
              [](Net& n, DataType t) {
                auto* mm = n.net.addMatrixMultiply(*n.input("x", t, {2, 3, 5}), trt::MatrixOperation::kNONE,
                                                   *n.input("y", t, {2, 4, 5}), trt::MatrixOperation::kTRANSPOSE);
                mm->setInput(2, *n.input("b", t, {4}));
                mm->setInput(3, *n.input("r", t, {2, 3, 4}));
                mm->setFusedActivation(static_cast<int32_t>(trt::ActivationType::kRELU));
                n.mark(mm);
              }),
      Example("Shuffle", LayerType::kSHUFFLE, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                auto* shuffle = n.net.addShuffle(*n.input("x", t, {2, 3, 4}));
                trt::Permutation p;
                p.order[0] = 2, p.order[1] = 0, p.order[2] = 1;
                shuffle->setFirstTranspose(p);
                shuffle->setReshapeDimensions({4, 6});
                n.mark(shuffle);
              })
          .exact({I32, I64, BOOL}),
      // A network output made by a constant (constants are never folded), in each storage type.
      Example("Constant", LayerType::kCONSTANT, {F32, F16, BF16, I32, I64, BOOL},
              [](Net& n, DataType t) {
                n.mark(n.net.addConstant({2, 3}, n.weights(t, {1, -2, 3, 0, -4, 2})));
              })
          .exact({F16, BF16, I32, I64})
          .no16BitBuilds(),
      Example("Reduce", LayerType::kREDUCE, {F32, I32, I64},
              [](Net& n, DataType t) {
                n.mark(n.net.addReduce(*n.input("x", t, {2, 3, 4}), trt::ReduceOperation::kSUM, 1u << 1, false));
              })
          .exact({I32, I64}),
      Example("Reduce.max", LayerType::kREDUCE, {F32, I32, I64},
              [](Net& n, DataType t) {
                n.mark(n.net.addReduce(*n.input("x", t, {2, 3, 4}), trt::ReduceOperation::kMAX, 1u << 2, true));
              })
          .exact({I32, I64}),
      Example("SoftMax", LayerType::kSOFTMAX, {F32},
              [](Net& n, DataType t) {
                auto* sm = n.net.addSoftMax(*n.input("x", t, {2, 3, 5}));
                sm->setAxes(1u << 2);
                n.mark(sm);
              }),
      Example("Concatenation", LayerType::kCONCATENATION, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                ITensor* in[] = {n.input("x", t, {2, 3}), n.input("y", t, {2, 2})};
                auto* cat = n.net.addConcatenation(in, 2);
                cat->setAxis(1);
                n.mark(cat);
              })
          .exact({I32, I64, BOOL}),
      // A cast: float32 to float16, every other type to float32 (the builder keeps its own casts
      // out of 16-bit precision, so no 16-bit builds).
      Example("Identity", LayerType::kIDENTITY, {F32, F16, BF16, I32, I64, BOOL},
              [](Net& n, DataType t) {
                auto* id = n.net.addIdentity(*n.input("x", t, {2, 3, 4}));
                id->setOutputType(0, t == F32 ? F16 : F32);
                n.mark(id);
              })
          .exact({I32, I64, BOOL})
          .no16BitBuilds(),
      Example("Unary", LayerType::kUNARY, {F32, I32, I64},
              [](Net& n, DataType t) {
                n.mark(n.net.addUnary(*n.input("x", t, {3, 5}), trt::UnaryOperation::kABS));
              })
          .exact({I32, I64}),
      Example("Unary.sin", LayerType::kUNARY, {F32},
              [](Net& n, DataType t) {
                n.mark(n.net.addUnary(*n.input("x", t, {3, 5}), trt::UnaryOperation::kSIN));
              }),
      Example("Unary.not", LayerType::kUNARY, {BOOL},
              [](Net& n, DataType t) {
                n.mark(n.net.addUnary(*n.input("x", t, {3, 5}), trt::UnaryOperation::kNOT));
              }),
      Example("Slice", LayerType::kSLICE, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                n.mark(n.net.addSlice(*n.input("x", t, {4, 5}), {1, 0}, {2, 3}, {2, 2}));
              })
          .exact({I32, I64, BOOL}),
      // GPT-2's split of its fused Q/K/V rows: whole 16-byte runs of the last dim (the CUDA backend moves
      // them as vectors), from an offset, in every type width.
      Example("Slice.rows", LayerType::kSLICE, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                n.mark(n.net.addSlice(*n.input("x", t, {2, 3, 96}), {0, 0, 32}, {2, 3, 32}, {1, 1, 1}));
              })
          .exact({I32, I64, BOOL}),
      // Swin's roll of an NHWC tensor over height and width: a wrapping slice whose rows of channels move
      // whole (the CUDA backend moves them as 16-byte vectors), and a clamping one that starts before the
      // input (replicate padding).
      Example("Slice.roll", LayerType::kSLICE, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                auto* roll = n.net.addSlice(*n.input("x", t, {2, 5, 6, 16}), {0, 3, 2, 0}, {2, 5, 6, 16}, {1, 1, 1, 1});
                roll->setMode(trt::SampleMode::kWRAP);
                n.mark(roll);
              })
          .exact({I32, I64, BOOL}),
      Example("Slice.clampRows", LayerType::kSLICE, {F32, I32},
              [](Net& n, DataType t) {
                auto* pad = n.net.addSlice(*n.input("x", t, {2, 4, 8}), {0, -2, 0}, {2, 7, 8}, {1, 1, 1});
                pad->setMode(trt::SampleMode::kCLAMP);
                n.mark(pad);
              })
          .exact({I32}),
      // A block of the outer axes read by a later layer: the runtime makes it a view at an offset (no kernel).
      Example("Slice.outerBlockView", LayerType::kSLICE, {F32},
              [](Net& n, DataType t) {
                auto* block = n.net.addSlice(*n.input("x", t, {3, 4, 6}), {1, 2, 0}, {1, 2, 6}, {1, 1, 1});
                block->setName("under test");
                auto* after = n.net.addUnary(*block->getOutput(0), trt::UnaryOperation::kABS);
                after->getOutput(0)->setName("out");
                n.net.markOutput(*after->getOutput(0));
              }),
      Example(
          "Select", LayerType::kSELECT, {F32, I32, I64},
          [](Net& n, DataType t) {
            n.mark(n.net.addSelect(*n.input("c", BOOL, {2, 3}), *n.input("x", t, {2, 3}), *n.input("y", t, {1, 3})));
          })
          .exact({I32, I64}),
      Example("Gather", LayerType::kGATHER, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                ITensor* idx = n.constant({2, 2}, I32, {3, 0, 1, 3});
                n.mark(n.net.addGather(*n.input("x", t, {4, 3}), *idx, 0));
              })
          .exact({I32, I64, BOOL}),
      // Rows of 16 gathered along axis 1 (the builder's gather of rows for a chain of row moves: the CUDA backend
      // moves them as 16-byte vectors in every type width), an index repeated.
      Example("Gather.rows", LayerType::kGATHER, {F32, I32, I64},
              [](Net& n, DataType t) {
                ITensor* idx = n.constant({5}, I32, {4, 0, 2, 2, 1});
                n.mark(n.net.addGather(*n.input("x", t, {2, 5, 16}), *idx, 1));
              })
          .exact({I32, I64}),
      Example("Resize", LayerType::kRESIZE, {F32},
              [](Net& n, DataType t) {
                auto* resize = n.net.addResize(*n.input("x", t, {1, 2, 3, 4}), {1, 2, 6, 7});
                resize->setResizeMode(trt::InterpolationMode::kLINEAR);
                resize->setCoordinateTransformation(trt::ResizeCoordinateTransformation::kHALF_PIXEL);
                resize->setName("under test");
                // Read by another layer: an enlarging resize that writes a float32 output computes in float32.
                auto* after = n.net.addUnary(*resize->getOutput(0), trt::UnaryOperation::kABS);
                after->getOutput(0)->setName("out");
                n.net.markOutput(*after->getOutput(0));
              }),
      Example("TopK", LayerType::kTOPK, {F32, I32, I64},
              [](Net& n, DataType t) {
                n.mark(n.net.addTopK(*n.input("x", t, {3, 6}), trt::TopKOperation::kMAX, 3, 1u << 1));
              })
          .exact({I32, I64}),
      Example("TopK.indices", LayerType::kTOPK, {F32},
              [](Net& n, DataType t) {
                n.mark(n.net.addTopK(*n.input("x", t, {3, 6}), trt::TopKOperation::kMIN, 2, 1u << 1,
                                     trt::TopKOutput::kINDICES));
              })
          .no16BitBuilds(),
      Example("Normalization", LayerType::kNORMALIZATION, {F32},
              [](Net& n, DataType t) {
                ITensor* scale = n.constant({1, 1, 4}, F32, n.random(4, 0.5, 1.5));
                ITensor* bias = n.constant({1, 1, 4}, F32, n.random(4));
                n.mark(n.net.addNormalization(*n.input("x", t, {2, 3, 4}), *scale, *bias, 1u << 2));
              }),
      Example("Quantize", LayerType::kQUANTIZE, {F32},
              [](Net& n, DataType t) {
                n.mark(n.net.addQuantize(*n.input("x", t, {2, 3, 4}), {0.05f, 0.02f, 0.1f}, 1));
              }),
      Example("Dequantize", LayerType::kDEQUANTIZE, {F32},
              [](Net& n, DataType t) {
                auto* q = n.net.addQuantize(*n.input("x", t, {2, 3}), {0.03f});
                n.mark(n.net.addDequantize(*q->getOutput(0), {0.5f, 0.25f, 2.f}, 1));
              }),
      Example("Cumulative", LayerType::kCUMULATIVE, {F32, I32, I64},
              [](Net& n, DataType t) {
                n.mark(n.net.addCumulative(*n.input("x", t, {3, 5}), 1, trt::CumulativeOperation::kSUM));
              })
          .exact({I32, I64}),
      // Distinct rows per column: no two updates land on one element.
      Example("Scatter", LayerType::kSCATTER, {F32, I32, I64},
              [](Net& n, DataType t) {
                ITensor* idx = n.constant({2, 3}, I32, {3, 0, 2, 1, 3, 0});
                n.mark(n.net.addScatter(*n.input("x", t, {4, 3}), *idx, *n.input("u", t, {2, 3}), 0));
              })
          .exact({I32, I64}),
      Example("Scatter.sum", LayerType::kSCATTER, {F32, I32, I64},
              [](Net& n, DataType t) {
                ITensor* idx = n.constant({3, 3}, I32, {1, 0, 1, 1, 2, 1, 3, 0, 1});
                auto* scatter = n.net.addScatter(*n.input("x", t, {4, 3}), *idx, *n.input("u", t, {3, 3}), 0);
                scatter->setReduction(trt::ScatterReduction::kSUM);
                n.mark(scatter);
              })
          .exact({I32, I64}),
      Example("GridSample", LayerType::kGRID_SAMPLE, {F32},
              [](Net& n, DataType t) {
                ITensor* grid = n.constant({1, 3, 3, 2}, F32, n.random(18, -1.1, 1.1));
                n.mark(n.net.addGridSample(*n.input("x", t, {1, 2, 4, 5}), *grid));
              }),
      // A dynamic input: the Shape of static dims is folded into a constant.
      Example("Shape", LayerType::kSHAPE, {F32, F16, I32},
              [](Net& n, DataType t) {
                n.mark(n.net.addShape(*n.input("x", t, {-1, 3})));
              })
          .exact({F16, I32})
          .no16BitBuilds()
          .running("x", {4, 3}),
      Example("Fill", LayerType::kFILL, {F32, F16, I32, I64},
              [](Net& n, DataType t) {
                auto* fill = n.net.addFill({2, 3}, trt::FillOperation::kLINSPACE, t);
                fill->setAlpha(1);
                fill->setBeta({3, -1});
                n.mark(fill);
              })
          .exact({F16, I32, I64})
          .no16BitBuilds(),
      Example("Fill.constant", LayerType::kFILL, {BOOL},
              [](Net& n, DataType t) {
                auto* fill = n.net.addFill({2, 3}, trt::FillOperation::kCONSTANT, t);
                fill->setAlpha(1);
                n.mark(fill);
              })
          .no16BitBuilds(),
      Example("NonZero", LayerType::kNON_ZERO, {F32, I32, I64, BOOL},
              [](Net& n, DataType t) {
                n.mark(n.net.addNonZero(*n.input("x", t, {3, 4})));
              })
          .exact({I32, I64, BOOL})
          .integers(-1, 1),
      Example("Einsum", LayerType::kEINSUM, {F32},
              [](Net& n, DataType t) {
                ITensor* in[] = {n.input("x", t, {2, 3, 4}), n.input("y", t, {2, 4, 5})};
                n.mark(n.net.addEinsum(in, 2, "bij,bjk->bik"));
              }),
      // Indices from -5 to 4 with depth 4: negative ones count from the end, -5 and 4 are off.
      Example("OneHot", LayerType::kONE_HOT, {F32, I32, I64},
              [](Net& n, DataType t) {
                ITensor* values = n.constant({2}, t, {-1, 2});
                n.mark(n.net.addOneHot(*n.input("i", I32, {2, 3}), *values, 4, 1));
              })
          .exact({I32, I64})
          .integers(-5, 4, /*alsoFloat=*/false),
      Example("Scale", LayerType::kSCALE, {F32},
              [](Net& n, DataType t) {
                std::vector<double> shift = n.random(3), scale = n.random(3, 0.5, 1.5);
                n.mark(n.net.addScale(*n.input("x", t, {2, 3, 4}), trt::ScaleMode::kCHANNEL,
                                      {shift.begin(), shift.end()}, {scale.begin(), scale.end()}, {}));
              }),
      Example("ParametricReLU", LayerType::kPARAMETRIC_RELU, {F32},
              [](Net& n, DataType t) {
                ITensor* slope = n.constant({1, 3, 1}, F32, n.random(3, 0.05, 0.5));
                n.mark(n.net.addParametricReLU(*n.input("x", t, {2, 3, 4}), *slope));
              }),
      // Attention with an additive mask per batch and query (broadcast over heads), the default scale.
      Example("Attention", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                ITensor* mask = n.input("m", t, {2, 1, 5, 7});
                n.mark(n.net.addAttention(*n.input("q", t, {2, 2, 5, 8}), *n.input("k", t, {2, 2, 7, 8}),
                                          *n.input("v", t, {2, 2, 7, 8}), mask));
              }),
      // Causal with a bool padding mask [B, 1, 1, Sk] and a set scale: rows whose keys are all left out
      // (key 0 padded in row 0) give 0, as PyTorch's scaled_dot_product_attention.
      Example("Attention.causal", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                ITensor* mask = n.input("m", BOOL, {2, 1, 1, 7});
                auto* attention = n.net.addAttention(*n.input("q", t, {2, 2, 5, 8}), *n.input("k", t, {2, 2, 7, 8}),
                                                     *n.input("v", t, {2, 2, 7, 8}), mask);
                attention->setCausal(true);
                attention->setScale(0.3f);
                n.mark(attention);
              }),
      // BERT's padding mask: additive, one row of keys per batch [B, 1, 1, Sk] (cuDNN reads it with a
      // zero stride over the queries), head dimension 16.
      Example("Attention.padding", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                ITensor* mask = n.input("m", t, {3, 1, 1, 9});
                n.mark(n.net.addAttention(*n.input("q", t, {3, 2, 6, 16}), *n.input("k", t, {3, 2, 9, 16}),
                                          *n.input("v", t, {3, 2, 9, 16}), mask));
              }),
      // The layout the builder's attention layout pass gives BERT's attention on CUDA: query, key and
      // output stored [B, S, H, D] and read through their strides, the value [B, H, S, D], a padding mask.
      Example("Attention.sequenceMajor", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                ITensor* mask = n.input("m", t, {3, 1, 1, 9});
                auto* attention = n.net.addAttention(*n.input("q", t, {3, 6, 2, 16}), *n.input("k", t, {3, 9, 2, 16}),
                                                     *n.input("v", t, {3, 2, 9, 16}), mask);
                trt::setAttentionSequenceMajor(
                    *attention, trt::kQuerySequenceMajor | trt::kKeySequenceMajor | trt::kOutputSequenceMajor);
                n.mark(attention);
              }),
      // Swin's window attention: 49 tokens, head size 32, a relative-position bias per head [1, H, S, S] (the
      // CUDA backend's small-sequence kernel in FP16 and BF16: 64 rows a block, the head padded to 32).
      Example("Attention.window", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                ITensor* bias = n.input("m", t, {1, 3, 49, 49});
                n.mark(n.net.addAttention(*n.input("q", t, {2, 3, 49, 32}), *n.input("k", t, {2, 3, 49, 32}),
                                          *n.input("v", t, {2, 3, 49, 32}), bias));
              }),
      // Swin's shifted-window attention read per window: batch B*nW = 2*3, a 5-D mask [1, nW, H, N, N] that
      // repeats every 3 batches (the window mask and the position bias in one).
      Example("Attention.perWindowMask", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                ITensor* mask = n.input("m", t, {1, 3, 2, 49, 49});
                n.mark(n.net.addAttention(*n.input("q", t, {6, 2, 49, 32}), *n.input("k", t, {6, 2, 49, 32}),
                                          *n.input("v", t, {6, 2, 49, 32}), mask));
              }),
      // Sequences past the small-sequence kernel's 64 (cuDNN's SDPA in FP16 and BF16), causal, head size 24
      // (values 40).
      Example("Attention.long", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                auto* attention = n.net.addAttention(*n.input("q", t, {1, 2, 70, 24}), *n.input("k", t, {1, 2, 70, 24}),
                                                     *n.input("v", t, {1, 2, 70, 40}));
                attention->setCausal(true);
                n.mark(attention);
              }),
      // Head size 40 (values 24) with a bool mask, 20 queries and 30 keys: the short kernel's 32 rows, the head
      // padded to 64, rows of 40 in 16-byte vectors.
      Example("Attention.shortRows", LayerType::kATTENTION, {F32},
              [](Net& n, DataType t) {
                ITensor* mask = n.input("m", BOOL, {2, 1, 20, 30});
                n.mark(n.net.addAttention(*n.input("q", t, {2, 2, 20, 40}), *n.input("k", t, {2, 2, 30, 40}),
                                          *n.input("v", t, {2, 2, 30, 24}), mask));
              }),
      // RMS norm over the last two dimensions with a per-element scale, as nn.RMSNorm([3, 40]) gives it
      // (rows longer than a warp); and over the last one without a scale.
      Example("RMSNormalization", LayerType::kRMS_NORMALIZATION, {F32},
              [](Net& n, DataType t) {
                ITensor* scale = n.constant({3, 40}, F32, n.random(120, 0.5, 1.5));
                n.mark(n.net.addRMSNormalization(*n.input("x", t, {2, 3, 40}), scale, 0b110));
              }),
      // A scale that also varies over a dimension the norm does not reduce (read through a broadcast
      // index, where a norm's weight is read at the row position).
      Example("RMSNormalization.batchScale", LayerType::kRMS_NORMALIZATION, {F32},
              [](Net& n, DataType t) {
                ITensor* scale = n.constant({2, 1, 8}, F32, n.random(16, 0.5, 1.5));
                n.mark(n.net.addRMSNormalization(*n.input("x", t, {2, 3, 8}), scale, 0b100));
              }),
      Example("RMSNormalization.unscaled", LayerType::kRMS_NORMALIZATION, {F32},
              [](Net& n, DataType t) {
                auto* norm = n.net.addRMSNormalization(*n.input("x", t, {4, 5, 6}), nullptr, 0b100);
                norm->setEpsilon(1e-3f);
                n.mark(norm);
              }),
      // Rows the CUDA backend holds in a warp's registers (16-byte packs): a long row whose last packs leave
      // lanes idle (1000 elements: 8 packs a lane in float32, 4 in 16 bits), with a weight and without one.
      Example("RMSNormalization.warpRows", LayerType::kRMS_NORMALIZATION, {F32},
              [](Net& n, DataType t) {
                ITensor* scale = n.constant({1000}, F32, n.random(1000, 0.5, 1.5));
                n.mark(n.net.addRMSNormalization(*n.input("x", t, {3, 2, 1000}), scale, 0b100));
              }),
      Example("RMSNormalization.warpRowsUnscaled", LayerType::kRMS_NORMALIZATION, {F32},
              [](Net& n, DataType t) {
                n.mark(n.net.addRMSNormalization(*n.input("x", t, {9, 64}), nullptr, 0b10));
              }),
  };
  return table;
}

// --- Building and running -------------------------------------------------------------------------

// One case: an example built for `type` (or, with `reducedBuild`, built for float32 with FP16 or BF16
// allowed: the builder demotes the layer where the backend computes it in 16 bits).
struct Case {
  const Example* example;
  DataType type;
  bool reducedBuild;
  std::string name;
};

trt_test::Built buildFor(const Example& ex, DataType storage, trt::Backend backend, DataType reduced) {
  Net n;
  ex.build(n, storage);
  std::unique_ptr<trt::IBuilder> builder(trt::createInferBuilder(trt::defaultLogger()));
  std::unique_ptr<trt::IBuilderConfig> config(builder->createBuilderConfig());
  config->setBackend(backend);
  config->clearFlag(trt::BuilderFlag::kTF32);  // FP32 cases compare float32 with float32
  if (reduced == DataType::kHALF) config->setFlag(trt::BuilderFlag::kFP16);
  if (reduced == DataType::kBF16) config->setFlag(trt::BuilderFlag::kBF16);
  if (!ex.runDims.empty()) {
    trt::IOptimizationProfile* profile = builder->createOptimizationProfile();
    for (const auto& [name, dims] : ex.runDims)
      for (auto select : {trt::OptProfileSelector::kMIN, trt::OptProfileSelector::kOPT, trt::OptProfileSelector::kMAX})
        profile->setDimensions(name.c_str(), select, dims);
    config->addOptimizationProfile(profile);
  }
  return trt_test::build(n.net, config.get());
}

// The network's inputs: integers in [lo, hi] for integer types (and float ones when the example or the
// case asks), 0/1 for bools, else uniform in [-2, 2]; the same for every build of one case.
std::map<std::string, std::vector<double>> makeInputs(const Example& ex, const trt::ICudaEngine& engine,
                                                      bool integers) {
  std::map<std::string, std::vector<double>> inputs;
  const trt::INetworkDefinition& net = engine.network();
  for (int i = 0; i < net.getNbInputs(); ++i) {
    const ITensor* in = net.getInput(i);
    Dims dims = in->getDimensions();
    if (!dims.isStatic()) dims = ex.runDims.at(in->getName());
    std::mt19937 gen(1000u + 17u * static_cast<uint32_t>(i));
    std::vector<double> v(static_cast<size_t>(dims.volume()));
    const DataType t = in->getType();
    for (auto& x : v) {
      if (t == DataType::kBOOL)
        x = std::uniform_int_distribution<int>(0, 1)(gen);
      else if (integers || ex.integerInputs || !isFloating(t))
        x = std::uniform_int_distribution<int>(ex.lo, ex.hi)(gen);
      else
        x = static_cast<float>(std::uniform_real_distribution<double>(-2.0, 2.0)(gen));
    }
    inputs[in->getName()] = v;
  }
  return inputs;
}

// Memory on the host or the device; freed when it goes.
class Buffer {
 public:
  Buffer(size_t bytes, bool device) : device_(device) {
    bytes = bytes ? bytes : 1;
#ifdef TORCHTRT_WITH_CUDA
    if (device_) {
      EXPECT_EQ(cudaMalloc(&data_, bytes), cudaSuccess);
      return;
    }
#endif
    host_.resize(bytes);
    data_ = host_.data();
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() {
#ifdef TORCHTRT_WITH_CUDA
    if (device_) cudaFree(data_);
#endif
  }
  void* data() const { return data_; }
  void upload(const std::vector<uint8_t>& bytes) {
#ifdef TORCHTRT_WITH_CUDA
    if (device_) {
      EXPECT_EQ(cudaMemcpy(data_, bytes.data(), bytes.size(), cudaMemcpyHostToDevice), cudaSuccess);
      return;
    }
#endif
    std::memcpy(data_, bytes.data(), bytes.size());
  }
  std::vector<uint8_t> download(size_t bytes) const {
    std::vector<uint8_t> out(bytes);
#ifdef TORCHTRT_WITH_CUDA
    if (device_) {
      EXPECT_EQ(cudaMemcpy(out.data(), data_, bytes, cudaMemcpyDeviceToHost), cudaSuccess);
      return out;
    }
#endif
    if (bytes) std::memcpy(out.data(), data_, bytes);
    return out;
  }

 private:
  [[maybe_unused]] bool device_;  // read only by the CUDA build
  void* data_ = nullptr;
  std::vector<uint8_t> host_;
};

// Takes the outputs whose shape only the run decides (downstream of a NonZero).
class Allocator : public trt::IOutputAllocator {
 public:
  explicit Allocator(bool device) : device_(device) {}
  void* reallocateOutput(const char*, void*, uint64_t size, uint64_t) override {
    buffer = std::make_unique<Buffer>(static_cast<size_t>(size), device_);
    return buffer->data();
  }
  void notifyShape(const char*, const Dims& d) override { dims = d; }
  std::unique_ptr<Buffer> buffer;
  Dims dims;

 private:
  bool device_;
};

// Runs an engine on its backend (device copies for CUDA) and reads every output back.
Results runEngine(const trt::ICudaEngine& engine, const Example& ex,
                  const std::map<std::string, std::vector<double>>& inputs) {
  const bool device = engine.getBackend() == trt::Backend::kCUDA;
  std::unique_ptr<trt::IExecutionContext> ctx(engine.createExecutionContext());
  std::vector<std::unique_ptr<Buffer>> keep;
  for (const auto& [name, values] : inputs) {
    const DataType t = engine.getTensorDataType(name.c_str());
    auto it = ex.runDims.find(name);
    if (it != ex.runDims.end()) ctx->setInputShape(name.c_str(), it->second);
    keep.push_back(std::make_unique<Buffer>(values.size() * trt::dataTypeSize(t), device));
    keep.back()->upload(encodeAll(values, t));
    ctx->setTensorAddress(name.c_str(), keep.back()->data());
  }
  std::map<std::string, Buffer*> fixed;
  std::map<std::string, std::unique_ptr<Allocator>> allocated;
  for (int i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    if (engine.getTensorIOMode(name) != trt::TensorIOMode::kOUTPUT) continue;
    const Dims dims = ctx->getTensorShape(name);
    if (dims.isStatic()) {
      keep.push_back(std::make_unique<Buffer>(
          static_cast<size_t>(dims.volume()) * trt::dataTypeSize(engine.getTensorDataType(name)), device));
      fixed[name] = keep.back().get();
      ctx->setTensorAddress(name, keep.back()->data());
    } else {
      allocated[name] = std::make_unique<Allocator>(device);
      ctx->setOutputAllocator(name, allocated[name].get());
    }
  }
#ifdef TORCHTRT_WITH_CUDA
  cudaStream_t stream = nullptr;
  if (device) {
    EXPECT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  }
  EXPECT_TRUE(ctx->enqueueV3(stream));
  if (device) {
    EXPECT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
    cudaStreamDestroy(stream);
  }
#else
  EXPECT_TRUE(ctx->enqueueV3(nullptr));
#endif
  Results results;
  auto read = [&](const std::string& name, const Dims& dims, const Buffer* buffer) {
    Result& r = results[name];
    r.dims = dims;
    r.type = engine.getTensorDataType(name.c_str());
    const size_t size = trt::dataTypeSize(r.type);
    const std::vector<uint8_t> bytes =
        buffer ? buffer->download(static_cast<size_t>(dims.volume()) * size) : std::vector<uint8_t>{};
    for (int64_t e = 0; e < dims.volume(); ++e) r.values.push_back(decode(r.type, bytes.data() + e * size));
  };
  for (const auto& [name, buffer] : fixed) read(name, ctx->getTensorShape(name.c_str()), buffer);
  for (const auto& [name, alloc] : allocated) read(name, alloc->dims, alloc->buffer.get());
  return results;
}

// Every output of `actual` against `expected`, within `tol`.
void expectClose(const Results& actual, const Results& expected, Tolerance tol, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  for (const auto& [name, e] : expected) {
    ASSERT_TRUE(actual.count(name)) << what << ": no output " << name;
    const Result& a = actual.at(name);
    ASSERT_EQ(a.dims, e.dims) << what << ": output " << name << " is " << a.dims.str() << ", expected " << e.dims.str();
    ASSERT_EQ(a.values.size(), e.values.size()) << what;
    for (size_t i = 0; i < e.values.size(); ++i) {
      const double x = a.values[i], y = e.values[i];
      if (std::isnan(x) && std::isnan(y)) continue;
      ASSERT_LE(std::fabs(x - y), tol.atol + tol.rtol * std::fabs(y))
          << what << ": output " << name << " element " << i << " is " << x << ", expected " << y << " (rtol "
          << tol.rtol << ", atol " << tol.atol << ")";
    }
  }
}

// The layer under test in a built engine, checked to be of the example's kind.
const trt::ILayer* layerUnderTest(const trt::ICudaEngine& engine, const Example& ex) {
  const trt::INetworkDefinition& net = engine.network();
  for (int l = 0; l < net.getNbLayers(); ++l) {
    const trt::ILayer* layer = net.getLayer(l);
    if (std::string(layer->getName()) == "under test" && layer->getType() == ex.kind) return layer;
  }
  return nullptr;
}

bool touchesType(const trt::ILayer& layer, DataType t) {
  for (int i = 0; i < layer.getNbInputs(); ++i)
    if (layer.getInput(i)->getType() == t) return true;
  return layer.getOutput(0)->getType() == t;
}

// True when some backend computes the example's layer in `t` (kHALF, kBF16): asked of the layer in
// the example's float32 network.
bool someBackendComputesIn(const Example& ex, DataType t) {
  Net n;
  ex.build(n, DataType::kFLOAT);
  for (int l = 0; l < n.net.getNbLayers(); ++l) {
    const trt::ILayer* layer = n.net.getLayer(l);
    if (std::string(layer->getName()) != "under test") continue;
    return trt::backendComputesIn(trt::Backend::kCPU, *layer, t) ||
           trt::backendComputesIn(trt::Backend::kCUDA, *layer, t);
  }
  return false;
}

bool contains(const std::vector<DataType>& types, DataType t) {
  return std::find(types.begin(), types.end(), t) != types.end();
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (const Example& ex : examples()) {
    std::string base = ex.name;
    for (char& c : base)
      if (c == '.') c = '_';
    for (DataType t : ex.types) cases.push_back({&ex, t, false, base + "_" + trt::dataTypeName(t)});
    if (!ex.sixteenBit || !contains(ex.types, DataType::kFLOAT)) continue;
    for (DataType t : {DataType::kHALF, DataType::kBF16})
      if (someBackendComputesIn(ex, t)) cases.push_back({&ex, t, true, base + "_" + trt::dataTypeName(t) + "_build"});
  }
  return cases;
}

// gtest prints a failing case by its name (not its bytes).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class BackendOps : public ::testing::TestWithParam<Case> {};

TEST_P(BackendOps, MatchesTheCpuReference) {
  const Case& c = GetParam();
  const Example& ex = *c.example;
  const DataType storage = c.reducedBuild ? DataType::kFLOAT : c.type;
  const DataType reduced = c.reducedBuild ? c.type : DataType::kFLOAT;
  const std::vector<trt::Backend> backends = {trt::Backend::kCPU,
#ifdef TORCHTRT_WITH_CUDA
                                              trt::Backend::kCUDA
#endif
  };
  const bool exact = contains(ex.exactAgainstFloat, c.type) && !c.reducedBuild;
  Results reference;
  std::map<std::string, std::vector<double>> inputs;
  for (trt::Backend backend : backends) {
#ifdef TORCHTRT_WITH_CUDA
    if (backend == trt::Backend::kCUDA && !trt_test::gpuVisible()) {
      std::cout << "[ info ] " << c.name << ": no CUDA GPU visible, the CPU only\n";
      continue;
    }
#endif
    const std::string where = std::string(trt::backendName(backend)) + " backend";
    trt_test::Built built = buildFor(ex, storage, backend, reduced);
    // The kind under test must reach the runtime (not be folded or fused away), and run in 16 bits
    // where the backend says it does.
    const trt::ILayer* layer = layerUnderTest(*built.engine, ex);
    ASSERT_NE(layer, nullptr) << where << ": the built engine has no " << trt::layerTypeName(ex.kind)
                              << " layer \"under test\"; change the example so the builder keeps it\n"
                              << built.engine->describeLayers();
    if (c.reducedBuild && trt::backendComputesIn(backend, *layer, c.type)) {
      EXPECT_TRUE(touchesType(*layer, c.type))
          << where << ": the layer does not compute in " << trt::dataTypeName(c.type) << "\n"
          << built.engine->describeLayers();
    }
    if (backend == trt::Backend::kCPU) {
      inputs = makeInputs(ex, *built.engine, exact);
      reference = runEngine(*built.engine, ex, inputs);
      if (c.reducedBuild) {
        // The 16-bit engine against the float32 one.
        trt_test::Built fp32 = buildFor(ex, DataType::kFLOAT, backend, DataType::kFLOAT);
        expectClose(reference, runEngine(*fp32.engine, ex, inputs), toleranceFor(c.type),
                    "cpu " + std::string(trt::dataTypeName(c.type)) + " build against the float32 build");
      } else if (exact) {
        // The same integer inputs through the float32 network.
        trt_test::Built fp32 = buildFor(ex, DataType::kFLOAT, backend, DataType::kFLOAT);
        expectClose(reference, runEngine(*fp32.engine, ex, inputs), {0, 0},
                    "cpu " + std::string(trt::dataTypeName(c.type)) + " against float32 on the same integers");
      }
      continue;
    }
    expectClose(runEngine(*built.engine, ex, inputs), reference, toleranceFor(c.type),
                where + " against the CPU reference");
  }
}

INSTANTIATE_TEST_SUITE_P(AllKinds, BackendOps, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(BackendOpsTable, EveryKindHasAnExample) {
  for (int32_t k = 0; k < trt::kLAYER_TYPE_COUNT; ++k) {
    const auto kind = static_cast<LayerType>(k);
    bool found = false;
    for (const Example& ex : examples()) found |= ex.kind == kind;
    EXPECT_TRUE(found) << "layer kind " << trt::layerTypeName(kind)
                       << " has no example in tests/engine/backend_ops_test.cpp: add one to examples()";
  }
}

// A kind that a backend computes in 16 bits has an example that runs it so: a 16-bit build of a float32
// example, or an example whose own tensors are 16-bit.
TEST(BackendOpsTable, EveryKindComputedIn16BitsHasA16BitExample) {
  for (int32_t k = 0; k < trt::kLAYER_TYPE_COUNT; ++k) {
    const auto kind = static_cast<LayerType>(k);
    const std::unique_ptr<trt::LayerBase> owner = trt::makeLayer(kind);
    const trt::ILayer* layer = &owner->api();
    const bool computes16 = trt::backendComputesIn(trt::Backend::kCPU, *layer, DataType::kHALF) ||
                            trt::backendComputesIn(trt::Backend::kCUDA, *layer, DataType::kHALF);
    if (!computes16) continue;
    bool found = false;
    for (const Example& ex : examples())
      found |= ex.kind == kind && (contains(ex.types, DataType::kHALF) || contains(ex.types, DataType::kBF16) ||
                                   (ex.sixteenBit && contains(ex.types, DataType::kFLOAT)));
    EXPECT_TRUE(found) << "a backend computes " << trt::layerTypeName(kind)
                       << " in FP16, but no example runs it in 16 bits: give one float32 example "
                          "sixteenBit = true, or a float16 type";
  }
}

// The factory the plan reader uses makes each kind's own class (the Stem column matches the class).
TEST(BackendOpsTable, TheFactoryMakesEveryKind) {
  for (int32_t k = 0; k < trt::kLAYER_TYPE_COUNT; ++k) {
    const auto kind = static_cast<LayerType>(k);
    EXPECT_EQ(trt::makeLayer(kind)->api().getType(), kind) << trt::layerTypeName(kind);
  }
  EXPECT_THROW(trt::makeLayer(static_cast<LayerType>(trt::kLAYER_TYPE_COUNT)), trt::Error);
}

}  // namespace
