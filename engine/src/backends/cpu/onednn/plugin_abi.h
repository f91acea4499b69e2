// The C interface between the engine and its oneDNN plugin (libtorchtrt_onednn.so). The plugin is
// loaded at run time (plugin_loader.cpp) so that it and libdnnl bind their symbols among themselves:
// only plain C types cross this boundary (no C++ objects, no exceptions, no memory owned across it),
// so the two sides share nothing but this header. Bump the version on any change to a struct or the table.
#ifndef TORCHTRT_ONEDNN_PLUGIN_ABI_H
#define TORCHTRT_ONEDNN_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TORCHTRT_ONEDNN_ABI_VERSION 11u
#define TORCHTRT_ONEDNN_MAX_RANK 8
#define TORCHTRT_ONEDNN_GET_API "torchtrt_onednn_get_api"

//! The element type of a step's tensors (float32, or bfloat16 where the CPU has its instructions).
enum { TORCHTRT_ONEDNN_F32 = 0, TORCHTRT_ONEDNN_BF16 = 1 };

//! A tensor the engine owns: dims and strides in elements (oneDNN's logical order).
typedef struct {
  int32_t rank;
  int64_t dims[TORCHTRT_ONEDNN_MAX_RANK];
  int64_t strides[TORCHTRT_ONEDNN_MAX_RANK];
} torchtrt_onednn_tensor;

//! A convolution over [N, C, spatial...] (1-3 spatial dimensions). dilations are oneDNN's (0: dense).
//! Weights are dense [groups][out/groups][in/groups][kernel...] (no group dimension when groups is 1);
//! a transposed convolution's are [groups][in/groups][out/groups][kernel...] (PyTorch's and the engine's).
typedef struct {
  torchtrt_onednn_tensor src, dst;
  int32_t spatial;
  int64_t groups;
  int64_t kernel[3], strides[3], dilations[3], pad_left[3], pad_right[3];
  const float* weights;  // reordered into the primitive's format at the first run: must outlive the step
  const float* bias;     // [out], read at creation only; NULL: none
  int32_t residual;      // 1: a second input of dst's shape is added (a sum post-op)
  int32_t activation;    // TORCHTRT_ONEDNN_ACT_*: fused as the last post-op
  int32_t data_type;     // TORCHTRT_ONEDNN_F32 / BF16: src, dst and the residual (weights and bias come as float32)
  int32_t transposed;    // 1: a transposed convolution (oneDNN's deconvolution); no residual then
} torchtrt_onednn_convolution;

//! Activations a convolution or matrix product fuses as an eltwise post-op: ReLU, SiLU (swish with
//! alpha 1: x * sigmoid(x)), hard-swish (x * min(max(x + 3, 0), 6) / 6), GELU (erf or tanh form).
enum {
  TORCHTRT_ONEDNN_ACT_NONE = 0,
  TORCHTRT_ONEDNN_ACT_RELU = 1,
  TORCHTRT_ONEDNN_ACT_SILU = 2,
  TORCHTRT_ONEDNN_ACT_HARD_SWISH = 3,
  TORCHTRT_ONEDNN_ACT_GELU_ERF = 4,
  TORCHTRT_ONEDNN_ACT_GELU_TANH = 5
};

//! C = activation(alpha * A.B + bias + residual): batch dims broadcast, transposes expressed as strides.
//! bias.rank 0: none.
typedef struct {
  torchtrt_onednn_tensor a, b, c, bias;
  float alpha;
  int32_t residual;    // 1: a run's input after the bias, of C's shape, type and strides, is added (binary post-op)
  int32_t activation;  // TORCHTRT_ONEDNN_ACT_*: fused as the last post-op
  //! B's values (of data_type) when B is a constant (a Linear's weights): reordered once into the
  //! primitive's preferred format at the first run (must outlive the step); a run's B input is then
  //! ignored. NULL: B comes with each run.
  const void* constant_b;
  int32_t data_type;    // TORCHTRT_ONEDNN_F32 / BF16: A, B and the bias
  int32_t c_data_type;  // C's type: data_type, or float32 from bfloat16 operands (attention's scores)
} torchtrt_onednn_matrix_multiply;

enum { TORCHTRT_ONEDNN_POOL_MAX = 0, TORCHTRT_ONEDNN_POOL_AVG_EXCLUDE = 1, TORCHTRT_ONEDNN_POOL_AVG_INCLUDE = 2 };

//! Pooling over the last `spatial` dims of [N, C, spatial...].
typedef struct {
  torchtrt_onednn_tensor src, dst;
  int32_t algorithm;
  int32_t spatial;
  int64_t kernel[3], strides[3], pad_left[3], pad_right[3];
  int32_t data_type;  // TORCHTRT_ONEDNN_F32 / BF16
} torchtrt_onednn_pooling;

typedef struct torchtrt_onednn_step torchtrt_onednn_step;

//! Status of every call: OK, DECLINED (oneDNN has no implementation: the engine runs its reference
//! kernel) or FAILED (the message says why).
enum { TORCHTRT_ONEDNN_OK = 0, TORCHTRT_ONEDNN_DECLINED = 1, TORCHTRT_ONEDNN_FAILED = 2 };

typedef struct {
  uint32_t abi_version;
  //! The oneDNN the plugin runs, as "major.minor.patch".
  const char* (*library_version)(void);
  int32_t (*create_convolution)(const torchtrt_onednn_convolution* desc, torchtrt_onednn_step** step, char* message,
                                size_t message_size);
  int32_t (*create_matrix_multiply)(const torchtrt_onednn_matrix_multiply* desc, torchtrt_onednn_step** step,
                                    char* message, size_t message_size);
  int32_t (*create_pooling)(const torchtrt_onednn_pooling* desc, torchtrt_onednn_step** step, char* message,
                            size_t message_size);
  //! Runs a step on the layer's inputs (in the layer's order) into output; blocks until done. A step
  //! runs on one thread at a time (oneDNN's OpenMP threads inside).
  int32_t (*execute)(torchtrt_onednn_step* step, const void* const* inputs, int32_t nb_inputs, void* output,
                     char* message, size_t message_size);
  void (*destroy)(torchtrt_onednn_step* step);
  //! The implementation oneDNN chose for a step's primitive (its impl_info_str, e.g. "brg:avx2"), with
  //! " + reorders" when the step reorders the engine's tensors or weights around it. Owned by the step.
  const char* (*implementation)(const torchtrt_onednn_step* step);
} torchtrt_onednn_api;

//! The plugin's one exported symbol: its table when it speaks `abi_version`, else NULL.
typedef const torchtrt_onednn_api* (*torchtrt_onednn_get_api_fn)(uint32_t abi_version);

#ifdef __cplusplus
}
#endif

#endif  // TORCHTRT_ONEDNN_PLUGIN_ABI_H
