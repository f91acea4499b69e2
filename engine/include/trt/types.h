// Basic vocabulary of the engine: dimensions, data types, weights, enums, errors, logging.
// Names and semantics follow TensorRT's public API (NvInferRuntimeBase.h / NvInfer.h) so that
// converters written for TensorRT port by aliasing the namespace.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace trt {

//! Dimensions of a tensor; -1 marks a dimension known only at run time.
class Dims {
 public:
  static constexpr int32_t MAX_DIMS = 8;
  int32_t nbDims = 0;
  int64_t d[MAX_DIMS] = {};

  Dims() = default;
  Dims(std::initializer_list<int64_t> values);
  //! Builds dims from a vector; throws when it has more than MAX_DIMS entries.
  static Dims fromVector(const std::vector<int64_t>& values);
  //! Returns the dims as a vector.
  std::vector<int64_t> toVector() const;
  //! Number of elements; -1 when any dimension is dynamic.
  int64_t volume() const;
  //! True when no dimension is -1.
  bool isStatic() const;
  bool operator==(const Dims& other) const;
  bool operator!=(const Dims& other) const { return !(*this == other); }
  //! Renders as "(1, 3, 224, 224)".
  std::string str() const;
};

using Dims2 = Dims;
using Dims3 = Dims;
using Dims4 = Dims;
using DimsHW = Dims;

//! Element types, numbered as in TensorRT.
enum class DataType : int32_t {
  kFLOAT = 0,
  kHALF = 1,
  kINT8 = 2,
  kINT32 = 3,
  kBOOL = 4,
  kUINT8 = 5,
  kFP8 = 6,  //!< FP8 E4M3 (torch.float8_e4m3fn): 4 exponent bits, 3 mantissa bits, max 448, no infinity
  kBF16 = 7,
  kINT64 = 8,
};
//! Size in bytes of one element of the type.
size_t dataTypeSize(DataType type);
//! Lower-case name of the type ("float32", "float16", ...).
const char* dataTypeName(DataType type);
//! True when the value is one of the enumerators above.
bool isValidDataType(int32_t value);

//! A view of weights owned by the caller; the network copies them when a layer is added.
struct Weights {
  DataType type = DataType::kFLOAT;
  const void* values = nullptr;
  int64_t count = 0;
};

