#include "quant/hwgq_quantizer.h"

#include "quant/gaussian_steps.h"

#include <torch/torch.h>

namespace quantscope {

HwgqGrid hwgqActivationGrid(int bits, const ActivationRange& range)
{
    HwgqGrid grid;
    grid.halfWave = range.nonNegative;
    const double sd = range.gaussianSd();
    if (grid.halfWave) {
        grid.levels = std::ldexp(1.0, bits) - 1;
        grid.step = halfGaussianOptimalStep(bits) * sd;
    } else {
        grid.levels = std::ldexp(1.0, bits - 1) - 1;
        grid.step = gaussianMidRiseOptimalStep(bits) * sd;
    }
    return grid;
}

ActivationRange measureActivationRange(const at::Tensor& input)
{
    torch::NoGradGuard noGrad;
    ActivationRange r;
    r.maxAbs = input.abs().max().item<float>();
    r.nonNegative = input.min().item<float>() >= 0.0f;
    r.sumSquares = input.to(torch::kFloat64).square().sum().item<double>();
    r.count = double(input.numel());
    r.positiveCount = (input > 0).sum().item<double>();
    return r;
}

namespace {

ActivationRange usableRange(const at::Tensor& input, const ActivationRange& range)
{
    return range.count > 0 ? range : measureActivationRange(input);
}

} // namespace

at::Tensor HwgqQuantizer::quantizeWeight(const at::Tensor& weight, int bits) const
{
    torch::NoGradGuard noGrad;
    const torch::Tensor rows = weight.reshape({weight.size(0), -1});
    torch::Tensor q;
    if (bits == 1) {
        q = torch::where(rows >= 0, 1.0, -1.0).to(rows.scalar_type()) * rows.abs().mean(1, true);
    } else {
        const double half = std::ldexp(1.0, bits - 1);
        const torch::Tensor step =
            (rows.std(1, /*unbiased=*/false, /*keepdim=*/true) * gaussianMidRiseOptimalStep(bits)).clamp_min(1e-12);
        q = (torch::floor(rows / step).clamp_(-half, half - 1) + 0.5) * step;
    }
    return q.reshape(weight.sizes());
}

at::Tensor HwgqQuantizer::quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const
{
    torch::NoGradGuard noGrad;
    const HwgqGrid grid = hwgqActivationGrid(bits, usableRange(input, range));
    if (!(grid.step > 0))
        return input.clone(); // all zeros: nothing to scale
    if (grid.halfWave)
        return torch::where(input > 0, torch::round(input / grid.step).clamp_(1, grid.levels) * grid.step,
                            torch::zeros_like(input));
    return (torch::floor(input / grid.step).clamp_(-grid.levels - 1, grid.levels) + 0.5) * grid.step;
}

at::Tensor HwgqQuantizer::activationGradientMask(const at::Tensor& input, int bits, const ActivationRange& range) const
{
    torch::NoGradGuard noGrad;
    const HwgqGrid grid = hwgqActivationGrid(bits, usableRange(input, range));
    if (!(grid.step > 0))
        return {};
    const double top = grid.top();
    const torch::Tensor inside = grid.halfWave ? (input > 0).logical_and(input <= top) : input.abs() <= top;
    return inside.to(input.scalar_type());
}

} // namespace quantscope
