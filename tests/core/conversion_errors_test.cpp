// Refusals: an unsupported op names its node, schema and converter; mismatched einsum sizes.
// Each graph runs in the JIT interpreter and as an engine (static and dynamic shapes), compared
// with the central per-dtype tolerances (converter_test_util.h).
#include <string>

#include "converter_test_util.h"

using torchtrt_test::runEngine;

TEST(ConversionErrors, UnsupportedOpNamesNodeSchemaAndConverter) {
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

TEST(ConversionErrors, EinsumMismatchedSizesAreRefusedClearly) {
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
