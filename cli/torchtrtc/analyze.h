// torchtrtc --inspect / --profile / --benchmark: looks into a saved module or plan and runs it.
#pragma once

#include "torchtrtc/parse_args.h"

namespace torchtrtc {

//! Runs the analysis `o` asks for on o.input_path; returns the exit code.
int analyze(const Options& o);

}  // namespace torchtrtc
