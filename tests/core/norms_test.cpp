// Normalizations and norms: batch norm (float16 input too), layer norm (negative eps), rms norm, group and
// instance norm, var / std, torch.linalg.norm (vector and matrix orders), norm with a dtype, float16
// norms staying float16, empty norms; against the JIT interpreter.
#include "converter_test_util.h"

using torchtrt_test::checkGraph;
using torchtrt_test::scriptGraph;

TEST(Norms, LinalgNormVectorAndMatrixOrders) {
  // Found (issue 20): linalg_norm and the dtype overloads of norm were refused.
  checkGraph(scriptGraph(R"PY(
def forward(x: Tensor, v: Tensor):
    return (torch.linalg_norm(x), torch.linalg_norm(x, dim=1), torch.linalg_norm(x, 3.0, 2, True),
            torch.linalg_norm(x, dim=[1, 2]), torch.linalg_norm(x, "fro", [1, 2], True),
            torch.linalg_norm(x, 1, [1, 2]), torch.linalg_norm(x, -1, [2, 1]),
            torch.linalg_norm(x, float("inf"), [1, 2]), torch.linalg_norm(x, float("-inf"), [1, 2], True),
            torch.linalg_norm(v, 1), torch.linalg_norm(x[0], float("inf")),
            torch.norm(x, 2, [1], False, dtype=6), torch.norm(x, 3, dtype=6))
)PY"),
             {at::randn({2, 3, 4}), at::randn({5})});
}

TEST(Norms, HalfNormsAreHalf) {
  checkGraph(scriptGraph(R"PY(
def forward(x: Tensor):
    return torch.linalg_vector_norm(x, 2.0, [1]), torch.linalg_norm(x, dim=[0, 1])
)PY"),
             {at::randn({3, 4}).to(at::kHalf)});
}

TEST(Norms, SingularValueNormsAreRefused) {
  try {
    torchtrt_test::runEngine(scriptGraph(R"PY(
def forward(x: Tensor):
    return torch.linalg_norm(x, "nuc")
)PY"),
                             {at::randn({3, 4})});
    FAIL() << "the nuclear norm needs an SVD";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("singular values"), std::string::npos) << e.what();
  }
}

TEST(Norms, ZeroDimInputsAndScatterIntoZeroDim) {
  checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor, %i : Tensor):
      %two : float = prim::Constant[value=2.]()
      %three : float = prim::Constant[value=3.]()
      %f : bool = prim::Constant[value=0]()
      %none : NoneType = prim::Constant()
      %zero : int = prim::Constant[value=0]()
      %sum : str = prim::Constant[value="sum"]()
      %t : bool = prim::Constant[value=1]()
      %a : Tensor = aten::linalg_vector_norm(%x, %two, %none, %f, %none)
      %b : Tensor = aten::linalg_vector_norm(%x, %three, %none, %f, %none)
      %c : Tensor = aten::scatter_reduce(%x, %zero, %i, %s, %sum, %t)
      return (%a, %b, %c))IR",
             {at::randn({}), at::randn({})}, {at::zeros({}, at::kLong)});
}

TEST(Norms, BatchNormInference) {
  checkGraph(R"IR(
    graph(%x : Tensor, %g : Tensor, %b : Tensor, %m : Tensor, %v : Tensor):
      %f : bool = prim::Constant[value=0]()
      %mom : float = prim::Constant[value=0.1]()
      %eps : float = prim::Constant[value=1e-05]()
      %y : Tensor = aten::batch_norm(%x, %g, %b, %m, %v, %f, %mom, %eps, %f)
      return (%y))IR",
             {at::randn({2, 3, 4, 4})}, {at::randn({3}), at::randn({3}), at::randn({3}), at::rand({3}) + 0.5});
}

TEST(Norms, LayerNormAndLogSoftmax) {
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

TEST(Norms, RmsNormWithAndWithoutWeight) {
  // eps None is float32's epsilon; a weight over the last two dims; no weight over the last one.
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor):
      %shape : int[] = prim::Constant[value=[4, 6]]()
      %last : int[] = prim::Constant[value=[6]]()
      %none : NoneType = prim::Constant()
      %eps : float = prim::Constant[value=0.001]()
      %y : Tensor = aten::rms_norm(%x, %shape, %w, %none)
      %z : Tensor = aten::rms_norm(%x, %last, %none, %eps)
      return (%y, %z))IR",
             {at::randn({2, 3, 4, 6}) * 3}, {at::randn({4, 6})});
}

