#include <gtest/gtest.h>

#include "torch_tensorrt/torch_tensorrt.h"
#include "trt/runtime.h"

TEST(Smoke, BuildInfoNamesBackends) {
  const std::string info = torch_tensorrt::get_build_info();
  EXPECT_NE(info.find("cpu"), std::string::npos) << info;
  EXPECT_NE(info.find("plan format " + std::to_string(trt::planFormatVersion())), std::string::npos) << info;
}

TEST(Smoke, CudaGraphModeIsAProcessWideSwitch) {
  EXPECT_FALSE(torch_tensorrt::runtime::get_cudagraphs_mode());
  torch_tensorrt::runtime::set_cudagraphs_mode(true);
  EXPECT_TRUE(torch_tensorrt::runtime::get_cudagraphs_mode());
  torch_tensorrt::runtime::set_cudagraphs_mode(false);
  EXPECT_FALSE(torch_tensorrt::runtime::get_cudagraphs_mode());
}
