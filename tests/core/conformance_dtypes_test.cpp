// Refusals found by the OpInfo conformance sweep (issue 20) for dtypes and argument forms the converters
// did not take, now converted: all/any of 0-dim tensors, scatter reductions of bfloat16 and bool and
// integer scatter means, int64 constants past int32, bfloat16 transposed convolutions with run-time
// weights, layer_norm with a negative eps, avg_pool of integers and with divisor_override, integer
// einsum and convolution, nonzero(as_tuple=True), float16 attention with a float32 mask. Each against
// the JIT interpreter.
#include <limits>
#include <string>

#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::checkGraphDynamic;
using torchtrt_test::range;

TEST(ConformanceDtypes, AllAndAnyOfZeroDimTensors) {
  // Found: "no reduce axes are set" / "reduce axes mask 1 names a dimension beyond the input's rank 0".
  const char* ir = R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %minus : int = prim::Constant[value=-1]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::all(%x)
      %b : Tensor = aten::any(%x)
      %c : Tensor = aten::all(%x, %zero, %t)
      %d : Tensor = aten::any(%x, %minus, %f)
      return (%a, %b, %c, %d))IR";
  for (double v : {0.0, 2.5}) {
    checkGraph(ir, {at::tensor(static_cast<float>(v))});
    checkGraph(ir, {at::tensor(static_cast<int64_t>(v))});
    checkGraph(ir, {at::full({}, v != 0.0, at::kBool)});
  }
  checkGraph(ir, {at::tensor(std::numeric_limits<float>::quiet_NaN())});
}

TEST(ConformanceDtypes, ScatterReductionsOfBfloat16AndBool) {
  // Found: "scatter reductions take float, half, int32 or int64 tensors, got bfloat16 / bool". bfloat16
  // reduces in float32 (small integers here, exact either way); bool's sum/prod/amax/amin are or/and/or/and.
  const char* ir = R"IR(
    graph(%x : Tensor, %i : Tensor, %s : Tensor):
      %one : int = prim::Constant[value=1]()
      %sum : str = prim::Constant[value="sum"]()
      %prod : str = prim::Constant[value="prod"]()
      %amax : str = prim::Constant[value="amax"]()
      %amin : str = prim::Constant[value="amin"]()
      %add : str = prim::Constant[value="add"]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::scatter_add(%x, %one, %i, %s)
      %b : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %sum, %f)
      %c : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %prod, %t)
      %d : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %amax, %f)
      %e : Tensor = aten::scatter_reduce(%x, %one, %i, %s, %amin, %t)
      %g : Tensor = aten::scatter(%x, %one, %i, %s, %add)
      return (%a, %b, %c, %d, %e, %g))IR";
  at::Tensor index = at::randint(0, 5, {3, 4}, at::kLong);
  checkGraph(ir, {at::randint(-4, 4, {3, 5}).to(at::kBFloat16), index, at::randint(-4, 4, {3, 4}).to(at::kBFloat16)});
  checkGraph(ir, {at::randint(0, 2, {3, 5}).to(at::kBool), index, at::randint(0, 2, {3, 4}).to(at::kBool)});
  // index_add of bfloat16 and index_put with accumulate of bfloat16 and bool.
  const char* indexIR = R"IR(
    graph(%x : Tensor, %i : Tensor, %s : Tensor, %v : Tensor):
      %zero : int = prim::Constant[value=0]()
      %alpha : int = prim::Constant[value=1]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::index_add(%x, %zero, %i, %s, %alpha)
      %list : Tensor?[] = prim::ListConstruct(%i)
      %b : Tensor = aten::index_put(%x, %list, %v, %t)
      return (%a, %b))IR";
  at::Tensor rows = at::tensor({0, 2, 0}, at::kLong);
  checkGraph(indexIR, {at::randint(-4, 4, {4, 3}).to(at::kBFloat16), rows, at::randint(-4, 4, {3, 3}).to(at::kBFloat16),
                       at::randint(-4, 4, {3, 3}).to(at::kBFloat16)});
  const char* boolPut = R"IR(
    graph(%x : Tensor, %i : Tensor, %v : Tensor):
      %t : bool = prim::Constant[value=1]()
      %list : Tensor?[] = prim::ListConstruct(%i)
      %b : Tensor = aten::index_put(%x, %list, %v, %t)
      return (%b))IR";
  checkGraph(boolPut, {at::zeros({4, 3}, at::kBool), rows, at::randint(0, 2, {3, 3}).to(at::kBool)});
}

