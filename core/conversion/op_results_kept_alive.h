// Keeps every tensor an ATen op returns during a converter's call alive until the call returns.
#pragma once

#include <vector>

#include <ATen/record_function.h>

namespace torch_tensorrt {
namespace core {
namespace conversion {

// Why: the seed's custom flatten converter, like upstream's example it follows, keeps
// `torch::flatten(torch::rand(shape), ...).sizes()` in an IntArrayRef: the sizes of a temporary
// tensor that is freed at the end of that statement, read a statement later (after addShuffle).
// Whether that reads the right numbers depends on whether the allocator reused the freed memory in
// between (in CI it did: "cannot reshape (1, 4) into (0)"). Converters written this way are the
// documented example, so the conversion holds a reference to each op's results (an ATen
// RecordFunction callback of this thread, for the guard's lifetime): the temporary lives, and its
// sizes are right, until the converter returns.
class OpResultsKeptAlive {
 public:
  OpResultsKeptAlive();
  ~OpResultsKeptAlive();
  OpResultsKeptAlive(const OpResultsKeptAlive&) = delete;
  OpResultsKeptAlive& operator=(const OpResultsKeptAlive&) = delete;

 private:
  static void keepOutputs(const at::RecordFunction& fn, at::ObserverContext*);
  std::vector<c10::IValue> kept_;
  OpResultsKeptAlive* outer_;  // a converter converting a nested block runs conversion again
  at::CallbackHandle handle_ = 0;
};

}  // namespace conversion
}  // namespace core
}  // namespace torch_tensorrt
