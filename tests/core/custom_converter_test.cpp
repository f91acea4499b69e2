// A user's converter loaded from outside, written as the seed's flatten converter is: it keeps the
// sizes of a temporary tensor (freed at the end of its statement) and reads them after addShuffle.
// The conversion keeps every op result of a converter alive until it returns (op_results_kept_alive.h).
#include <malloc.h>

#include "core/conversion/converters/converters.h"
#include "core/util/trt_util.h"
#include "tests/core/converter_test_util.h"
#include "torch/library.h"

namespace {

at::Tensor flattenLikeTheSeed(const at::Tensor& x, int64_t start, int64_t end) { return at::flatten(x, start, end); }

TORCH_LIBRARY(torchtrt_custom_test, m) {
  m.def("seed_flatten(Tensor self, int start_dim=0, int end_dim=-1) -> Tensor", &flattenLikeTheSeed);
  m.def("checks_temporaries(Tensor self, int start_dim=0, int end_dim=-1) -> Tensor", &flattenLikeTheSeed);
}

namespace cv = torch_tensorrt::core::conversion;
namespace util = torch_tensorrt::core::util;

bool temporaryOutlivedItsStatement = false;

static auto converters =
    cv::converters::RegisterNodeConversionPatterns()
        // The seed's body, verbatim but for the schema (a test op, so aten::flatten keeps its converter).
        .pattern({"torchtrt_custom_test::seed_flatten(Tensor self, int start_dim=0, int end_dim=-1) -> (Tensor)",
                  [](cv::ConversionCtx* ctx, const torch::jit::Node* n, cv::converters::args& args) -> bool {
                    auto in = args[0].ITensor();
                    auto start_dim = args[1].unwrapToInt();
                    auto end_dim = args[2].unwrapToInt();
                    auto in_shape = util::toVec(in->getDimensions());
                    auto out_shape = torch::flatten(torch::rand(in_shape), start_dim, end_dim).sizes();
                    auto shuffle = ctx->net->addShuffle(*in);
                    shuffle->setReshapeDimensions(util::toDims(out_shape));
                    shuffle->setName(util::node_info(n).c_str());
                    ctx->AssociateValueAndTensor(n->outputs()[0], shuffle->getOutput(0));
                    return true;
                  }})
        // The same, watching the temporary through a weak reference.
        .pattern({"torchtrt_custom_test::checks_temporaries(Tensor self, int start_dim=0, int end_dim=-1) -> (Tensor)",
                  [](cv::ConversionCtx* ctx, const torch::jit::Node* n, cv::converters::args& args) -> bool {
                    auto in = args[0].ITensor();
                    auto in_shape = util::toVec(in->getDimensions());
                    c10::weak_intrusive_ptr<c10::TensorImpl> temporary(
                        torch::flatten(torch::rand(in_shape), args[1].unwrapToInt(), args[2].unwrapToInt())
                            .getIntrusivePtr());
                    auto shuffle = ctx->net->addShuffle(*in);
                    auto alive = temporary.lock();
                    temporaryOutlivedItsStatement = alive.defined();
                    shuffle->setReshapeDimensions(
                        util::toDims(alive ? alive->sizes().vec() : std::vector<int64_t>{-1}));
                    ctx->AssociateValueAndTensor(n->outputs()[0], shuffle->getOutput(0));
                    return true;
                  }});

const char* kGraph = R"IR(
    graph(%x : Tensor):
      %zero : int = prim::Constant[value=0]()
      %m1 : int = prim::Constant[value=-1]()
      %r : Tensor = aten::relu(%x)
      %f : Tensor = torchtrt_custom_test::OP(%r, %zero, %m1)
      return (%f))IR";

std::string graphWith(const std::string& op) {
  std::string ir = kGraph;
  return ir.replace(ir.find("OP"), 2, op);
}

TEST(CustomConverters, ATemporaryTensorOfAConverterLivesUntilTheConverterReturns) {
  temporaryOutlivedItsStatement = false;
  torchtrt_test::checkGraph(graphWith("checks_temporaries"), {at::randn({2, 3, 4})});
  EXPECT_TRUE(temporaryOutlivedItsStatement);
}

TEST(CustomConverters, ASeedStyleConverterReadsTheSizesOfItsTemporaryRight) {
#ifdef M_PERTURB
  mallopt(M_PERTURB, 0xA5);  // freed memory that the allocator does not cache is overwritten
#endif
  torchtrt_test::checkGraph(graphWith("seed_flatten"), {at::randn({2, 3, 4})});
#ifdef M_PERTURB
  mallopt(M_PERTURB, 0);
#endif
}

}  // namespace
