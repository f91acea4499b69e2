// Einsum equations, shared by shape inference, the CPU reference and the CUDA kernel: parsing
// ("ij,jk->ik", or implicit "ij,jk": labels used once, in alphabetical order), label sizes with
// broadcasting (a size-1 dimension stretches to its label's size), and per-input strides per label
// (a label repeated within one input adds its strides: the diagonal).
#pragma once

#include <cctype>
#include <string>
#include <vector>

#include "trt/types.h"

namespace trt {
namespace einsum {

constexpr int kMaxLabels = 16;
constexpr int kMaxInputs = 4;

struct Spec {
  std::vector<std::string> inputs;  // labels per input dimension
  std::string output;               // labels of the output dimensions
  std::string labels;               // every distinct label: output labels first, then summed ones
};

//! Parses an equation for `nbInputs` inputs; returns an empty string on success, else what is wrong.
inline std::string parse(const std::string& equation, size_t nbInputs, Spec& spec) {
  spec = Spec{};
  const size_t arrow = equation.find("->");
  const std::string lhs = equation.substr(0, arrow);
  for (size_t start = 0;;) {
    const size_t comma = lhs.find(',', start);
    spec.inputs.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (spec.inputs.size() != nbInputs)
    return "names " + std::to_string(spec.inputs.size()) + " operands for " + std::to_string(nbInputs) + " inputs";
  if (nbInputs < 1 || nbInputs > static_cast<size_t>(kMaxInputs))
    return "takes 1 to " + std::to_string(kMaxInputs) + " inputs";
  int count[128] = {};
  for (const std::string& in : spec.inputs)
    for (char c : in) {
      if (!std::isalpha(static_cast<unsigned char>(c))) return std::string("label '") + c + "' is not a letter";
      ++count[static_cast<int>(c)];
    }
  if (arrow == std::string::npos) {
    for (int c = 0; c < 128; ++c)
      if (count[c] == 1) spec.output += static_cast<char>(c);
  } else {
    spec.output = equation.substr(arrow + 2);
    for (size_t i = 0; i < spec.output.size(); ++i) {
      const char c = spec.output[i];
      if (!std::isalpha(static_cast<unsigned char>(c)) || count[static_cast<int>(c)] == 0)
        return std::string("output label '") + c + "' is not an input label";
      if (spec.output.find(c) != i) return std::string("output label '") + c + "' appears twice";
    }
  }
  spec.labels = spec.output;
  for (const std::string& in : spec.inputs)
    for (char c : in)
      if (spec.labels.find(c) == std::string::npos) spec.labels += c;
  if (spec.labels.size() > static_cast<size_t>(kMaxLabels))
    return "uses " + std::to_string(spec.labels.size()) + " labels; at most " + std::to_string(kMaxLabels);
  return "";
}

//! Each label's size from the inputs' dims (-1 where only the run decides); an empty string, or what
//! is wrong (a label with two sizes other than 1).
inline std::string labelSizes(const Spec& spec, const std::vector<Dims>& dims, std::vector<int64_t>& size) {
  size.assign(spec.labels.size(), 1);
  std::vector<bool> dynamic(spec.labels.size(), false);
  for (size_t i = 0; i < spec.inputs.size(); ++i) {
    if (static_cast<size_t>(dims[i].nbDims) != spec.inputs[i].size())
      return "operand " + std::to_string(i) + " '" + spec.inputs[i] + "' labels " +
             std::to_string(spec.inputs[i].size()) + " dimensions of a rank-" + std::to_string(dims[i].nbDims) +
             " input";
    for (size_t k = 0; k < spec.inputs[i].size(); ++k) {
      const size_t l = spec.labels.find(spec.inputs[i][k]);
      const int64_t d = dims[i].d[k];
      if (d < 0) {
        dynamic[l] = true;
      } else if (d != 1) {
        if (size[l] != 1 && size[l] != d)
          return std::string("label '") + spec.labels[l] + "' has sizes " + std::to_string(size[l]) + " and " +
                 std::to_string(d);
        size[l] = d;
      }
    }
  }
  for (size_t l = 0; l < size.size(); ++l)
    if (dynamic[l] && size[l] == 1) size[l] = -1;
  return "";
}

//! Element strides of input `i` per label (0 where a dimension of size 1 broadcasts or the label is absent).
inline std::vector<int64_t> stridesPerLabel(const Spec& spec, size_t i, const Dims& dims,
                                            const std::vector<int64_t>& size) {
  std::vector<int64_t> strides(spec.labels.size(), 0);
  int64_t s = 1;
  for (int k = dims.nbDims - 1; k >= 0; --k) {
    const size_t l = spec.labels.find(spec.inputs[i][k]);
    if (!(dims.d[k] == 1 && size[l] != 1)) strides[l] += s;
    s *= dims.d[k];
  }
  return strides;
}

}  // namespace einsum
}  // namespace trt