TEST(ConformanceDtypes, ScatterReduceMeanOfIntegersFloors) {
  // Found: "scatter_reduce's mean is converted for floating-point tensors only". PyTorch divides the sum by
  // the count (self counted when include_self; untouched positions by 1) rounding down.
  const char* ir = R"IR(
    graph(%x : Tensor, %i : Tensor, %s : Tensor):
      %zero : int = prim::Constant[value=0]()
      %mean : str = prim::Constant[value="mean"]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::scatter_reduce(%x, %zero, %i, %s, %mean, %t)
      %b : Tensor = aten::scatter_reduce(%x, %zero, %i, %s, %mean, %f)
      return (%a, %b))IR";
  for (auto type : {at::kInt, at::kLong})
    checkGraph(ir, {at::randint(-20, 20, {5, 3}, type), at::randint(0, 5, {6, 3}, at::kLong),
                    at::randint(-20, 20, {6, 3}, type)});
}

TEST(ConformanceDtypes, Int64ConstantsPastInt32StayInt64) {
  // Found (masked.argmin of int64): "an int64 constant (frozen constant) does not fit in int32".
  const char* ir = R"IR(
    graph(%m : Tensor, %x : Tensor, %fill : Tensor):
      %r : Tensor = aten::where(%m, %x, %fill)
      return (%r))IR";
  at::Tensor fill = at::full({2, 3}, std::numeric_limits<int64_t>::max(), at::kLong);
  fill[0][1] = std::numeric_limits<int64_t>::min();
  checkGraph(ir, {at::randint(0, 2, {2, 3}).to(at::kBool), at::randint(-9, 9, {2, 3}, at::kLong)}, {fill});
}

TEST(ConformanceDtypes, TransposedConvolutionOfBfloat16WithRunTimeWeights) {
  // Found: "(Fill): fills float32, float16, int32, int64 or bool tensors, not bfloat16" (the zeros inserted
  // between a strided transposed convolution's inputs). Values are small integers: exact in bfloat16.
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Tensor):
      %none : NoneType = prim::Constant()
      %s : int[] = prim::Constant[value=[2, 2]]()
      %p : int[] = prim::Constant[value=[1, 0]]()
      %d : int[] = prim::Constant[value=[1, 1]]()
      %op : int[] = prim::Constant[value=[1, 0]]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %g : int = prim::Constant[value=1]()
      %y : Tensor = aten::_convolution(%x, %w, %none, %s, %p, %d, %t, %op, %g, %f, %f, %f, %f)
      return (%y))IR";
  checkGraph(ir,
             {at::randint(-2, 3, {1, 2, 4, 3}).to(at::kBFloat16), at::randint(-2, 3, {2, 3, 3, 2}).to(at::kBFloat16)});
}

TEST(ConformanceDtypes, LayerNormWithNegativeEps) {
  // Found: "(Normalization): epsilon must be >= 0, got -0.500000". PyTorch takes it: NaN where var + eps < 0.
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %shape : int[] = prim::Constant[value=[4]]()
      %eps : float = prim::Constant[value=-0.5]()
      %f : bool = prim::Constant[value=0]()
      %y : Tensor = aten::layer_norm(%x, %shape, %w, %b, %eps, %f)
      return (%y))IR";
  at::Tensor x = at::randn({3, 4});
  x[0] = x[0] * 0.1;  // a row with variance below 0.5: NaN in PyTorch
  x[1] = x[1] * 5.0;
  checkGraph(ir, {x, at::randn({4}), at::randn({4})});
  checkGraph(ir, {x.to(at::kHalf), at::randn({4}).to(at::kHalf), at::randn({4}).to(at::kHalf)});
}

