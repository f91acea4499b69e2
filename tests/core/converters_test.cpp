// One test per converter family (IR string -> JIT interpreter vs engine).
#include <limits>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;

TEST(Converters, Convolution2dWithBiasStridePaddingGroups) {
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %s : int[] = prim::Constant[value=[2, 1]]()
      %p : int[] = prim::Constant[value=[1, 0]]()
      %d : int[] = prim::Constant[value=[1, 1]]()
      %op : int[] = prim::Constant[value=[0, 0]]()
      %g : int = prim::Constant[value=2]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %y : Tensor = aten::_convolution(%x, %w, %b, %s, %p, %d, %f, %op, %g, %f, %f, %t, %t)
      return (%y))IR",
             {at::randn({2, 4, 9, 8})}, {at::randn({6, 2, 3, 3}), at::randn({6})});
}

TEST(Converters, Convolution1dAnd3d) {
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Tensor):
      %s : int[] = prim::Constant[value=[1]]()
      %p : int[] = prim::Constant[value=[1]]()
      %op : int[] = prim::Constant[value=[0]]()
      %g : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::_convolution(%x, %w, %none, %s, %p, %s, %f, %op, %g, %f, %f, %f, %f)
      return (%y))IR";
  checkGraph(ir, {at::randn({1, 3, 10})}, {at::randn({5, 3, 3})});
  checkGraph(ir, {at::randn({1, 2, 5, 6, 4})}, {at::randn({3, 2, 3, 3, 3})});
}

TEST(Converters, BatchNormInference) {
  checkGraph(R"IR(
    graph(%x : Tensor, %g : Tensor, %b : Tensor, %m : Tensor, %v : Tensor):
      %f : bool = prim::Constant[value=0]()
      %mom : float = prim::Constant[value=0.1]()
      %eps : float = prim::Constant[value=1e-05]()
      %y : Tensor = aten::batch_norm(%x, %g, %b, %m, %v, %f, %mom, %eps, %f)
      return (%y))IR",
             {at::randn({2, 3, 4, 4})}, {at::randn({3}), at::randn({3}), at::randn({3}), at::rand({3}) + 0.5});
}

TEST(Converters, ActivationsAndInPlaceForms) {
  for (std::string op : {"relu", "relu_", "sigmoid", "tanh_", "silu", "hardswish", "hardsigmoid", "relu6", "selu"}) {
    checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::" + op + "(%x)\n  return (%y)", {at::randn({3, 7}) * 4});
  }
  checkGraph(R"IR(
    graph(%x : Tensor):
      %a : float = prim::Constant[value=-0.5]()
      %b : float = prim::Constant[value=0.25]()
      %y : Tensor = aten::hardtanh(%x, %a, %b)
      %s : float = prim::Constant[value=0.2]()
      %z : Tensor = aten::leaky_relu(%y, %s)
      %mode : str = prim::Constant[value="tanh"]()
      %w : Tensor = aten::gelu(%x, %mode)
      return (%z, %w))IR",
             {at::randn({4, 5})});
}

TEST(Converters, PoolingIncludingCeilModeAndAdaptive) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %k : int[] = prim::Constant[value=[3, 3]]()
      %s : int[] = prim::Constant[value=[2, 2]]()
      %p : int[] = prim::Constant[value=[1, 1]]()
      %d : int[] = prim::Constant[value=[1, 1]]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::max_pool2d(%x, %k, %s, %p, %d, %t)
      %b : Tensor = aten::avg_pool2d(%x, %k, %s, %p, %t, %f, %none)
      %o : int[] = prim::Constant[value=[2, 4]]()
      %c : Tensor = aten::adaptive_avg_pool2d(%x, %o)
      return (%a, %b, %c))IR",
             {at::randn({2, 3, 8, 8})});
}

TEST(Converters, ElementwiseTensorScalarAlphaAndBroadcast) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %alpha : int = prim::Constant[value=2]()
      %a : Tensor = aten::add(%x, %y, %alpha)
      %b : Tensor = aten::sub(%a, %y, %alpha)
      %c : Tensor = aten::mul(%b, %y)
      %two : float = prim::Constant[value=2.5]()
      %d : Tensor = aten::div(%c, %two)
      %one : int = prim::Constant[value=1]()
      %e : Tensor = aten::rsub(%d, %two, %one)
      %f : Tensor = aten::add_(%e, %x, %one)
      %g : Tensor = aten::gt(%f, %y)
      %h : Tensor = aten::le(%f, %two)
      return (%f, %g, %h))IR",
             {at::randn({2, 3, 4}), at::randn({3, 1})});
}

TEST(Converters, MatmulVariantsAndAddmm) {
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor, %v : Tensor):
      %x : Tensor = aten::matmul(%a, %b)
      %y : Tensor = aten::matmul(%a, %v)
      return (%x, %y))IR",
             {at::randn({2, 3, 4}), at::randn({4, 5}), at::randn({4})});
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor, %c : Tensor):
      %beta : float = prim::Constant[value=0.5]()
      %alpha : float = prim::Constant[value=2.0]()
      %x : Tensor = aten::addmm(%c, %a, %b, %beta, %alpha)
      return (%x))IR",
             {at::randn({3, 4}), at::randn({4, 5}), at::randn({5})});
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %y : Tensor = aten::linear(%x, %w, %b)
      return (%y))IR",
             {at::randn({2, 6, 8})}, {at::randn({3, 8}), at::randn({3})});
}

TEST(Converters, ShapeOpsWithNegativeDims) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %a : Tensor = aten::flatten(%x, %one, %m1)
      %p : int[] = prim::Constant[value=[2, 0, -1, 1]]()
      %b : Tensor = aten::permute(%x, %p)
      %c : Tensor = aten::transpose(%x, %m1, %one)
      %s : int[] = prim::Constant[value=[-1, 6]]()
      %d : Tensor = aten::view(%x, %s)
      %e : Tensor = aten::unsqueeze(%x, %m1)
      %f : Tensor = aten::squeeze(%e, %m1)
      return (%a, %b, %c, %d, %f))IR",
             {at::randn({2, 3, 4, 5})});
}

TEST(Converters, SoftmaxReductionsAndConcat) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %m1 : int = prim::Constant[value=-1]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::softmax(%x, %m1, %none)
      %dims : int[] = prim::Constant[value=[0, -1]]()
      %t : bool = prim::Constant[value=1]()
      %b : Tensor = aten::mean(%x, %dims, %t, %none)
      %c : Tensor = aten::sum(%x, %none)
      %l : Tensor[] = prim::ListConstruct(%x, %y)
      %one : int = prim::Constant[value=1]()
      %d : Tensor = aten::cat(%l, %one)
      %e : Tensor = aten::stack(%l, %m1)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 3, 4}), at::randn({2, 3, 4})});
}

