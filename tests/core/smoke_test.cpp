#include <gtest/gtest.h>

#include "torch_tensorrt/torch_tensorrt.h"

TEST(Smoke, BuildInfoNamesBackends) { EXPECT_NE(torch_tensorrt::get_build_info().find("cpu"), std::string::npos); }
