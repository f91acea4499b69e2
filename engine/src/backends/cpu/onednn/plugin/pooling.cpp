// Max and average pooling on oneDNN, in the tensors' own layout. Which cases follow PyTorch's rules
// (divisors, NaN) is the engine's decision (describe_pooling.cpp, onednn_kernels.cpp).
#include "backends/cpu/onednn/plugin/plugin_step.h"

namespace torchtrt_onednn {

namespace {
using dnnl::memory;

class PoolingStep : public Step {
 public:
  PoolingStep(const dnnl::pooling_forward::primitive_desc& pd, const memory::desc& src, const memory::desc& dst)
      : prim_(pd), src_(src), dst_(dst) {
    implementation_ = std::string("pooling ") + pd.impl_info_str();
  }
  void run(const void* const* inputs, int32_t, void* output) override {
    prim_.execute(stream_, {{DNNL_ARG_SRC, wrap(src_, inputs[0])}, {DNNL_ARG_DST, wrap(dst_, output)}});
    stream_.wait();
  }

 private:
  dnnl::pooling_forward prim_;
  memory::desc src_, dst_;
};
}  // namespace

std::unique_ptr<Step> makePooling(const torchtrt_onednn_pooling& d) {
  memory::dims strides, kernel, padL, padR;
  for (int s = 0; s < d.spatial; ++s) {
    strides.push_back(d.strides[s]);
    kernel.push_back(d.kernel[s]);
    padL.push_back(d.pad_left[s]);
    padR.push_back(d.pad_right[s]);
  }
  const memory::desc src = descOf(d.src, d.data_type), dst = descOf(d.dst, d.data_type);
  const dnnl::algorithm algorithm = d.algorithm == TORCHTRT_ONEDNN_POOL_MAX ? dnnl::algorithm::pooling_max
                                    : d.algorithm == TORCHTRT_ONEDNN_POOL_AVG_EXCLUDE
                                        ? dnnl::algorithm::pooling_avg_exclude_padding
                                        : dnnl::algorithm::pooling_avg_include_padding;
  const dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, algorithm, src, dst, strides, kernel, padL,
                                         padR);
  return std::make_unique<PoolingStep>(dnnl::pooling_forward::primitive_desc(desc, cpuEngine()), src, dst);
}

}  // namespace torchtrt_onednn