TEST(Evaluators, SizeAndIntArithmeticFeedAView) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %n : int = aten::size(%x, %zero)
      %c : int = aten::size(%x, %one)
      %two : int = prim::Constant[value=2]()
      %c2 : int = aten::mul(%c, %two)
      %h : int = aten::floordiv(%c2, %two)
      %m1 : int = prim::Constant[value=-1]()
      %s : int[] = prim::ListConstruct(%n, %h, %m1)
      %y : Tensor = aten::view(%x, %s)
      return (%y))IR",
             {at::randn({2, 3, 4, 5})});
}

TEST(Conversion, UnsupportedOpNamesNodeSchemaAndConverter) {
  auto g = torchtrt_test::parse(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %y : Tensor = aten::logcumsumexp(%x, %one)
      return (%y))IR");
  try {
    torchtrt_test::runEngine(g, {at::randn({2, 3})});
    FAIL() << "expected an error";
  } catch (const c10::Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("Unable to convert node: %"), std::string::npos) << msg;
    EXPECT_NE(msg.find(" : Tensor = aten::logcumsumexp(%x, "), std::string::npos) << msg;
    EXPECT_NE(msg.find("Schema: aten::logcumsumexp(Tensor self, int dim) -> Tensor"), std::string::npos) << msg;
    EXPECT_NE(msg.find("Converter for aten::logcumsumexp requested, but no such converter was found."),
              std::string::npos)
        << msg;
  }
}

TEST(Converters, UnaryMathAndInPlaceForms) {
  for (std::string op :
       {"exp",  "log",  "sqrt",  "reciprocal", "abs",  "neg",   "sin",   "cos", "tan",  "sinh",  "cosh", "asin",
        "acos", "atan", "asinh", "atanh",      "ceil", "floor", "round", "erf", "sign", "rsqrt", "exp_", "neg_"}) {
    checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::" + op + "(%x)\n  return (%y)",
               {at::rand({3, 5}) * 1.8 - 0.9});
  }
  checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::acosh(%x)\n  return (%y)", {at::rand({4}) + 1.5});
  checkGraph("graph(%x : Tensor):\n  %y : Tensor = aten::abs(%x)\n  %z : Tensor = aten::neg(%y)\n  return (%z)",
             {at::randint(-5, 5, {6}, at::kInt)});
  checkGraph(R"IR(
    graph(%x : Tensor):
      %a : Tensor = aten::isnan(%x)
      %b : Tensor = aten::isinf(%x)
      %c : Tensor = aten::logical_not(%a)
      return (%a, %b, %c))IR",
             {at::tensor({1.f, NAN, INFINITY, -INFINITY, 0.f})});
}

TEST(Converters, ClampFamily) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %lo : float = prim::Constant[value=-0.5]()
      %hi : float = prim::Constant[value=0.25]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::clamp(%x, %lo, %hi)
      %b : Tensor = aten::clamp(%x, %none, %hi)
      %c : Tensor = aten::clamp_min(%x, %lo)
      return (%a, %b, %c))IR",
             {at::tensor({-2.f, -0.5f, 0.f, 0.3f, NAN, 9.f})});
}

TEST(Converters, LayerNormAndLogSoftmax) {
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %shape : int[] = prim::Constant[value=[4, 6]]()
      %eps : float = prim::Constant[value=1e-05]()
      %t : bool = prim::Constant[value=1]()
      %y : Tensor = aten::layer_norm(%x, %shape, %w, %b, %eps, %t)
      %m1 : int = prim::Constant[value=-1]()
      %none : NoneType = prim::Constant()
      %z : Tensor = aten::log_softmax(%x, %m1, %none)
      return (%y, %z))IR",
             {at::randn({2, 3, 4, 6}) * 30}, {at::randn({4, 6}), at::randn({4, 6})});
}

TEST(Converters, SliceNarrowSelectWithNegativeIndices) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %m1 : int = prim::Constant[value=-1]()
      %m3 : int = prim::Constant[value=-3]()
      %two : int = prim::Constant[value=2]()
      %none : NoneType = prim::Constant()
      %big : int = prim::Constant[value=100]()
      %a : Tensor = aten::slice(%x, %one, %m3, %none, %two)
      %b : Tensor = aten::slice(%x, %m1, %one, %big, %one)
      %c : Tensor = aten::narrow(%x, %two, %one, %two)
      %d : Tensor = aten::select(%x, %one, %m1)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 5, 4})});
}

TEST(Converters, ChunkSplitUnbindExpandRepeat) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %three : int = prim::Constant[value=3]()
      %one : int = prim::Constant[value=1]()
      %zero : int = prim::Constant[value=0]()
      %two : int = prim::Constant[value=2]()
      %l : Tensor[] = aten::chunk(%x, %three, %one)
      %a : Tensor, %b : Tensor, %c : Tensor = prim::ListUnpack(%l)
      %s : Tensor[] = aten::split(%x, %two, %one)
      %d : Tensor = aten::__getitem__(%s, %two)
      %u : Tensor[] = aten::unbind(%x, %zero)
      %e : Tensor, %f : Tensor = prim::ListUnpack(%u)
      %size : int[] = prim::Constant[value=[3, 2, 7, 1]]()
      %g0 : Tensor = aten::slice(%x, %one, %zero, %one, %one)
      %f0 : bool = prim::Constant[value=0]()
      %g : Tensor = aten::expand(%g0, %size, %f0)
      %r : int[] = prim::Constant[value=[2, 1, 3]]()
      %h : Tensor = aten::repeat(%x, %r)
      return (%a, %b, %c, %d, %e, %f, %g, %h))IR",
             {at::randn({2, 7, 1})});
}

TEST(Converters, CastsAndLikeConstants) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %int : int = prim::Constant[value=3]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::to(%x, %int, %f, %f, %none)
      %b : Tensor = aten::type_as(%a, %y)
      %c : Tensor = aten::zeros_like(%x, %none, %none, %none, %none, %none)
      %v : float = prim::Constant[value=2.5]()
      %d : Tensor = aten::full_like(%x, %v, %none, %none, %none, %none, %none)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 3}) * 10, at::randn({1})});
}