// Layer kinds: the ONE list every per-kind table is generated from (the LayerType enum and its
// names here; the factory and so the plan reader, layers/make_layer.cpp; the kernel declarations and
// tables of each backend, backends/cpu/cpu_kernels.h and registry.cpp, backends/cuda/cuda_kernels.h
// and common.cu; which backends compute the kind in 16 bits, backends/half_support.cpp). A new kind
// is one line here (append it: the enumerator's value is its number in plans); see
// docs/architecture.md, "Adding a layer kind".
//
// X(enumerator, Stem, CPU16, CUDA16):
//   Stem    names the class I<Stem>Layer, the kind's name in logs, errors and the inspector ("<Stem>"),
//           the CPU kernel cpu::run<Stem> and the CUDA launcher cuda::launch<Stem>. A backend
//           without that kernel fails to link (an undefined reference naming it), never at run time.
//   CPU16   HALF: the backend computes the kind with FP16/BF16 tensors (FP32 math where it
//   CUDA16  accumulates); FP32: the builder keeps it in FP32 behind casts in 16-bit builds.
//           Exceptions that depend on a layer's parameters are in backends/half_support.cpp.
#define TRT_LAYER_KINDS(X)                        \
  X(kCONVOLUTION, Convolution, HALF, HALF)        \
  X(kACTIVATION, Activation, HALF, HALF)          \
  X(kPOOLING, Pooling, HALF, HALF)                \
  X(kELEMENTWISE, ElementWise, HALF, HALF)        \
  X(kMATRIX_MULTIPLY, MatrixMultiply, HALF, HALF) \
  X(kSHUFFLE, Shuffle, HALF, HALF)                \
  X(kCONSTANT, Constant, HALF, HALF)              \
  X(kREDUCE, Reduce, HALF, HALF)                  \
  X(kSOFTMAX, SoftMax, HALF, HALF)                \
  X(kCONCATENATION, Concatenation, HALF, HALF)    \
  X(kIDENTITY, Identity, HALF, HALF)              \
  X(kUNARY, Unary, HALF, HALF)                    \
  X(kSLICE, Slice, HALF, HALF)                    \
  X(kSELECT, Select, HALF, HALF)                  \
  X(kGATHER, Gather, HALF, HALF)                  \
  X(kRESIZE, Resize, HALF, HALF)                  \
  X(kTOPK, TopK, HALF, FP32)                      \
  X(kNORMALIZATION, Normalization, HALF, HALF)    \
  X(kQUANTIZE, Quantize, FP32, FP32)              \
  X(kDEQUANTIZE, Dequantize, FP32, FP32)          \
  X(kCUMULATIVE, Cumulative, FP32, FP32)          \
  X(kSCATTER, Scatter, HALF, HALF)                \
  X(kGRID_SAMPLE, GridSample, HALF, HALF)         \
  X(kSHAPE, Shape, HALF, HALF)                    \
  X(kFILL, Fill, HALF, HALF)                      \
  X(kNON_ZERO, NonZero, HALF, HALF)               \
  X(kEINSUM, Einsum, HALF, HALF)                  \
  X(kONE_HOT, OneHot, HALF, HALF)                 \
  X(kSCALE, Scale, HALF, HALF)                    \
  X(kPARAMETRIC_RELU, ParametricReLU, HALF, HALF) \
  X(kDECONVOLUTION, Deconvolution, HALF, HALF)    \
  X(kATTENTION, Attention, HALF, HALF)            \
  X(kRMS_NORMALIZATION, RMSNormalization, HALF, HALF)

enum class LayerType : int32_t {
#define TRT_ENUM_ENTRY(name, stem, cpu16, cuda16) name,
  TRT_LAYER_KINDS(TRT_ENUM_ENTRY)
#undef TRT_ENUM_ENTRY
};
constexpr int32_t kLAYER_TYPE_COUNT = 0
#define TRT_COUNT_ENTRY(name, stem, cpu16, cuda16) +1
    TRT_LAYER_KINDS(TRT_COUNT_ENTRY)
#undef TRT_COUNT_ENTRY
    ;
//! Name of a layer kind as written in plans, logs and docs.
const char* layerTypeName(LayerType type);

enum class ActivationType : int32_t {
  kRELU = 0,
  kSIGMOID = 1,
  kTANH = 2,
  kLEAKY_RELU = 3,
  kELU = 4,
  kSELU = 5,
  kSOFTSIGN = 6,
  kSOFTPLUS = 7,
  kCLIP = 8,
  kHARD_SIGMOID = 9,
  kSCALED_TANH = 10,
  kTHRESHOLDED_RELU = 11,
  kGELU_ERF = 12,
  kGELU_TANH = 13,
  kSILU = 14,        //!< x * sigmoid(x), the gate in float (aten::silu)
  kHARD_SWISH = 15,  //!< x * min(max(x + 3, 0), 6) / 6 (aten::hardswish)
};
constexpr int32_t kACTIVATION_TYPE_COUNT = 16;

