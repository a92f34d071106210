#include "quant/dsconv_quantizer.h"

#include <torch/torch.h>

namespace quantscope {
namespace {

int64_t ceilDiv(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/// Moves the channel axis (dim 1) last and pads it to whole blocks: (rest..., blocks, kBlockSize).
torch::Tensor toBlocks(const torch::Tensor& weight, int64_t& paddedChannels)
{
    const int64_t in = weight.size(1);
    torch::Tensor w = weight.dim() == 4 ? weight.permute({0, 2, 3, 1}) : weight; // (O, kh, kw, I) or (O, I)
    paddedChannels = ceilDiv(in, DsconvQuantizer::kBlockSize) * DsconvQuantizer::kBlockSize;
    if (paddedChannels != in) {
        std::vector<int64_t> pad(2 * size_t(w.dim()), 0); // pad the last axis on the right
        pad[1] = paddedChannels - in;
        w = torch::constant_pad_nd(w, pad, 0.0);
    }
    auto shape = w.sizes().vec();
    shape.back() = paddedChannels / DsconvQuantizer::kBlockSize;
    shape.push_back(DsconvQuantizer::kBlockSize);
    return w.reshape(shape);
}

torch::Tensor fromBlocks(const torch::Tensor& blocks, const torch::Tensor& like, int64_t paddedChannels)
{
    auto shape = blocks.sizes().vec();
    shape.pop_back();
    shape.back() = paddedChannels;
    torch::Tensor w = blocks.reshape(shape).narrow(-1, 0, like.size(1));
    return like.dim() == 4 ? w.permute({0, 3, 1, 2}).contiguous() : w.contiguous();
}

/// One shared exponent per block of 32 channels at each position: the channel axis is dim 1.
torch::Tensor blockMaxAbs(const torch::Tensor& x)
{
    const int64_t channels = x.size(1);
    const torch::Tensor magnitude = x.abs();
    if (channels <= DsconvQuantizer::kBlockSize)
        return magnitude.amax({1}, /*keepdim=*/true);
    const int64_t blocks = ceilDiv(channels, DsconvQuantizer::kBlockSize);
    torch::Tensor padded = magnitude;
    if (blocks * DsconvQuantizer::kBlockSize != channels) {
        std::vector<int64_t> pad(2 * size_t(x.dim()), 0);
        // constant_pad_nd lists pads from the last axis backwards; the channel axis is dim 1.
        pad[2 * size_t(x.dim() - 2) + 1] = blocks * DsconvQuantizer::kBlockSize - channels;
        padded = torch::constant_pad_nd(magnitude, pad, 0.0);
    }
    auto shape = padded.sizes().vec();
    shape[1] = DsconvQuantizer::kBlockSize;
    shape.insert(shape.begin() + 1, blocks);
    torch::Tensor maxima = padded.reshape(shape).amax({2}, /*keepdim=*/true); // (N, blocks, 1, ...)
    auto expanded = maxima.sizes().vec();
    expanded[2] = DsconvQuantizer::kBlockSize;
    auto merged = x.sizes().vec();
    merged[1] = blocks * DsconvQuantizer::kBlockSize;
    return maxima.expand(expanded).reshape(merged).narrow(1, 0, channels);
}

} // namespace

at::Tensor DsconvQuantizer::quantizeWeight(const at::Tensor& weight, int bits) const
{
    torch::NoGradGuard noGrad;
    int64_t padded = 0;
    const torch::Tensor w = toBlocks(weight, padded);
    torch::Tensor q;
    if (bits == 1) {
        // Padding channels must stay 0 so that they do not enter the scale.
        int64_t unused = 0;
        const torch::Tensor real = toBlocks(torch::ones_like(weight), unused);
        q = torch::where(w >= 0, real, -real);
    } else {
        const double levels = std::ldexp(1.0, bits - 1);
        const torch::Tensor m = w.abs().amax({-1}, true).clamp_min(1e-12);
        q = torch::round(w * levels / m).clamp_(-levels, levels - 1);
    }
    // Least-squares scale per block; padded zeros add nothing to either sum.
    const torch::Tensor scale = (w * q).sum(-1, true) / (q * q).sum(-1, true).clamp_min(1e-12);
    return fromBlocks(q * scale, weight, padded);
}

at::Tensor DsconvQuantizer::quantizeActivation(const at::Tensor& input, int bits, const ActivationRange&) const
{
    torch::NoGradGuard noGrad;
    const bool nonNegative = input.min().item<float>() >= 0.0f;
    // Shared exponent e with max < 2^e (frexp's convention); the step leaves b mantissa bits.
    const torch::Tensor exponent = torch::floor(torch::log2(blockMaxAbs(input).clamp_min(1e-30))) + 1;
    const int mantissaShift = nonNegative ? bits : bits - 1;
    const torch::Tensor step = torch::exp2(exponent - mantissaShift);
    const double lo = nonNegative ? 0.0 : -std::ldexp(1.0, bits - 1);
    const double hi = nonNegative ? std::ldexp(1.0, bits) - 1 : std::ldexp(1.0, bits - 1) - 1;
    return torch::round(input / step).clamp_(lo, hi).mul_(step);
}

int64_t DsconvQuantizer::weightScaleCount(const LayerInfo& layer) const
{
    return layer.outputChannels() * layer.kernelArea() * ceilDiv(layer.inputChannelsPerGroup(), kBlockSize);
}

} // namespace quantscope
