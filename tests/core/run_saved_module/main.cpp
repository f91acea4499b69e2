// Loads a compiled module with only libtorch and the runtime library, runs it on an input
// saved beside it, and writes the output: run_saved_module model.ts input.pt output.pt
#include <fstream>
#include <iostream>

#include "torch/script.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: run_saved_module model.ts input.pt output.pt\n";
    return 2;
  }
  try {
    auto mod = torch::jit::load(argv[1]);
    std::ifstream f(argv[2], std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    at::Tensor input = torch::jit::pickle_load(bytes).toTensor();
    at::Tensor out = mod.forward({input}).toTensor();
    auto data = torch::jit::pickle_save(out);
    std::ofstream o(argv[3], std::ios::binary);
    o.write(data.data(), static_cast<std::streamsize>(data.size()));
    std::cout << "ran " << argv[1] << " -> " << out.sizes() << "\n";
  } catch (const c10::Error& e) {
    std::cerr << e.what_without_backtrace() << "\n";
    return 1;
  }
  return 0;
}
