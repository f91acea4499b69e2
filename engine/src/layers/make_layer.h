// The layer factory, generated from TRT_LAYER_KINDS (trt/types.h): each kind's file
// (engine/src/layers/<kind>.cpp) defines make<Stem>Layer() next to the kind's implementation class,
// so a kind whose implementation is missing fails to link.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "network/network_impl.h"

namespace trt {

#define TRT_DECLARE_LAYER_FACTORY(name, stem, cpu16, cuda16) std::unique_ptr<LayerBase> make##stem##Layer();
TRT_LAYER_KINDS(TRT_DECLARE_LAYER_FACTORY)
#undef TRT_DECLARE_LAYER_FACTORY

//! The kind whose interface is `L` (KindOf<IConvolutionLayer>::value == LayerType::kCONVOLUTION).
template <typename L>
struct KindOf;
#define TRT_DECLARE_KIND_OF(name, stem, cpu16, cuda16)  \
  template <>                                           \
  struct KindOf<I##stem##Layer> {                       \
    static constexpr LayerType value = LayerType::name; \
  };
TRT_LAYER_KINDS(TRT_DECLARE_KIND_OF)
#undef TRT_DECLARE_KIND_OF

//! Creates an empty layer of a kind (the plan reader's and the network's factory); throws Error for a
//! value that is not a kind of this version.
std::unique_ptr<LayerBase> makeLayer(LayerType type);

//! A layer made but not yet attached to a network, used through its interface `L`.
template <typename L>
struct NewLayer {
  std::unique_ptr<LayerBase> owner;
  L* api;
  L* operator->() const { return api; }
};

//! An empty layer of the kind whose interface is `L`.
template <typename L>
NewLayer<L> newLayer() {
  std::unique_ptr<LayerBase> owner = makeLayer(KindOf<L>::value);
  L* api = static_cast<L*>(&owner->api());
  return {std::move(owner), api};
}

}  // namespace trt
