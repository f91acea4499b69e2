// Element rules of the binary operations whose PyTorch definition is more than one C operator,
// shared by the CPU reference and the CUDA kernels: integer division that never traps (the minimum
// integer divided by -1 wraps, as PyTorch returns), fmod and remainder with PyTorch's signs.
#pragma once

#include <cmath>
#include <type_traits>

#include "common/host_device.h"

namespace trt {
namespace elementwise_rules {

//! -a in two's complement: the minimum integer stays itself instead of overflowing.
template <typename T>
TRT_HOST_DEVICE T wrappingNegate(T a) {
  using U = typename std::make_unsigned<T>::type;
  return static_cast<T>(U(0) - static_cast<U>(a));
}

//! Integer a / b rounded toward zero (b != 0).
template <typename T>
TRT_HOST_DEVICE T truncDivInt(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == T(-1)) return wrappingNegate(a);
  }
  return static_cast<T>(a / b);
}

//! Integer a // b rounded toward negative infinity (b != 0), as Python's and PyTorch's floor division.
template <typename T>
TRT_HOST_DEVICE T floorDivInt(T a, T b) {
  if constexpr (std::is_signed<T>::value) {
    if (b == T(-1)) return wrappingNegate(a);
    T q = static_cast<T>(a / b);
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
  } else {
    return static_cast<T>(a / b);
  }
}

//! torch.fmod: the remainder with the sign of the dividend (C's fmod and %).
template <typename T>
TRT_HOST_DEVICE T fmodValue(T a, T b) {
  if constexpr (std::is_floating_point<T>::value) {
#ifdef __CUDA_ARCH__
    return fmod(a, b);
#else
    return std::fmod(a, b);
#endif
  } else {
    if constexpr (std::is_signed<T>::value) {
      if (b == T(-1)) return T(0);
    }
    return static_cast<T>(a % b);
  }
}

//! Float a // b as PyTorch (and Python) computes it: from the remainder, not floor(a / b), whose rounded quotient
//! can cross an integer (5 // 0.1 is 49, floor(5 / 0.1) is 50); an infinite a gives NaN (its fmod is NaN), a zero
//! quotient takes the sign of a / b, and b == 0 gives a / b.
template <typename T>
TRT_HOST_DEVICE T floorDivFloat(T a, T b) {
#ifdef __CUDA_ARCH__
  using ::copysign;
  using ::floor;
#else
  using std::copysign;
  using std::floor;
#endif
  if (b == T(0)) return a / b;
  const T mod = fmodValue(a, b);
  T quotient = (a - mod) / b;
  if (mod != T(0) && ((b < T(0)) != (mod < T(0)))) quotient -= T(1);
  if (quotient == T(0)) return copysign(T(0), a / b);
  T floored = floor(quotient);
  if (quotient - floored > T(0.5)) floored += T(1);
  return floored;
}

//! torch.remainder (Python's %): the remainder with the sign of the divisor.
template <typename T>
TRT_HOST_DEVICE T remainderValue(T a, T b) {
  T m = fmodValue(a, b);
  if constexpr (std::is_signed<T>::value || std::is_floating_point<T>::value) {
    if (m != T(0) && ((b < T(0)) != (m < T(0)))) m = static_cast<T>(m + b);
  }
  return m;
}

//! Integer a ** b as PyTorch computes it: exact (by squaring, wrapping like its integer arithmetic); a
//! negative exponent gives 1 for a == 1, +-1 for a == -1 and 0 otherwise (no float detour: 0 ** -1
//! was inf cast to an integer).
template <typename T>
TRT_HOST_DEVICE T powInt(T a, T b) {
  using U = typename std::make_unsigned<T>::type;
  if constexpr (std::is_signed<T>::value) {
    if (b < 0) {
      if (a == T(1)) return T(1);
      if (a == T(-1)) return (b % 2 == 0) ? T(1) : T(-1);
      return T(0);
    }
  }
  U result = 1, base = static_cast<U>(a);
  for (U e = static_cast<U>(b); e; e >>= 1) {
    if (e & 1u) result = static_cast<U>(result * base);
    base = static_cast<U>(base * base);
  }
  return static_cast<T>(result);
}

//! torch.atan2 (floating only).
template <typename T>
TRT_HOST_DEVICE T atan2Value(T a, T b) {
#ifdef __CUDA_ARCH__
  return atan2(a, b);
#else
  return std::atan2(a, b);
#endif
}

}  // namespace elementwise_rules
}  // namespace trt