TEST(Converters, FlipRollUnflattenPixelShuffle) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %dims : int[] = prim::Constant[value=[0, -1]]()
      %a : Tensor = aten::flip(%x, %dims)
      %shifts : int[] = prim::Constant[value=[2, -1]]()
      %rd : int[] = prim::Constant[value=[1, 3]]()
      %b : Tensor = aten::roll(%x, %shifts, %rd)
      %one : int = prim::Constant[value=1]()
      %sizes : int[] = prim::Constant[value=[2, -1]]()
      %c : Tensor = aten::unflatten(%x, %one, %sizes)
      %two : int = prim::Constant[value=2]()
      %d : Tensor = aten::pixel_shuffle(%x, %two)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 8, 3, 5})});
}

TEST(Converters, LogicalSquarePowAddcMaxMinMish) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %gx : Tensor = aten::gt(%x, %zero)
      %gy : Tensor = aten::gt(%y, %zero)
      %a : Tensor = aten::logical_and(%gx, %gy)
      %b : Tensor = aten::logical_xor(%gx, %gy)
      %c : Tensor = aten::square(%x)
      %two : float = prim::Constant[value=2.]()
      %d : Tensor = aten::pow(%two, %y)
      %half : float = prim::Constant[value=0.5]()
      %e : Tensor = aten::addcmul(%x, %x, %y, %half)
      %f : Tensor = aten::max(%x, %y)
      %g : Tensor = aten::mish(%x)
      return (%a, %b, %c, %d, %e, %f, %g))IR",
             {at::randn({3, 4}), at::randn({3, 4})});
}

TEST(Converters, WhereMaskedFillIndexSelectEmbedding) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor, %idx : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %c : Tensor = aten::gt(%x, %zero)
      %a : Tensor = aten::where(%c, %x, %y)
      %v : float = prim::Constant[value=-7.5]()
      %b : Tensor = aten::masked_fill(%x, %c, %v)
      %one : int = prim::Constant[value=1]()
      %d : Tensor = aten::index_select(%x, %one, %idx)
      return (%a, %b, %d))IR",
             {at::randn({3, 4}), at::randn({1, 4}), at::tensor({3, 0, 3, 2}, at::kLong)});
  checkGraph(R"IR(
    graph(%idx : Tensor, %w : Tensor):
      %pad : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %e : Tensor = aten::embedding(%w, %idx, %pad, %f, %f)
      return (%e))IR",
             {at::tensor({1, 4, 0, 2}, at::kInt).reshape({2, 2})}, {at::randn({5, 3})});
  // Scalar branches (transformers' attention masks), with PyTorch's promotion of int and float.
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %c : Tensor = aten::gt(%x, %zero)
      %low : float = prim::Constant[value=-3.5]()
      %two : int = prim::Constant[value=2]()
      %a : Tensor = aten::where(%c, %x, %low)
      %b : Tensor = aten::where(%c, %low, %x)
      %d : Tensor = aten::where(%c, %two, %low)
      %e : Tensor = aten::where(%c, %i, %two)
      %f : Tensor = aten::where(%c, %i, %low)
      return (%a, %b, %d, %e, %f))IR",
             {at::randn({3, 4}), at::randint(-5, 5, {3, 4}, at::kLong)});
}

TEST(Converters, PaddingEveryModeAndOverload) {
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor):
      %p2 : int[] = prim::Constant[value=[2, 1]]()
      %p4 : int[] = prim::Constant[value=[1, 2, 2, 0]]()
      %p6 : int[] = prim::Constant[value=[1, 1, 0, 2, 1, 0]]()
      %crop : int[] = prim::Constant[value=[-1, 2, 1, -1]]()
      %v : float = prim::Constant[value=1.5]()
      %none : NoneType = prim::Constant()
      %constant : str = prim::Constant[value="constant"]()
      %reflect : str = prim::Constant[value="reflect"]()
      %replicate : str = prim::Constant[value="replicate"]()
      %circular : str = prim::Constant[value="circular"]()
      %a : Tensor = aten::constant_pad_nd(%x, %crop, %v)
      %b : Tensor = aten::pad(%x, %p4, %constant, %none)
      %c : Tensor = aten::pad(%x, %p4, %reflect, %none)
      %d : Tensor = aten::pad(%x, %p6, %replicate, %none)
      %e : Tensor = aten::pad(%x, %p4, %circular, %none)
      %f : Tensor = aten::reflection_pad1d(%y, %p2)
      %g : Tensor = aten::reflection_pad2d(%x, %p4)
      %h : Tensor = aten::reflection_pad3d(%x, %p6)
      %i : Tensor = aten::replication_pad1d(%y, %p2)
      %j : Tensor = aten::replication_pad2d(%x, %p4)
      %k : Tensor = aten::replication_pad3d(%x, %p6)
      %l : Tensor = aten::_pad_circular(%x, %p4)
      %m : Tensor = aten::pad(%x, %p2, %constant, %v)
      return (%a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k, %l, %m))IR",
             {at::randn({2, 3, 4, 5}), at::randn({2, 3, 5})});
  // Integer tensors pad with an integer fill.
  checkGraph(R"IR(
    graph(%x : Tensor):
      %p : int[] = prim::Constant[value=[1, 2]]()
      %v : int = prim::Constant[value=7]()
      %a : Tensor = aten::constant_pad_nd(%x, %p, %v)
      return (%a))IR",
             {at::randint(0, 10, {3, 4}, at::kInt)});
}

TEST(Converters, CreationOpsAsConstants) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %size : int[] = prim::Constant[value=[2, 3]]()
      %v : float = prim::Constant[value=2.5]()
      %int_t : int = prim::Constant[value=3]()
      %a : Tensor = aten::new_zeros(%x, %size, %none, %none, %none, %none)
      %b : Tensor = aten::new_ones(%x, %size, %int_t, %none, %none, %none)
      %c : Tensor = aten::new_full(%x, %size, %v, %none, %none, %none, %none)
      %z : Tensor = aten::zeros(%size, %none, %none, %none, %none)
      %o : Tensor = aten::ones(%size, %none, %none, %none, %none)
      %f : Tensor = aten::full(%size, %v, %none, %none, %none, %none)
      %five : int = prim::Constant[value=5]()
      %r : Tensor = aten::arange(%five, %none, %none, %none, %none)
      %s : Tensor = aten::add(%x, %z, %five)
      %t : Tensor = aten::mul(%s, %f)
      return (%a, %b, %c, %o, %r, %t))IR",
             {at::randn({2, 3})});
}

