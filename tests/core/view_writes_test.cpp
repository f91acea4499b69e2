// Writes into slice/select views (x[a:b, c:d] = v) made functional by the lowering pass, then
// converted (slice_scatter / select_scatter): the JIT interpreter on the original graph against the
// engine of the lowered graph; a write another live view must see is left alone.
#include "converter_test_util.h"
#include "core/lowering/passes/passes.h"

namespace {
using torchtrt_test::expectClose;
using torchtrt_test::parse;
using torchtrt_test::recordCompared;
using torchtrt_test::runEngine;
using torchtrt_test::runJit;
using torchtrt_test::toleranceFor;

int countKind(const std::shared_ptr<torch::jit::Graph>& g, const char* kind) {
  int n = 0;
  for (const torch::jit::Node* node : g->nodes()) n += node->kind() == c10::Symbol::fromQualString(kind);
  return n;
}
}  // namespace

TEST(ViewWrites, FillAndCopyIntoSliceAndSelectViewsBecomeScatters) {
  // Swin's shifted-window mask: regions of a zeros tensor filled one after another; then a row
  // copied in through select, a strided slice filled, and a 0-d tensor value.
  const char* ir = R"IR(
    graph(%x : Tensor, %row : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %2 : int = prim::Constant[value=2]()
      %3 : int = prim::Constant[value=3]()
      %m2 : int = prim::Constant[value=-2]()
      %big : int = prim::Constant[value=9223372036854775807]()
      %none : NoneType = prim::Constant()
      %f : bool = prim::Constant[value=0]()
      %c1 : float = prim::Constant[value=1.5]()
      %c2 : float = prim::Constant[value=-4.]()
      %sizes : int[] = prim::ListConstruct(%3, %3)
      %mask : Tensor = aten::new_zeros(%x, %sizes, %none, %none, %none, %none)
      %a : Tensor = aten::slice(%mask, %0, %0, %2, %1)
      %b : Tensor = aten::slice(%a, %1, %1, %big, %1)
      %fa : Tensor = aten::fill_(%b, %c1)
      %c : Tensor = aten::slice(%mask, %0, %m2, %big, %1)
      %d : Tensor = aten::slice(%c, %1, %0, %1, %1)
      %fb : Tensor = aten::fill_(%d, %c2)
      %r : Tensor = aten::select(%mask, %0, %2)
      %cp : Tensor = aten::copy_(%r, %row, %f)
      %e : Tensor = aten::slice(%mask, %1, %0, %big, %2)
      %t : Tensor = aten::sum(%x, %none)
      %fc : Tensor = aten::fill_(%e, %t)
      %y : Tensor = aten::add(%x, %mask, %1)
      return (%y))IR";
  auto original = parse(ir);
  auto lowered = original->copy();
  torch_tensorrt::core::lowering::passes::ViewWritesToScatter(lowered);
  EXPECT_EQ(countKind(lowered, "aten::fill_") + countKind(lowered, "aten::copy_"), 0) << *lowered;
  EXPECT_EQ(countKind(lowered, "aten::slice_scatter"), 5) << *lowered;
  EXPECT_EQ(countKind(lowered, "aten::select_scatter"), 1) << *lowered;
  std::vector<at::Tensor> inputs = {at::randn({3, 3}), at::randn({3})};
  auto expected = runJit(original, inputs);
  auto actual = runEngine(lowered, inputs);
  expectClose(actual[0], expected[0], toleranceFor(at::kFloat));
  recordCompared(lowered->block());
}

TEST(ViewWrites, AWriteAnEarlierViewMustSeeStaysInPlace) {
  // %v (made before the write) is read after it and shares memory with the written region.
  const char* ir = R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %2 : int = prim::Constant[value=2]()
      %c : float = prim::Constant[value=7.]()
      %v : Tensor = aten::slice(%x, %0, %0, %2, %1)
      %w : Tensor = aten::slice(%x, %0, %1, %2, %1)
      %f : Tensor = aten::fill_(%w, %c)
      %y : Tensor = aten::mul(%v, %2)
      return (%y))IR";
  auto g = parse(ir);
  torch_tensorrt::core::lowering::passes::ViewWritesToScatter(g);
  EXPECT_EQ(countKind(g, "aten::fill_"), 1) << *g;
  EXPECT_EQ(countKind(g, "aten::slice_scatter"), 0) << *g;
}