enum class UnaryOperation : int32_t {
  kEXP = 0,
  kLOG = 1,
  kSQRT = 2,
  kRECIP = 3,
  kABS = 4,
  kNEG = 5,
  kSIN = 6,
  kCOS = 7,
  kTAN = 8,
  kSINH = 9,
  kCOSH = 10,
  kASIN = 11,
  kACOS = 12,
  kATAN = 13,
  kASINH = 14,
  kACOSH = 15,
  kATANH = 16,
  kCEIL = 17,
  kFLOOR = 18,
  kERF = 19,
  kNOT = 20,
  kSIGN = 21,
  kROUND = 22,
  kISINF = 23,
  kISNAN = 24,
  kLOG2 = 25,         //!< float
  kLOG10 = 26,        //!< float
  kTRUNC = 27,        //!< rounds toward zero; float
  kBITWISE_NOT = 28,  //!< ~x on int32/int64, logical not on bool
};
constexpr int32_t kUNARY_OPERATION_COUNT = 29;

enum class PoolingType : int32_t { kMAX = 0, kAVERAGE = 1 };
constexpr int32_t kPOOLING_TYPE_COUNT = 2;

//! How a slice reads coordinates outside its input (TensorRT's SampleMode). Padding is a slice
//! that starts before the input and ends after it.
enum class SampleMode : int32_t {
  kSTRICT_BOUNDS = 0,  //!< every read must be inside the input
  kWRAP = 1,           //!< coordinates wrap around (circular padding)
  kCLAMP = 2,          //!< the nearest edge element (replicate padding)
  kFILL = 3,           //!< a constant fill value (constant padding)
  kREFLECT = 4,        //!< mirrored without repeating the edge (reflection padding)
};
constexpr int32_t kSAMPLE_MODE_COUNT = 5;

//! Gather's mode: kDEFAULT takes whole slices by index (index_select, embedding); kELEMENT takes one
//! element per index, the index tensor having the data's rank (torch.gather).
enum class GatherMode : int32_t { kDEFAULT = 0, kELEMENT = 1 };
//! Scatter by element along an axis (torch.scatter), or by index tuples addressing leading
//! dimensions (ONNX ScatterND, x[i, j] = v).
enum class ScatterMode : int32_t { kELEMENT = 0, kND = 1 };
constexpr int32_t kSCATTER_MODE_COUNT = 2;
constexpr int32_t kGATHER_MODE_COUNT = 2;

//! How a Scale layer's coefficients map onto its input: one for all elements, one per channel, or
//! one per element of a sample (the dims from the channel axis on).
enum class ScaleMode : int32_t { kUNIFORM = 0, kCHANNEL = 1, kELEMENTWISE = 2 };
constexpr int32_t kSCALE_MODE_COUNT = 3;

//! What a Fill layer writes: one value everywhere, or alpha + sum over dims of beta[d] * index[d].
enum class FillOperation : int32_t { kCONSTANT = 0, kLINSPACE = 1 };
constexpr int32_t kFILL_OPERATION_COUNT = 2;

//! Which end TopK selects: the largest (sorted descending) or the smallest (ascending) elements.
enum class TopKOperation : int32_t { kMAX = 0, kMIN = 1 };
constexpr int32_t kTOPK_OPERATION_COUNT = 2;
//! What a TopK layer outputs (layers have one output; values and indices are two layers).
enum class TopKOutput : int32_t { kVALUES = 0, kINDICES = 1 };
constexpr int32_t kTOPK_OUTPUT_COUNT = 2;

//! How Resize computes an output element from the input.
enum class InterpolationMode : int32_t { kNEAREST = 0, kLINEAR = 1, kCUBIC = 2 };
constexpr int32_t kINTERPOLATION_MODE_COUNT = 3;

//! How Resize maps an output coordinate to an input coordinate (ratio r = in/out, or 1/scale):
//! kALIGN_CORNERS: x = dst * (in-1)/(out-1); kASYMMETRIC: x = dst * r;
//! kHALF_PIXEL: x = (dst + 0.5) * r - 0.5 (linear clamps x at 0; nearest takes floor((dst + 0.5) * r)).
enum class ResizeCoordinateTransformation : int32_t { kALIGN_CORNERS = 0, kASYMMETRIC = 1, kHALF_PIXEL = 2 };
constexpr int32_t kRESIZE_COORDINATE_TRANSFORMATION_COUNT = 3;