TEST(Converters, ScaledDotProductAttentionMasksAndScale) {
  checkGraph(R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor, %fmask : Tensor, %bmask : Tensor):
      %none : NoneType = prim::Constant()
      %zero : float = prim::Constant[value=0.]()
      %false : bool = prim::Constant[value=0]()
      %true : bool = prim::Constant[value=1]()
      %scale : float = prim::Constant[value=0.3]()
      %a : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %false, %none, %false)
      %b : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %true, %none, %false)
      %c : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %fmask, %zero, %false, %scale, %false)
      %d : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %bmask, %zero, %false, %none, %false)
      return (%a, %b, %c, %d))IR",
             {at::randn({2, 3, 5, 8}), at::randn({2, 3, 7, 8}), at::randn({2, 3, 7, 4}), at::randn({5, 7}),
              at::rand({2, 1, 5, 7}) > 0.3});
}

TEST(Converters, AdaptivePoolingWithUnevenWindows) {
  // 5x7 -> 3x4 and 2 -> 7: PyTorch's windows overlap and differ in size.
  checkGraph(R"IR(
    graph(%x : Tensor, %y : Tensor, %z : Tensor):
      %o : int[] = prim::Constant[value=[3, 4]]()
      %up : int[] = prim::Constant[value=[7, 7]]()
      %o1 : int[] = prim::Constant[value=[3]]()
      %a : Tensor = aten::adaptive_avg_pool2d(%x, %o)
      %b : Tensor, %bi : Tensor = aten::adaptive_max_pool2d(%x, %o)
      %c : Tensor = aten::adaptive_avg_pool2d(%y, %up)
      %d : Tensor = aten::adaptive_avg_pool1d(%z, %o1)
      %e : Tensor, %ei : Tensor = aten::adaptive_max_pool1d(%z, %o1)
      return (%a, %b, %c, %d, %e))IR",
             {at::randn({2, 3, 5, 7}), at::randn({1, 4, 2, 2}), at::randn({2, 3, 7})});
}

TEST(Converters, UpsampleEveryModeSizesAndScales) {
  checkGraph(R"IR(
    graph(%x : Tensor, %v : Tensor, %l : Tensor):
      %none : NoneType = prim::Constant()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %size : int[] = prim::Constant[value=[7, 10]]()
      %down : int[] = prim::Constant[value=[3, 2]]()
      %size3 : int[] = prim::Constant[value=[3, 7, 5]]()
      %size1 : int[] = prim::Constant[value=[11]]()
      %sf : float[] = prim::Constant[value=[1.5, 2.3]]()
      %sf3 : float[] = prim::Constant[value=[2., 1.5, 0.5]]()
      %s1 : float = prim::Constant[value=1.7]()
      %a : Tensor = aten::upsample_nearest2d(%x, %size, %none, %none)
      %b : Tensor = aten::upsample_nearest2d(%x, %none, %sf)
      %c : Tensor = aten::_upsample_nearest_exact2d(%x, %none, %sf)
      %d : Tensor = aten::upsample_bilinear2d(%x, %size, %f, %none, %none)
      %e : Tensor = aten::upsample_bilinear2d(%x, %size, %t, %none, %none)
      %g : Tensor = aten::upsample_bilinear2d(%x, %none, %f, %sf)
      %h : Tensor = aten::upsample_bilinear2d(%x, %down, %f, %none, %none)
      %i : Tensor = aten::upsample_bicubic2d(%x, %size, %f, %none, %none)
      %j : Tensor = aten::upsample_bicubic2d(%x, %none, %t, %sf)
      %k : Tensor = aten::upsample_trilinear3d(%v, %size3, %f, %none, %none, %none)
      %m : Tensor = aten::upsample_nearest3d(%v, %none, %sf3)
      %o : Tensor = aten::upsample_linear1d(%l, %size1, %f, %s1)
      %p : Tensor = aten::upsample_nearest1d(%l, %size1, %none)
      %q : Tensor = aten::upsample_bilinear2d(%x, %size, %t, %none)
      return (%a, %b, %c, %d, %e, %g, %h, %i, %j, %k, %m, %o, %p, %q))IR",
             {at::randn({2, 3, 4, 5}), at::randn({1, 2, 2, 4, 6}), at::randn({2, 3, 6})});
}

TEST(Converters, GroupInstanceNormVarStdAllAny) {
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %none : NoneType = prim::Constant()
      %two : int = prim::Constant[value=2]()
      %eps : float = prim::Constant[value=1.0000000000000001e-05]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %m : float = prim::Constant[value=0.1]()
      %dims : int[] = prim::Constant[value=[1, -1]]()
      %one : int = prim::Constant[value=1]()
      %c0 : int = prim::Constant[value=0]()
      %a : Tensor = aten::group_norm(%x, %two, %w, %b, %eps, %t)
      %i : Tensor = aten::instance_norm(%x, %w, %b, %none, %none, %t, %m, %eps, %t)
      %v : Tensor = aten::var(%x, %t)
      %s : Tensor = aten::std(%x, %dims, %f, %t)
      %vc : Tensor = aten::var(%x, %dims, %c0, %f)
      %gt : Tensor = aten::gt(%x, %c0)
      %al : Tensor = aten::all(%gt, %one, %f)
      %an : Tensor = aten::any(%x, %dims, %t)
      %aa : Tensor = aten::all(%gt)
      return (%a, %i, %v, %s, %vc, %al, %an, %aa))IR",
             {at::randn({2, 4, 3, 5}), at::rand({4}) + 0.5, at::randn({4})});
}