TEST(ConformanceDtypes, AvgPoolOfIntegersAndWithDivisorOverride) {
  // Found: "avg_pool with divisor_override has no converter yet" and "(Pooling): input must be a
  // floating-point tensor, got int64". Integer averages truncate toward zero, as PyTorch's.
  auto ir = [](int nd, const std::string& k, const std::string& s, const std::string& p, bool ceil, bool countPad,
               const std::string& divisor) {
    const std::string op = "aten::avg_pool" + std::to_string(nd) + "d";
    return std::string("graph(%x : Tensor):\n") + "  %k : int[] = prim::Constant[value=" + k + "]()\n" +
           "  %s : int[] = prim::Constant[value=" + s + "]()\n" + "  %p : int[] = prim::Constant[value=" + p + "]()\n" +
           "  %c : bool = prim::Constant[value=" + (ceil ? "1" : "0") + "]()\n" +
           "  %i : bool = prim::Constant[value=" + (countPad ? "1" : "0") + "]()\n" +
           (divisor.empty() ? std::string("  %d : NoneType = prim::Constant()\n")
                            : "  %d : int = prim::Constant[value=" + divisor + "]()\n") +
           (nd == 1 ? "  %y : Tensor = " + op + "(%x, %k, %s, %p, %c, %i)\n"
                    : "  %y : Tensor = " + op + "(%x, %k, %s, %p, %c, %i, %d)\n") +
           "  return (%y)\n";
  };
  for (bool ceil : {false, true}) {
    for (bool countPad : {false, true}) {
      checkGraph(ir(2, "[3, 2]", "[2, 1]", "[1, 1]", ceil, countPad, ""),
                 {at::randint(-50, 50, {2, 3, 7, 6}, at::kLong)});
      checkGraph(ir(2, "[3, 2]", "[2, 1]", "[1, 1]", ceil, countPad, "5"), {at::randn({2, 3, 7, 6})});
      checkGraph(ir(2, "[3, 3]", "[2, 2]", "[1, 0]", ceil, countPad, "4"),
                 {at::randint(-50, 50, {1, 2, 7, 8}, at::kLong)});
      checkGraph(ir(1, "[3]", "[2]", "[1]", ceil, countPad, ""), {at::randint(-50, 50, {2, 3, 9}, at::kLong)});
      checkGraph(ir(3, "[2, 3, 2]", "[1, 2, 2]", "[1, 1, 0]", ceil, countPad, "7"), {at::randn({1, 2, 4, 7, 5})});
    }
  }
  checkGraph(ir(2, "[2, 2]", "[2, 2]", "[0, 0]", false, true, "3"), {at::randn({2, 6, 6}).to(at::kHalf)});
}