//! How output size is rounded when the window does not tile the padded input.
enum class PaddingMode : int32_t { kEXPLICIT_ROUND_DOWN = 0, kEXPLICIT_ROUND_UP = 1 };
constexpr int32_t kPADDING_MODE_COUNT = 2;

enum class ElementWiseOperation : int32_t {
  kSUM = 0,
  kPROD = 1,
  kMAX = 2,
  kMIN = 3,
  kSUB = 4,
  kDIV = 5,
  kPOW = 6,
  kFLOOR_DIV = 7,
  kAND = 8,
  kOR = 9,
  kXOR = 10,
  kEQUAL = 11,
  kGREATER = 12,
  kLESS = 13,
  kFMOD = 14,         //!< remainder with the dividend's sign (torch.fmod); float and integer
  kREMAINDER = 15,    //!< remainder with the divisor's sign (torch.remainder, Python's %); float and integer
  kATAN2 = 16,        //!< atan2(a, b); float
  kBITWISE_AND = 17,  //!< integer and bool
  kBITWISE_OR = 18,   //!< integer and bool
  kBITWISE_XOR = 19,  //!< integer and bool
};
constexpr int32_t kELEMENTWISE_OPERATION_COUNT = 20;

enum class MatrixOperation : int32_t { kNONE = 0, kTRANSPOSE = 1, kVECTOR = 2 };
constexpr int32_t kMATRIX_OPERATION_COUNT = 3;

//! What a Cumulative layer accumulates along its axis.
enum class CumulativeOperation : int32_t { kSUM = 0, kPROD = 1 };
constexpr int32_t kCUMULATIVE_OPERATION_COUNT = 2;

//! How a Scatter layer combines an update with the element it lands on: kNONE writes it (torch.scatter),
//! the others reduce (torch.scatter_reduce's sum, prod, amax, amin, mean; scatter_add is kSUM).
enum class ScatterReduction : int32_t { kNONE = 0, kSUM = 1, kPROD = 2, kMAX = 3, kMIN = 4, kMEAN = 5 };
constexpr int32_t kSCATTER_REDUCTION_COUNT = 6;

enum class ReduceOperation : int32_t { kSUM = 0, kPROD = 1, kMAX = 2, kMIN = 3, kAVG = 4 };
constexpr int32_t kREDUCE_OPERATION_COUNT = 5;

//! How an INT8 calibrator turns the observed values of a tensor into its scale (TensorRT's names;
//! kPERCENTILE is this engine's own). Entropy versions pick the threshold whose 128-level
//! quantization loses the least information (KL divergence); min-max takes the largest |x|;
//! percentile the 99.99th percentile of |x|. The scale is threshold / 127.
enum class CalibrationAlgoType : int32_t {
  kLEGACY_CALIBRATION = 0,
  kENTROPY_CALIBRATION = 1,
  kENTROPY_CALIBRATION_2 = 2,
  kMINMAX_CALIBRATION = 3,
  kPERCENTILE_CALIBRATION = 4,
};
constexpr int32_t kCALIBRATION_ALGO_TYPE_COUNT = 5;
//! Name of a calibration algorithm as written in calibration caches ("EntropyCalibration2", ...).
const char* calibrationAlgoName(CalibrationAlgoType algo);

//! Every error the engine raises; the message names the layer, tensor or plan field at fault.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

//! Receives the engine's diagnostics.
class ILogger {
 public:
  enum class Severity : int32_t { kINTERNAL_ERROR = 0, kERROR = 1, kWARNING = 2, kINFO = 3, kVERBOSE = 4 };
  virtual ~ILogger() = default;
  //! Called for each message at or above the logger's own filter.
  virtual void log(Severity severity, const char* msg) noexcept = 0;
};

//! A logger that prints warnings and errors to stderr; used when none is given.
ILogger& defaultLogger();

}  // namespace trt