TEST(Converters, GluPreluLogSigmoidCumsumIndex) {
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor):
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-2]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::glu(%x, %one)
      %b : Tensor = aten::prelu(%x, %w)
      %c : Tensor = aten::log_sigmoid(%x)
      %d : Tensor = aten::cumsum(%x, %one, %none)
      %e : Tensor = aten::cumsum(%x, %neg, %none)
      %small : Tensor = aten::sigmoid(%x)
      %f : Tensor = aten::cumprod(%small, %neg, %none)
      return (%a, %b, %c, %d, %e, %f))IR",
             {at::randn({2, 4, 3, 5}) * 10, at::rand({4})});
  // Integer inputs accumulate into int64 (as PyTorch), and dtype casts first.
  checkGraph(R"IR(
    graph(%i : Tensor):
      %zero : int = prim::Constant[value=0]()
      %one : int = prim::Constant[value=1]()
      %none : NoneType = prim::Constant()
      %f32 : int = prim::Constant[value=6]()
      %a : Tensor = aten::cumsum(%i, %one, %none)
      %b : Tensor = aten::cumprod(%i, %zero, %none)
      %c : Tensor = aten::cumsum(%i, %one, %f32)
      return (%a, %b, %c))IR",
             {at::randint(-3, 4, {3, 5}, at::kInt)});
  // x[:, [2, -1, 0]] and x[..., mask] with compile-time index tensors.
  auto g = torchtrt_test::parse(R"IR(
    graph(%x : Tensor, %idx : Tensor, %mask : Tensor):
      %none : NoneType = prim::Constant()
      %l1 : Tensor?[] = prim::ListConstruct(%none, %idx)
      %a : Tensor = aten::index(%x, %l1)
      %l2 : Tensor?[] = prim::ListConstruct(%none, %none, %mask)
      %b : Tensor = aten::index(%x, %l2)
      return (%a, %b))IR");
  auto x = at::randn({2, 4, 5});
  auto idx = at::tensor({2, -1, 0}, at::kLong);
  auto mask = at::tensor({1, 0, 1, 1, 0}, at::kInt).to(at::kBool);
  auto expected = torchtrt_test::runJit(g, {x}, {idx, mask});
  auto actual = torchtrt_test::runEngine(g, {x}, {idx, mask});
  for (size_t i = 0; i < actual.size(); ++i)
    torchtrt_test::expectClose(actual[i], expected[i], torchtrt_test::toleranceFor(at::kFloat));
  torchtrt_test::recordCompared(g->block());
}

TEST(Converters, TopKSortMaxMinArgmaxArgmin) {
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor):
      %none : NoneType = prim::Constant()
      %k : int = prim::Constant[value=3]()
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-1]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %v1 : Tensor, %i1 : Tensor = aten::topk(%x, %k, %one, %t, %t)
      %v2 : Tensor, %i2 : Tensor = aten::topk(%x, %k, %neg, %f, %t)
      %v3 : Tensor, %i3 : Tensor = aten::sort(%x, %one, %t)
      %v4 : Tensor, %i4 : Tensor = aten::max(%x, %neg, %f)
      %v5 : Tensor, %i5 : Tensor = aten::min(%x, %one, %t)
      %a1 : Tensor = aten::argmax(%x, %none, %f)
      %a2 : Tensor = aten::argmin(%x, %one, %t)
      %a3 : Tensor = aten::argmax(%i, %neg, %f)
      %v6 : Tensor, %i6 : Tensor = aten::sort(%i, %neg, %f)
      %s1 : Tensor = aten::argsort(%x, %one, %f)
      %v7 : Tensor, %i7 : Tensor = aten::sort(%i, %t, %neg, %t)
      %s2 : Tensor = aten::argsort(%i, %t, %one, %f)
      return (%v1, %i1, %v2, %i2, %v3, %i3, %v4, %i4, %v5, %i5, %a1, %a2, %a3, %v6, %s1, %v7, %i7, %s2))IR",
             {at::randn({2, 6, 5}), at::randint(0, 3, {3, 7}, at::kInt)});
}

TEST(Converters, TransposedConvolution1d2d3dWithGroupsDilationOutputPadding) {
  // Weights and bias are compile-time values (the last four graph inputs), as in a frozen module.
  checkGraph(R"IR(
    graph(%x : Tensor, %x1 : Tensor, %x3 : Tensor, %w : Tensor, %b : Tensor, %w1 : Tensor, %w3 : Tensor):
      %none : NoneType = prim::Constant()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %s : int[] = prim::Constant[value=[2, 3]]()
      %p : int[] = prim::Constant[value=[1, 2]]()
      %d : int[] = prim::Constant[value=[1, 2]]()
      %op : int[] = prim::Constant[value=[1, 0]]()
      %g : int = prim::Constant[value=2]()
      %one : int = prim::Constant[value=1]()
      %s1 : int[] = prim::Constant[value=[2]]()
      %p1 : int[] = prim::Constant[value=[0]]()
      %d1 : int[] = prim::Constant[value=[1]]()
      %big : int[] = prim::Constant[value=[4]]()
      %s3 : int[] = prim::Constant[value=[1, 2, 2]]()
      %p3 : int[] = prim::Constant[value=[0, 1, 0]]()
      %d3 : int[] = prim::Constant[value=[1, 1, 1]]()
      %op3 : int[] = prim::Constant[value=[0, 1, 1]]()
      %a : Tensor = aten::_convolution(%x, %w, %b, %s, %p, %d, %t, %op, %g, %f, %f, %t, %t)
      %c : Tensor = aten::_convolution(%x1, %w1, %none, %s1, %p1, %d1, %t, %p1, %one, %f, %f, %t, %t)
      %e : Tensor = aten::_convolution(%x1, %w1, %none, %s1, %big, %d1, %t, %p1, %one, %f, %f, %t, %t)
      %h : Tensor = aten::_convolution(%x3, %w3, %none, %s3, %p3, %d3, %t, %op3, %one, %f, %f, %t, %t)
      return (%a, %c, %e, %h))IR",
             {at::randn({2, 4, 5, 6}), at::randn({1, 3, 7}), at::randn({1, 2, 3, 4, 3})},
             {at::randn({4, 3, 3, 2}), at::randn({6}), at::randn({3, 2, 5}), at::randn({2, 3, 2, 3, 2})});
}

TEST(Converters, SoftmaxAndLogSoftmaxDtypeArguments) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %one : int = prim::Constant[value=1]()
      %f32 : int = prim::Constant[value=6]()
      %f : bool = prim::Constant[value=0]()
      %a : Tensor = aten::softmax(%x, %one, %f32)
      %b : Tensor = aten::_softmax(%x, %one, %f)
      %c : Tensor = aten::log_softmax(%x, %one, %f32)
      return (%a, %b, %c))IR",
             {at::randn({3, 7})});
}

TEST(Converters, GatherElementsAlongEachDim) {
  // Index tensors smaller than the data in the other dims, negative dim, int32 and int64 indices.
  checkGraph(R"IR(
    graph(%x : Tensor, %i0 : Tensor, %i1 : Tensor):
      %zero : int = prim::Constant[value=0]()
      %neg : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %a : Tensor = aten::gather(%x, %zero, %i0, %f)
      %b : Tensor = aten::gather(%x, %neg, %i1, %f)
      return (%a, %b))IR",
             {at::randn({3, 4, 5}), at::randint(0, 3, {2, 4, 3}, at::kLong), at::randint(0, 5, {3, 2, 7}, at::kInt)});
}

