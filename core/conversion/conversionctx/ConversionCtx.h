// State of one conversion: the network being built and the map from graph values to
// engine tensors or compile-time values.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ATen/core/ivalue.h"
#include "torch/csrc/jit/ir/ir.h"
#include "trt/trt.h"

namespace torch_tensorrt {
namespace core {
namespace conversion {

//! Builder settings for one engine.
struct BuilderSettings {
  std::set<at::ScalarType> enabled_precisions = {at::kFloat};
  bool disable_tf32 = false;
  bool debug = false;
  bool truncate_long_and_double = false;
  trt::Backend backend = trt::Backend::kCPU;
  int64_t gpu_id = 0;
  int64_t workspace_size = 0;
  int64_t num_avg_timing_iters = 1;
  //! INT8 post-training calibration (with at::kChar in enabled_precisions); not owned.
  trt::IInt8Calibrator* calibrator = nullptr;
  //! A timing cache file read before the build and rewritten after it (CUDA backend; "" = none).
  std::string timing_cache_path;
  //! Layers pinned to a precision: operator kind ("aten::softmax") or layer name pattern -> dtype
  //! (conversion/layer_precisions.h applies them).
  std::map<std::string, at::ScalarType> layer_precisions;
};

//! Reads the settings' timing cache file (CUDA backend) into a cache made by `cfg`; nullptr when there is
//! none to use; a file that is not a timing cache throws, naming it.
std::unique_ptr<trt::ITimingCache> readTimingCacheFile(const BuilderSettings& settings, trt::IBuilderConfig& cfg);
//! Throws when the settings' timing cache file is damaged: checked before a compile, so that the fallback
//! from one engine to partitioning cannot hide the user's file behind "no part could run in an engine".
void checkTimingCacheFile(const BuilderSettings& settings);

struct ConversionCtx {
  explicit ConversionCtx(BuilderSettings settings);
  ~ConversionCtx();

  //! Binds a graph value to an engine tensor (naming the tensor after the value) and returns the tensor.
  trt::ITensor* AssociateValueAndTensor(const torch::jit::Value* value, trt::ITensor* tensor);
  //! Binds a graph value to a compile-time value.
  torch::jit::IValue* AssociateValueAndIValue(const torch::jit::Value* value, torch::jit::IValue ivalue);
  //! Keeps a tensor's storage alive for the duration of the conversion and returns engine weights over it.
  trt::Weights toWeights(const at::Tensor& tensor);
  //! Adds a constant layer holding a Torch tensor (float64 becomes float32; int64 becomes int32 where
  //! every value fits, and stays int64 otherwise).
  trt::ITensor* constantTensor(const at::Tensor& tensor, const std::string& name);
  //! A constant of engine type `type` whose elements are `bytes`' (one byte each: FP8 codes), shape and all.
  trt::ITensor* constantBytes(const at::Tensor& bytes, trt::DataType type, const std::string& name);
  //! A constant layer over `t`'s memory (a contiguous CPU tensor that is its whole storage) as engine type `type`,
  //! the network holding a reference to the tensor.
  trt::ITensor* lentConstant(const at::Tensor& t, trt::DataType type, const std::string& name);
  //! Serializes the network into a plan.
  std::string SerializeEngine();
  //! The engine inspector's JSON of the network as the builder would optimize it, without building a plan
  //! (trt::IBuilder::describeOptimizedNetwork: no GPU needed for a CUDA preview).
  std::string DescribeOptimizedEngine();
  //! Clears INT8 when no fake-quantize node of the engine became a Quantize layer and there is no calibrator
  //! (their ranges were computed in floating point), with a warning.
  void dropInt8WithoutQuantizations();
  //! The settings' timing cache file, read into a cache set on the config (nullptr when there is none
  //! to use), and written back after the build.
  std::unique_ptr<trt::ITimingCache> readTimingCache();
  void writeTimingCache(const trt::ITimingCache& cache);

  BuilderSettings settings;
  std::unique_ptr<trt::IBuilder> builder;
  std::unique_ptr<trt::INetworkDefinition> network_owner;
  trt::INetworkDefinition* net;
  std::unique_ptr<trt::IBuilderConfig> cfg;
  std::unordered_map<const torch::jit::Value*, trt::ITensor*> value_tensor_map;
  //! Fake-quantize nodes computed exactly in floating point because their range has no INT8 form in
  //! the engine (zero point not 0, or not [-128, 127]); an INT8 build of only these quantizes nothing.
  int64_t emulated_fake_quantize = 0;
  //! Nodes whose outputs feed only run-time checks (`if cond: raise`), found once per conversion.
  std::unordered_set<const torch::jit::Node*> check_feeders;
  std::unordered_map<const torch::jit::Value*, torch::jit::IValue> evaluated_value_map;
  //! Lists built from engine tensors (prim::ListConstruct of run-time tensors).
  std::unordered_map<const torch::jit::Value*, std::vector<trt::ITensor*>> tensor_list_map;
  //! One Shape layer per tensor whose run-time dimensions converters read (shape::dimension, shapeOf).
  std::unordered_map<const trt::ITensor*, trt::ITensor*> shape_of_tensor;
  //! Whether graph outputs may be widened where the engine returns them (ConvertBlockToEngine's
  //! boundary_casts given: the caller casts after the engine).
  bool boundary_casts_allowed = false;
  //! Graph outputs the engine returns in an exact carrier type, to be cast by the caller to this dtype
  //! (float64: the engine has no float64; the cast widens exactly, as eager's does).
  std::unordered_map<const torch::jit::Value*, at::ScalarType> boundary_casts;
  std::vector<at::Tensor> kept_alive;
  int32_t layers_before_build = 0;
  int32_t layers_after_build = 0;
};

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
