// layer_precisions keys: which name an operator kind, and how patterns match layer names.
#include <gtest/gtest.h>

#include "core/conversion/layer_precisions.h"

using torch_tensorrt::core::conversion::IsOperatorKindKey;
using torch_tensorrt::core::conversion::MatchesLayerPattern;

TEST(LayerPrecisions, OperatorKindKeysAreNamespaceColonColonName) {
  EXPECT_TRUE(IsOperatorKindKey("aten::softmax"));
  EXPECT_TRUE(IsOperatorKindKey("aten::_convolution"));
  EXPECT_TRUE(IsOperatorKindKey("my_ops::fused2"));
  EXPECT_FALSE(IsOperatorKindKey("*aten::softmax*"));
  EXPECT_FALSE(IsOperatorKindKey("aten::"));
  EXPECT_FALSE(IsOperatorKindKey("::softmax"));
  EXPECT_FALSE(IsOperatorKindKey("%5 : Tensor = aten::softmax(%x, %3, %4)"));
  EXPECT_FALSE(IsOperatorKindKey("encoder.layer.0"));
}

TEST(LayerPrecisions, PatternsMatchWholeLayerNames) {
  const std::string name = "%y.1 : Tensor = aten::softmax(%x, %3, %4) # model.py:12:15";
  EXPECT_TRUE(MatchesLayerPattern("*model.py:12:*", name));
  EXPECT_TRUE(MatchesLayerPattern("*aten::softmax(*", name));
  EXPECT_TRUE(MatchesLayerPattern("%y.? : Tensor*", name));
  EXPECT_TRUE(MatchesLayerPattern(name, name));
  EXPECT_TRUE(MatchesLayerPattern("*", name));
  EXPECT_FALSE(MatchesLayerPattern("*model.py:13:*", name));
  EXPECT_FALSE(MatchesLayerPattern("aten::softmax", name));  // a pattern matches the whole name
  EXPECT_FALSE(MatchesLayerPattern("*:15x", name));
  EXPECT_TRUE(MatchesLayerPattern("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(MatchesLayerPattern("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(MatchesLayerPattern("", ""));
  EXPECT_FALSE(MatchesLayerPattern("", "x"));
}
