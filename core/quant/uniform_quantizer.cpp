#include "quant/uniform_quantizer.h"

#include <torch/torch.h>

namespace quantscope {

UniformGrid uniformActivationGrid(int bits, const ActivationRange& range)
{
    UniformGrid grid;
    grid.hi = range.nonNegative ? std::ldexp(1.0, bits) - 1 : std::max(1.0, std::ldexp(1.0, bits - 1) - 1);
    grid.lo = range.nonNegative ? 0.0 : -grid.hi;
    grid.scale = double(range.maxAbs) / grid.hi;
    return grid;
}

void uniformIntegerWeight(const at::Tensor& weight, int bits, at::Tensor& integers, at::Tensor& scales)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor rows = weight.reshape({weight.size(0), -1});
    if (bits == 1) { // binary: sign(w) * mean|w| per channel
        scales = rows.abs().mean(1);
        integers = torch::where(rows >= 0, 1, -1);
    } else {
        const double qmax = std::ldexp(1.0, bits - 1) - 1;
        scales = rows.abs().amax(1).clamp_min(1e-12) / qmax;
        integers = torch::round(rows / scales.unsqueeze(1)).clamp_(-qmax, qmax);
    }
    integers = integers.to(torch::kInt8).reshape(weight.sizes());
}

at::Tensor UniformQuantizer::quantizeWeight(const at::Tensor& weight, int bits) const
{
    torch::Tensor integers, scales;
    uniformIntegerWeight(weight, bits, integers, scales);
    std::vector<int64_t> shape(size_t(weight.dim()), 1);
    shape[0] = -1;
    return integers.to(weight.scalar_type()).mul_(scales.view(shape));
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
    const UniformGrid grid = uniformActivationGrid(bits, r);
    return torch::round(input / grid.scale).clamp_(grid.lo, grid.hi).mul_(grid.scale);
}

} // namespace quantscope
