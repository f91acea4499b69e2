// INT8 post-training quantization through the C++ API: torch_tensorrt::ptq::make_int8_calibrator over
// a torch::data data loader, the cache it writes, make_int8_cache_calibrator reading it back.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "torch/torch.h"
#include "torch_tensorrt/ptq.h"
#include "torch_tensorrt/torch_tensorrt.h"

namespace {
torch::jit::Module convModule() {
  torch::manual_seed(0);
  torch::jit::Module m("Conv");
  m.register_parameter("weight", torch::randn({6, 3, 3, 3}) * 0.3, false);
  m.register_parameter("bias", torch::randn({6}) * 0.1, false);
  m.register_parameter("weight2", torch::randn({4, 6, 3, 3}) * 0.3, false);
  m.define(R"(
def forward(self, x):
    y = torch.relu(torch.conv2d(x, self.weight, self.bias, [1, 1], [1, 1]))
    return torch.conv2d(y, self.weight2, None, [1, 1], [1, 1])
)");
  m.eval();
  return m;
}

torch_tensorrt::ts::CompileSpec int8Spec() {
  torch_tensorrt::ts::CompileSpec spec({torch_tensorrt::Input(std::vector<int64_t>{4, 3, 8, 8})});
  spec.device = torch_tensorrt::Device(torch_tensorrt::Device::DeviceType::kCPU);
  spec.enabled_precisions = {torch_tensorrt::DataType::kFloat, torch_tensorrt::DataType::kChar};
  return spec;
}

auto dataLoader() {
  torch::manual_seed(1);
  auto dataset = torch::data::datasets::TensorDataset(torch::randn({16, 3, 8, 8}))
                     .map(torch::data::transforms::Stack<torch::data::TensorExample>());
  return torch::data::make_data_loader<torch::data::samplers::SequentialSampler>(
      std::move(dataset), torch::data::DataLoaderOptions().batch_size(4));
}
}  // namespace

TEST(Ptq, DataLoaderCalibratorQuantizesWritesACacheAndTheCacheCalibratorRebuildsTheSameEngine) {
  auto module = convModule();
  const std::string cache = ::testing::TempDir() + "ptq_test.cache";
  std::remove(cache.c_str());
  auto calibrator = torch_tensorrt::ptq::make_int8_calibrator<trt::IInt8MinMaxCalibrator>(dataLoader(), cache, true);
  auto spec = int8Spec();
  spec.ptq_calibrator = calibrator;
  const std::string plan = torch_tensorrt::ts::convert_method_to_trt_engine(module, "forward", spec);
  EXPECT_EQ(calibrator.batchesGiven(), 4);
  std::ifstream written(cache);
  std::string header;
  std::getline(written, header);
  EXPECT_EQ(header, "TorchTRT-INT8-Calibration MinMaxCalibration");

  auto fromCache = torch_tensorrt::ptq::make_int8_cache_calibrator<trt::IInt8MinMaxCalibrator>(cache);
  auto spec2 = int8Spec();
  spec2.ptq_calibrator = fromCache;
  EXPECT_EQ(torch_tensorrt::ts::convert_method_to_trt_engine(module, "forward", spec2), plan);
  EXPECT_EQ(fromCache.batchesGiven(), 0);

  // The compiled module stays close to FP32 (8-bit activations and weights).
  auto spec3 = int8Spec();
  spec3.ptq_calibrator = fromCache;
  auto compiled = torch_tensorrt::ts::compile(module, spec3);
  auto x = torch::randn({4, 3, 8, 8});
  auto ref = module.forward({x}).toTensor(), got = compiled.forward({x}).toTensor();
  EXPECT_GT(torch::cosine_similarity(ref.flatten(), got.flatten(), 0).item<double>(), 0.999);
  EXPECT_FALSE(torch::allclose(ref, got, 1e-6, 1e-6)) << "the engine is not quantized";
}

TEST(Ptq, Int8WithoutCalibratorOnAPlainModelIsRefused) {
  auto module = convModule();
  try {
    torch_tensorrt::ts::compile(module, int8Spec());
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no INT8 calibrator was given"), std::string::npos) << e.what();
  }
  auto missing = torch_tensorrt::ptq::make_int8_cache_calibrator(::testing::TempDir() + "no_such.cache");
  auto spec = int8Spec();
  spec.ptq_calibrator = missing;
  try {
    torch_tensorrt::ts::compile(module, spec);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("is missing or empty"), std::string::npos) << e.what();
  }
}