TEST(ViewWrites, SliceScatterWithAStepAndSelectScatterConvert) {
  torchtrt_test::checkGraph(R"IR(
    graph(%x : Tensor, %s : Tensor, %r : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %2 : int = prim::Constant[value=2]()
      %m1 : int = prim::Constant[value=-1]()
      %none : NoneType = prim::Constant()
      %a : Tensor = aten::slice_scatter(%x, %s, %1, %1, %none, %2)
      %b : Tensor = aten::select_scatter(%a, %r, %0, %m1)
      return (%b))IR",
                            {at::randn({3, 6}), at::randn({3, 3}), at::randn({6})});
}

TEST(ViewWrites, AWriteThroughAViewOfAnotherKindOrIntoAnArgumentStaysInPlace) {
  // y.t()[0].fill_(-1) and y.view(-1)[::5].zero_(): the chain of slices and selects starts at a transpose or a view
  // of y, so a scatter into that view would leave y (the result) unwritten; x[0] = 0 writes the caller's tensor.
  // Each write stays in place, for conversion to refuse or partitioning to keep in TorchScript.
  for (const char* ir : {R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %c : float = prim::Constant[value=-1.]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::clone(%x, %none)
      %t : Tensor = aten::t(%y)
      %s : Tensor = aten::select(%t, %0, %0)
      %f : Tensor = aten::fill_(%s, %c)
      return (%y))IR",
                         R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %5 : int = prim::Constant[value=5]()
      %m1 : int = prim::Constant[value=-1]()
      %big : int = prim::Constant[value=9223372036854775807]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::clone(%x, %none)
      %shape : int[] = prim::ListConstruct(%m1)
      %v : Tensor = aten::view(%y, %shape)
      %s : Tensor = aten::slice(%v, %0, %0, %big, %5)
      %z : Tensor = aten::zero_(%s)
      return (%y))IR",
                         R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %c : float = prim::Constant[value=0.]()
      %s : Tensor = aten::select(%x, %0, %0)
      %f : Tensor = aten::fill_(%s, %c)
      %y : Tensor = aten::add(%x, %x, %1)
      return (%y))IR"}) {
    auto g = parse(ir);
    torch_tensorrt::core::lowering::passes::ViewWritesToScatter(g);
    EXPECT_EQ(countKind(g, "aten::fill_") + countKind(g, "aten::zero_"), 1) << *g;
    EXPECT_EQ(countKind(g, "aten::slice_scatter") + countKind(g, "aten::select_scatter"), 0) << *g;
  }
}

TEST(ViewWrites, AViewOfAViewMadeBeforeTheWriteAndReadAfterKeepsItInPlace) {
  // %w, a view of the view %v of %y, is read after the write into %y's first row: it must see the write.
  auto g = parse(R"IR(
    graph(%x : Tensor):
      %0 : int = prim::Constant[value=0]()
      %1 : int = prim::Constant[value=1]()
      %2 : int = prim::Constant[value=2]()
      %c : float = prim::Constant[value=7.]()
      %none : NoneType = prim::Constant()
      %y : Tensor = aten::clone(%x, %none)
      %v : Tensor = aten::slice(%y, %0, %0, %2, %1)
      %w : Tensor = aten::select(%v, %1, %0)
      %s : Tensor = aten::select(%y, %0, %0)
      %f : Tensor = aten::fill_(%s, %c)
      %r : Tensor = aten::mul(%w, %2)
      return (%r))IR");
  torch_tensorrt::core::lowering::passes::ViewWritesToScatter(g);
  EXPECT_EQ(countKind(g, "aten::fill_"), 1) << *g;
  EXPECT_EQ(countKind(g, "aten::select_scatter"), 0) << *g;
}