TEST(Converters, VectorNormsRepeatInterleaveMeshgrid) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %none : NoneType = prim::Constant()
      %one : int = prim::Constant[value=1]()
      %two : int = prim::Constant[value=2]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %p0 : float = prim::Constant[value=0.]()
      %p1 : int = prim::Constant[value=1]()
      %p3 : float = prim::Constant[value=3.]()
      %dims : int[] = prim::ListConstruct(%one)
      %a : Tensor = aten::linalg_vector_norm(%x, %two, %dims, %f, %none)
      %b : Tensor = aten::norm(%x, %p3, %dims, %t)
      %c : Tensor = aten::norm(%x, %two)
      %d : Tensor = aten::frobenius_norm(%x, %dims, %f)
      %e : Tensor = aten::linalg_vector_norm(%x, %p0, %none, %f, %none)
      %g : Tensor = aten::linalg_vector_norm(%x, %p1, %dims, %t, %none)
      %h : Tensor = aten::repeat_interleave(%x, %two, %one, %none)
      %i : Tensor = aten::repeat_interleave(%x, %two, %none, %none)
      return (%a, %b, %c, %d, %e, %g, %h, %i))IR",
             {at::randn({3, 4}).masked_fill(at::rand({3, 4}) > 0.7, 0)});
  // Counts as a tensor known at compile time (a frozen parameter): one per row.
  checkGraph(R"IR(
    graph(%x : Tensor, %r : Tensor):
      %zero : int = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::repeat_interleave(%x, %r, %zero, %none)
      return (%y))IR",
             {at::randn({3, 4})}, {at::tensor({2, 0, 1}, at::kLong)});
  checkGraph(R"IR(
    graph(%u : Tensor, %v : Tensor, %w : Tensor):
      %l : Tensor[] = prim::ListConstruct(%u, %v, %w)
      %xy : str = prim::Constant[value="xy"]()
      %m : Tensor[] = aten::meshgrid(%l, %xy)
      %m0 : Tensor, %m1 : Tensor, %m2 : Tensor = prim::ListUnpack(%m)
      %n : Tensor[] = aten::meshgrid(%l)
      %n0 : Tensor, %n1 : Tensor, %n2 : Tensor = prim::ListUnpack(%n)
      return (%m0, %m1, %m2, %n0, %n1, %n2))IR",
             {at::randn({2}), at::randn({3}), at::randn({4})});
}

TEST(Converters, EinsumContractionsTransposesReductionsAndChains) {
  auto eq = [](const char* equation, int operands) {
    std::string ir =
        "graph(%a : Tensor, %b : Tensor, %c : Tensor):\n  %none : NoneType = prim::Constant()\n"
        "  %eq : str = prim::Constant[value=\"";
    ir += equation;
    ir += "\"]()\n  %l : Tensor[] = prim::ListConstruct(";
    const char* names[] = {"%a", "%b", "%c"};
    for (int i = 0; i < operands; ++i) ir += std::string(i ? ", " : "") + names[i];
    ir += ")\n  %y : Tensor = aten::einsum(%eq, %l, %none)\n  return (%y)";
    return ir;
  };
  // Shapes: i=2, j=3, k=4, b=2 (batch), h=2.
  checkGraph(eq("ij,jk->ik", 2), {at::randn({2, 3}), at::randn({3, 4}), at::randn({1})});
  checkGraph(eq("ij,jk", 2), {at::randn({2, 3}), at::randn({3, 4}), at::randn({1})});  // implicit output
  checkGraph(eq("bij,bjk->bik", 2), {at::randn({2, 2, 3}), at::randn({2, 3, 4}), at::randn({1})});
  checkGraph(eq("bhqd,bhkd->bhqk", 2), {at::randn({2, 2, 3, 4}), at::randn({2, 2, 5, 4}), at::randn({1})});
  checkGraph(eq("ij->ji", 1), {at::randn({2, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("ij->", 1), {at::randn({2, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("i,j->ij", 2), {at::randn({2}), at::randn({3}), at::randn({1})});
  checkGraph(eq("ij,ij->ij", 2), {at::randn({2, 3}), at::randn({2, 3}), at::randn({1})});
  checkGraph(eq("ij,jk->ki", 2), {at::randn({2, 3}), at::randn({3, 4}), at::randn({1})});
  checkGraph(eq("bn,anm,bm->ba", 3), {at::randn({2, 3}), at::randn({4, 3, 5}), at::randn({2, 5})});
  checkGraph(eq("ijk,j->ik", 2), {at::randn({2, 3, 4}), at::randn({3}), at::randn({1})});
  // Ellipses: batched products over any leading dims, explicit and implicit outputs.
  checkGraph(eq("...ij,...jk->...ik", 2), {at::randn({2, 2, 2, 3}), at::randn({2, 2, 3, 4}), at::randn({1})});
  checkGraph(eq("...ij,jk", 2), {at::randn({2, 2, 3}), at::randn({3, 4}), at::randn({1})});
  checkGraph(eq("b...d,b...d->b...", 2), {at::randn({2, 3, 4, 5}), at::randn({2, 3, 4, 5}), at::randn({1})});
  // Diagonals: a label repeated within an operand (twice, three times, apart, with a second operand),
  // an infinity off the diagonal staying out of the result.
  at::Tensor square = at::randn({3, 3});
  square[0][1] = std::numeric_limits<float>::infinity();
  checkGraph(eq("ii->i", 1), {square, at::randn({1}), at::randn({1})});
  checkGraph(eq("ii", 1), {at::randn({3, 3}), at::randn({1}), at::randn({1})});  // the trace
  checkGraph(eq("bii->bi", 1), {at::randn({2, 3, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("iji->j", 1), {at::randn({3, 2, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("iii->i", 1), {at::randn({3, 3, 3}), at::randn({1}), at::randn({1})});
  checkGraph(eq("ii,ij->j", 2), {at::randn({3, 3}), at::randn({3, 4}), at::randn({1})});
}

TEST(Converters, EinsumMismatchedSizesAreRefusedClearly) {
  // The same label with sizes 3 and 2 ([2,3] x [2,3] as ij,jk): neither broadcasts.
  for (const char* equation : {"ij,jk->ik"}) {
    std::string ir = std::string("graph(%a : Tensor):\n  %none : NoneType = prim::Constant()\n") +
                     "  %eq : str = prim::Constant[value=\"" + equation + "\"]()\n" +
                     "  %l : Tensor[] = prim::ListConstruct(" +
                     (std::string(equation).find(',') != std::string::npos ? "%a, %a" : "%a") +
                     ")\n  %y : Tensor = aten::einsum(%eq, %l, %none)\n" + "  return (%y)";
    try {
      torchtrt_test::runEngine(torchtrt_test::parse(ir), {at::randn({2, 3})});
      FAIL() << equation << " should be refused";
    } catch (const std::exception& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("has sizes"), std::string::npos) << msg;
      EXPECT_NE(msg.find("aten::einsum"), std::string::npos) << "the error names the node: " << msg;
    }
  }
}

TEST(Converters, FakeQuantizePerTensorAndPerChannel) {
  // Values spread over more than the quantized range, so clamping happens on both sides.
  at::Tensor x = at::randn({2, 3, 4, 4}) * 8;
  checkGraph(R"IR(
    graph(%x : Tensor):
      %s : float = prim::Constant[value=0.05]()
      %z : int = prim::Constant[value=3]()
      %lo : int = prim::Constant[value=-128]()
      %hi : int = prim::Constant[value=127]()
      %y : Tensor = aten::fake_quantize_per_tensor_affine(%x, %s, %z, %lo, %hi)
      return (%y))IR",
             {x});
  checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor, %z : Tensor):
      %axis : int = prim::Constant[value=1]()
      %lo : int = prim::Constant[value=0]()
      %hi : int = prim::Constant[value=255]()
      %y : Tensor = aten::fake_quantize_per_channel_affine(%x, %s, %z, %axis, %lo, %hi)
      return (%y))IR",
             {x}, {at::tensor({0.02f, 0.1f, 0.07f}), at::tensor({128, 0, 17}, at::kInt)});
  checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor, %z : Tensor):
      %lo : int = prim::Constant[value=-128]()
      %hi : int = prim::Constant[value=127]()
      %t : Tensor = aten::fake_quantize_per_tensor_affine(%x, %s, %z, %lo, %hi)
      return (%t))IR",
             {x}, {at::tensor({0.03f}), at::tensor({-2}, at::kInt)});
}

TEST(Converters, IndexWithARunTimeIndexTensor) {
  // x[:, i] with i an engine input (negative entries wrap), and x[i] on the first dimension.
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor):
      %none : NoneType = prim::Constant()
      %l : Tensor?[] = prim::ListConstruct(%none, %i)
      %y : Tensor = aten::index(%x, %l)
      %m : Tensor?[] = prim::ListConstruct(%i)
      %z : Tensor = aten::index(%x, %m)
      return (%y, %z))IR",
             {at::randn({5, 6}), at::tensor({4, -1, 0, 2, -5}, at::kLong)});
}

TEST(Converters, OneHotOfARunTimeTensor) {
  checkGraph(R"IR(
    graph(%x : Tensor):
      %classes : int = prim::Constant[value=5]()
      %y : Tensor = aten::one_hot(%x, %classes)
      return (%y))IR",
             {at::tensor({3, 0, 4, 1, 1, 2}, at::kLong).reshape({2, 3})});
  // num_classes=-1 sizes the output from the data; with 0 PyTorch raises for every input.
  for (const char* classes : {"-1", "0"}) {
    try {
      torchtrt_test::runEngine(
          torchtrt_test::parse(std::string("graph(%x : Tensor):\n  %c : int = prim::Constant[value=") + classes +
                               "]()\n  %y : Tensor = aten::one_hot(%x, %c)\n  return (%y)"),
          {at::tensor({1, 0}, at::kLong)});
      FAIL() << "num_classes=" << classes << " should be refused";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("num_classes=") + classes), std::string::npos) << e.what();
    }
  }
}

