#include "quant/uniform_quantizer.h"

#include <torch/torch.h>

namespace quantscope {

at::Tensor UniformQuantizer::quantizeWeight(const at::Tensor& weight, int bits) const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor rows = weight.reshape({weight.size(0), -1});
    torch::Tensor quantized;
    if (bits == 1) {
        const torch::Tensor meanAbs = rows.abs().mean(1, true);
        quantized = torch::where(rows >= 0, meanAbs, -meanAbs);
    } else {
        const double qmax = std::ldexp(1.0, bits - 1) - 1;
        const torch::Tensor scale = rows.abs().amax(1, true).clamp_min(1e-12) / qmax;
        quantized = torch::round(rows / scale).clamp_(-qmax, qmax).mul_(scale);
    }
    return quantized.reshape(weight.sizes());
}

at::Tensor UniformQuantizer::quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const
{
    torch::NoGradGuard noGrad;
    ActivationRange r = range;
    if (!r.valid()) {
        r.maxAbs = input.abs().max().item<float>();
        r.nonNegative = input.min().item<float>() >= 0.0f;
        if (!r.valid())
            return input.clone();
    }
    const double lo = r.nonNegative ? 0.0 : -std::max(1.0, std::ldexp(1.0, bits - 1) - 1);
    const double hi = r.nonNegative ? std::ldexp(1.0, bits) - 1 : std::max(1.0, std::ldexp(1.0, bits - 1) - 1);
    const double scale = double(r.maxAbs) / hi;
    return torch::round(input / scale).clamp_(lo, hi).mul_(scale);
}

} // namespace quantscope
