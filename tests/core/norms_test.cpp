// Norms: torch.linalg.norm (vector norms over one dim, matrix norms over two: Frobenius, 1, -1, inf,
// -inf), norm with a dtype, and a float16 norm staying float16, against the JIT interpreter.
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
