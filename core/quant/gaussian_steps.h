#pragma once

namespace quantscope {

/// Steps of the uniform quantizers that minimise the mean squared error of Gaussian inputs, for
/// unit variance (scale them by the input's sd). Computed, not tabulated: the closed-form error of
/// a uniform quantizer under the normal density, minimised over the step by golden-section search
/// (the error is unimodal in the step). `bits` 1..8; ConfigError otherwise.

/// HWGQ's activation quantizer (Cai et al., CVPR 2017) for the positive half of N(0, 1): levels
/// `step * {1, ..., 2^b - 1}`, thresholds at their midpoints, so every positive input maps to at
/// least the first level. Reproduces the paper's 0.799 (= sqrt(2 / pi), rounded), 0.538, 0.3217
/// and 0.185 for 1..4 bits.
double halfGaussianOptimalStep(int bits);

/// The symmetric mid-rise quantizer of N(0, 1): levels `step * (i + 1/2)` for i in
/// -2^(b-1) .. 2^(b-1) - 1 (Max, 1960; EdMIPS's weight steps 1.596, 0.996, 0.586, 0.336 for 1..4
/// bits).
double gaussianMidRiseOptimalStep(int bits);

} // namespace quantscope