TEST(Converters, ScatterSrcAndValue) {
  // Index rows are permutations (no two positions write one element: the result is deterministic);
  // the index is smaller than self in dim 0 and than src in both dims.
  auto index = at::stack({at::randperm(5, at::kLong), at::randperm(5, at::kLong), at::randperm(5, at::kLong)});
  checkGraph(R"IR(
    graph(%x : Tensor, %src : Tensor, %idx : Tensor):
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-1]()
      %v : float = prim::Constant[value=2.5]()
      %a : Tensor = aten::scatter(%x, %one, %idx, %src)
      %b : Tensor = aten::scatter(%x, %neg, %idx, %v)
      return (%a, %b))IR",
             {at::randn({4, 5}), at::randn({3, 6})}, {index});
}

TEST(Converters, ScatterAddAndEveryReduction) {
  // Duplicate indices (each update must count) along dim 1, a negative dim, include_self both ways,
  // int64 data for the integer path, and scatter's reduce= forms.
  auto index = at::randint(0, 5, {3, 6}, at::kLong);
  checkGraph(R"IR(
    graph(%x : Tensor, %src : Tensor, %ints : Tensor, %isrc : Tensor, %idx : Tensor):
      %one : int = prim::Constant[value=1]()
      %neg : int = prim::Constant[value=-1]()
      %yes : bool = prim::Constant[value=1]()
      %no : bool = prim::Constant[value=0]()
      %sum : str = prim::Constant[value="sum"]()
      %prod : str = prim::Constant[value="prod"]()
      %amax : str = prim::Constant[value="amax"]()
      %amin : str = prim::Constant[value="amin"]()
      %mean : str = prim::Constant[value="mean"]()
      %add : str = prim::Constant[value="add"]()
      %mul : str = prim::Constant[value="multiply"]()
      %v : float = prim::Constant[value=1.5]()
      %a : Tensor = aten::scatter_add(%x, %one, %idx, %src)
      %b : Tensor = aten::scatter_reduce(%x, %neg, %idx, %src, %sum, %no)
      %c : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %prod, %yes)
      %d : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %amax, %no)
      %e : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %amin, %yes)
      %f : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %mean, %yes)
      %g : Tensor = aten::scatter_reduce(%x, %one, %idx, %src, %mean, %no)
      %h : Tensor = aten::scatter(%x, %one, %idx, %src, %add)
      %i : Tensor = aten::scatter(%x, %one, %idx, %v, %mul)
      %j : Tensor = aten::scatter_add(%ints, %one, %idx, %isrc)
      %k : Tensor = aten::scatter_reduce(%ints, %one, %idx, %isrc, %amax, %no)
      return (%a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k))IR",
             {at::randn({4, 5}), at::randn({3, 6}), at::randint(-50, 50, {4, 5}, at::kLong),
              at::randint(-50, 50, {3, 6}, at::kLong)},
             {index});
}

