#pragma once

#include "data/image_set.h"
#include "model/network.h"
#include "quant/bit_config.h"
#include "train/quantized_evaluation.h"

#include <string>

namespace quantscope {

/// AIMET-style encodings JSON (the layout of AIMET's `export()` encodings files) for a
/// configuration under the uniform quantizer: per output channel weight encodings
/// `{"bitwidth", "dtype", "is_symmetric", "min", "max", "offset", "scale"}` under
/// "param_encodings" keyed "<layer>.weight", and per-tensor encodings of each quantized layer's
/// input activation (from calibration on `calibrationSet`) under "activation_encodings" keyed
/// "<layer>.input". Float layers are left out. Throws ConfigError for the DSConv quantizer,
/// whose block scales have no such form.
std::string aimetEncodingsJson(const Network& network, const BitConfig& bits, const QuantSettings& settings,
                               const ImageSet& calibrationSet);
/// ConfigError unless `settings` use the uniform quantizer (aimetEncodingsJson's refusal).
void requireAimetQuantizer(const QuantSettings& settings);

} // namespace quantscope