TEST(Norms, RmsNormOfHalfInputAndNnRmsNorm) {
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor):
      %shape : int[] = prim::Constant[value=[40]]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::rms_norm(%x, %shape, %w, %none)
      return (%y))IR",
             {at::randn({3, 5, 40}).to(at::kHalf)}, {(at::rand({40}) + 0.5).to(at::kHalf)});
  checkGraph(scriptGraph(R"PY(
def forward(x: Tensor, w: Tensor):
    return torch.rms_norm(x, [8], w, 1e-6)
)PY"),
             {at::randn({2, 7, 8}), at::rand({8}) + 0.5});
}

TEST(Norms, RmsNormWithANegativeEpsIsNaNWhereTorchIs) {
  // PyTorch takes any eps: rows whose mean square is below 0.5 give NaN (OpInfo's sample has -0.5).
  at::Tensor x = at::randn({4, 6});
  x[0] = x[0] * 0.1;
  x[1] = x[1] * 10;
  checkGraph(R"IR(
    graph(%x : Tensor, %w : Tensor):
      %shape : int[] = prim::Constant[value=[6]]()
      %eps : float = prim::Constant[value=-0.5]()
      %y : Tensor = aten::rms_norm(%x, %shape, %w, %eps)
      return (%y))IR",
             {x}, {at::randn({6})});
}

TEST(Norms, GroupInstanceNormVarStdAllAny) {
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

TEST(Norms, VectorNormsRepeatInterleaveMeshgrid) {
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

TEST(Norms, BatchNormOfHalfInput) {
  // Found: batch_norm on a float16 input failed ("ElementWise: input types differ").
  const char* ir = R"IR(
    graph(%x : Tensor, %w : Tensor, %b : Tensor, %m : Tensor, %v : Tensor):
      %f : bool = prim::Constant[value=0]()
      %mom : float = prim::Constant[value=0.1]()
      %eps : float = prim::Constant[value=1e-5]()
      %y : Tensor = aten::batch_norm(%x, %w, %b, %m, %v, %f, %mom, %eps, %f)
      return (%y))IR";
  auto half = [](at::Tensor t) { return t.to(at::kHalf); };
  checkGraph(ir, {half(at::randn({2, 4, 3, 3}))},
             {half(at::rand({4}) + 0.5), half(at::randn({4})), half(at::randn({4})), half(at::rand({4}) + 0.5)});
}

TEST(Norms, IntegerPowersReductionDtypesAndEmptyNorms) {
  // Found by the full conformance sweep: integer ** a negative integer gave INT_MIN (0 ** -1 went through
  // inf), prod with dtype=int32 came back int64, the inf-norm of an empty tensor was -inf.
  checkGraph(R"IR(
    graph(%a : Tensor, %b : Tensor, %l : Tensor, %e : Tensor):
      %one : int = prim::Constant[value=1]()
      %f : bool = prim::Constant[value=0]()
      %int32 : int = prim::Constant[value=3]()
      %inf : float = prim::Constant[value=inf]()
      %none : NoneType = prim::Constant()
      %p : Tensor = aten::pow(%a, %b)
      %q : Tensor = aten::pow(%l, %l)
      %zero : int = prim::Constant[value=0]()
      %r : Tensor = aten::prod(%a, %zero, %f, %int32)
      %s : Tensor = aten::sum(%a, %int32)
      %n : Tensor = aten::linalg_norm(%e, %inf, %none, %f, %none)
      %m : Tensor = aten::linalg_norm(%e, %one, %none, %f, %none)
      return (%p, %q, %r, %s, %n, %m))IR",
             {at::tensor({0, 2, -1, -1, 1, 3, 7}, at::kInt), at::tensor({-1, -2, -3, -2, -5, 4, 11}, at::kInt),
              at::tensor({3, 9, 40, 2}, at::kLong), at::randn({0, 0})});
}

TEST(Norms, LayerNormWithNegativeEps) {
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