TEST(Converters, GridSamplerEveryModeAndPadding) {
  // Every interpolation x padding x align_corners, positions partly outside the input, PyTorch's
  // grid_sampler as the reference (the 2-D overload too).
  std::string ir = "graph(%x : Tensor, %grid : Tensor):\n";
  std::string outs;
  int k = 0;
  for (int mode = 0; mode < 3; ++mode)
    for (int padding = 0; padding < 3; ++padding)
      for (int align = 0; align < 2; ++align, ++k) {
        const std::string id = std::to_string(k);
        ir += "  %m" + id + " : int = prim::Constant[value=" + std::to_string(mode) + "]()\n";
        ir += "  %p" + id + " : int = prim::Constant[value=" + std::to_string(padding) + "]()\n";
        ir += "  %a" + id + " : bool = prim::Constant[value=" + std::to_string(align) + "]()\n";
        ir += "  %y" + id + " : Tensor = aten::" + std::string(k % 2 ? "grid_sampler_2d" : "grid_sampler") +
              "(%x, %grid, %m" + id + ", %p" + id + ", %a" + id + ")\n";
        outs += (outs.empty() ? "" : ", ") + std::string("%y") + id;
      }
  ir += "  return (" + outs + ")";
  checkGraph(ir, {at::randn({2, 3, 6, 5}), at::rand({2, 4, 7, 2}) * 2.6 - 1.3});
}

TEST(Converters, IndexWithSeveralIndexTensors) {
  // Run-time index tensors: adjacent dims (x[i, j] and x[:, j, k] with broadcasting, negative
  // entries), separated dims (x[i, :, k]: the broadcast dims go first), and a compile-time index
  // beside a run-time one.
  auto fixed = at::tensor({2, -1, 0}, at::kLong);
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor, %j : Tensor, %k : Tensor, %fixed : Tensor):
      %none : NoneType = prim::Constant()
      %l1 : Tensor?[] = prim::ListConstruct(%i, %j)
      %a : Tensor = aten::index(%x, %l1)
      %l2 : Tensor?[] = prim::ListConstruct(%none, %j, %k)
      %b : Tensor = aten::index(%x, %l2)
      %l3 : Tensor?[] = prim::ListConstruct(%i, %none, %k)
      %c : Tensor = aten::index(%x, %l3)
      %l4 : Tensor?[] = prim::ListConstruct(%fixed, %j)
      %d : Tensor = aten::index(%x, %l4)
      return (%a, %b, %c, %d))IR",
             {at::randn({4, 5, 6}), at::tensor({{0}, {3}, {-2}}, at::kLong), at::tensor({1, -5, 4}, at::kLong),
              at::tensor({5, 0, -6}, at::kInt)},
             {fixed});
}

TEST(Converters, IndexPutEveryForm) {
  // x[i, j] = v (distinct tuples: which duplicate wins is unspecified), x[i] += v with a duplicate
  // and a negative row, x[:, j] = v (indexed dim after a full slice), x[i, :, k] = v (separated
  // dims, a broadcast value), x[x > 0.5] = v (a run-time mask), x[rows] += v (a compile-time mask
  // over the leading dim).
  auto rows = at::tensor({1, 0, 1, 1}, at::kInt).to(at::kBool);
  checkGraph(R"IR(
    graph(%x : Tensor, %i : Tensor, %j : Tensor, %k : Tensor, %dup : Tensor, %v2 : Tensor, %v3 : Tensor, %vcol : Tensor,
          %one : Tensor, %rows : Tensor):
      %none : NoneType = prim::Constant()
      %false : bool = prim::Constant[value=0]()
      %true : bool = prim::Constant[value=1]()
      %half : float = prim::Constant[value=0.5]()
      %l1 : Tensor?[] = prim::ListConstruct(%i, %j)
      %a : Tensor = aten::index_put(%x, %l1, %v2, %false)
      %l2 : Tensor?[] = prim::ListConstruct(%dup)
      %b : Tensor = aten::index_put(%x, %l2, %v3, %true)
      %l3 : Tensor?[] = prim::ListConstruct(%none, %j)
      %c : Tensor = aten::index_put(%x, %l3, %vcol, %false)
      %l4 : Tensor?[] = prim::ListConstruct(%i, %none, %k)
      %d : Tensor = aten::index_put(%x, %l4, %one, %false)
      %m : Tensor = aten::gt(%x, %half)
      %l5 : Tensor?[] = prim::ListConstruct(%m)
      %e : Tensor = aten::index_put(%x, %l5, %one, %false)
      %l6 : Tensor?[] = prim::ListConstruct(%rows)
      %f : Tensor = aten::index_put(%x, %l6, %one, %true)
      return (%a, %b, %c, %d, %e, %f))IR",
             {at::randn({4, 5, 6}), at::tensor({0, 3, 1}, at::kLong), at::tensor({4, 0, 2}, at::kLong),
              at::tensor({5, 0, -1}, at::kInt), at::tensor({1, 1, -1}, at::kLong), at::randn({3, 6}),
              at::randn({3, 5, 6}), at::randn({4, 3, 6}), at::randn({1})},
             {rows});
}

TEST(Converters, IndexAddCopyAndFill) {
  // index_add with a duplicate index (both rows add up) and alpha, on a negative dim; index_copy
  // (distinct indices); index_fill with a scalar and with a 0-d tensor value; int64 data for the
  // integer path.
  checkGraph(R"IR(
    graph(%x : Tensor, %src : Tensor, %csrc : Tensor, %ints : Tensor, %isrc : Tensor, %dup : Tensor, %idx : Tensor,
          %v : Tensor):
      %zero : int = prim::Constant[value=0]()
      %neg : int = prim::Constant[value=-1]()
      %alpha : float = prim::Constant[value=0.5]()
      %one : int = prim::Constant[value=1]()
      %s : float = prim::Constant[value=-3.5]()
      %a : Tensor = aten::index_add(%x, %neg, %dup, %src, %alpha)
      %b : Tensor = aten::index_copy(%x, %zero, %idx, %csrc)
      %c : Tensor = aten::index_fill(%x, %one, %dup, %s)
      %d : Tensor = aten::index_fill(%x, %zero, %idx, %v)
      %e : Tensor = aten::index_add(%ints, %zero, %dup, %isrc, %one)
      return (%a, %b, %c, %d, %e))IR",
             {at::randn({4, 5}), at::randn({4, 3}), at::randn({2, 5}), at::randint(-9, 9, {4, 5}, at::kLong),
              at::randint(-9, 9, {3, 5}, at::kLong), at::tensor({1, 3, 1}, at::kLong), at::tensor({3, 0}, at::kLong),
              at::scalar_tensor(2.25)});
}