TEST(ConformanceDtypes, IntegerEinsumAndConvolution) {
  // Found: "(MatrixMultiply): input 0 must be a floating-point tensor, got int64 / int32". Exact, wrapping.
  const char* einsum = R"IR(
    graph(%a : Tensor, %b : Tensor):
      %eq : str = prim::Constant[value="bij,bjk->bik"]()
      %l : Tensor[] = prim::ListConstruct(%a, %b)
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::einsum(%eq, %l, %none)
      return (%y))IR";
  for (auto type : {at::kInt, at::kLong})
    checkGraph(einsum, {at::randint(-50, 50, {2, 3, 4}, type), at::randint(-50, 50, {2, 4, 5}, type)});
  checkGraph(einsum, {at::full({1, 2, 3}, 1 << 30, at::kInt), at::full({1, 3, 2}, 3, at::kInt)});  // wraps
  const char* conv = R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor):
      %s : int[] = prim::Constant[value=[2, 1]]()
      %p : int[] = prim::Constant[value=[1, 1]]()
      %d : int[] = prim::Constant[value=[1, 2]]()
      %op : int[] = prim::Constant[value=[0, 0]]()
      %f : bool = prim::Constant[value=0]()
      %t : bool = prim::Constant[value=1]()
      %g : int = prim::Constant[value=2]()
      %y : Tensor = aten::_convolution(%x, %w, %b, %s, %p, %d, %f, %op, %g, %f, %f, %f, %f)
      %z : Tensor = aten::_convolution(%x, %w, %b, %s, %p, %d, %f, %op, %g, %f, %f, %f, %f)
      return (%y, %z))IR";
  auto x = at::randint(-9, 9, {2, 4, 6, 7}, at::kLong), w = at::randint(-9, 9, {6, 2, 3, 2}, at::kLong),
       b = at::randint(-9, 9, {6}, at::kLong);
  checkGraph(conv, {x, w, b});
  checkGraph(conv, {x}, {w, b});  // constant weights of an integer convolution
  const char* convT = R"IR(
    graph(%x : Tensor, %w : Tensor):
      %none : NoneType = prim::Constant()
      %s : int[] = prim::Constant[value=[2]]()
      %p : int[] = prim::Constant[value=[1]]()
      %d : int[] = prim::Constant[value=[1]]()
      %op : int[] = prim::Constant[value=[1]]()
      %t : bool = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %g : int = prim::Constant[value=1]()
      %y : Tensor = aten::_convolution(%x, %w, %none, %s, %p, %d, %t, %op, %g, %f, %f, %f, %f)
      return (%y))IR";
  checkGraph(convT, {at::randint(-9, 9, {2, 3, 5}, at::kLong), at::randint(-9, 9, {3, 2, 3}, at::kLong)});
}

TEST(ConformanceDtypes, NonzeroAsTuple) {
  // Found: "Converter for aten::nonzero_numpy requested, but no such converter was found".
  const char* ir = R"IR(
    graph(%x : Tensor):
      %l : Tensor[] = aten::nonzero_numpy(%x)
      %a : Tensor, %b : Tensor = prim::ListUnpack(%l)
      return (%a, %b))IR";
  checkGraph(ir, {at::randint(0, 2, {3, 4}, at::kInt)});
  checkGraph(ir, {(at::randn({3, 4}) > 0)});
  const char* scalar = R"IR(
    graph(%x : Tensor):
      %l : Tensor[] = aten::nonzero_numpy(%x)
      %a : Tensor = prim::ListUnpack(%l)
      return (%a))IR";
  checkGraph(scalar, {at::tensor(3.0f)});
  checkGraph(scalar, {at::tensor(0.0f)});
}

TEST(ConformanceDtypes, HalfAttentionWithFloatMaskInFloat32) {
  // Found: "(MatrixMultiply): input types differ" for float16 attention with a float32 mask (the scores
  // became float32, v stayed float16); and float16 logits were rounded to 16 bits before the softmax,
  // which PyTorch computes in float32: logits of magnitude ~100 lose a tenth of a unit in float16.
  const char* ir = R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor, %m : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %m, %zero, %f, %none, %f)
      return (%y))IR";
  auto half = [](at::Tensor t) { return t.to(at::kHalf); };
  checkGraph(ir, {half(at::randn({2, 3, 5, 8})), half(at::randn({2, 3, 6, 8})), half(at::randn({2, 3, 6, 8})),
                  at::randn({5, 6})});
  const char* noMask = R"IR(
    graph(%q : Tensor, %k : Tensor, %v : Tensor):
      %zero : float = prim::Constant[value=0.]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %one : float = prim::Constant[value=1.]()
      %y : Tensor = aten::scaled_dot_product_attention(%q, %k, %v, %none, %zero, %f, %one, %f)
      return (%y))IR";
  checkGraph(noMask,
             {half(at::randn({1, 2, 4, 64}) * 3), half(at::randn({1, 2, 6, 64}) * 3), half(at::randn({1, 2, 6, 8}))});
}
