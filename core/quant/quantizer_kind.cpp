#include "quant/quantizer.h"

#include "common/error.h"

#include <cmath>

// The quantizers' names and properties, apart from makeQuantizer (whose quantizers are LibTorch
// code), so that spec validation links without LibTorch (tests/fuzz).
namespace quantscope {

QuantizerKind parseQuantizerKind(const std::string& name)
{
    if (name == "dsconv" || name == "nuq")
        return QuantizerKind::DSConv;
    if (name == "uniform")
        return QuantizerKind::Uniform;
    if (name == "hwgq")
        return QuantizerKind::Hwgq;
    if (name == "qn")
        return QuantizerKind::Qn;
    if (name == "qn-pow2")
        return QuantizerKind::QnPowerOfTwo;
    throw ConfigError("unknown quantizer '" + name + "': expected dsconv, uniform, hwgq, qn or qn-pow2");
}

std::string quantizerName(QuantizerKind kind)
{
    switch (kind) {
    case QuantizerKind::DSConv: return "dsconv";
    case QuantizerKind::Uniform: return "uniform";
    case QuantizerKind::Hwgq: return "hwgq";
    case QuantizerKind::Qn: return "qn";
    case QuantizerKind::QnPowerOfTwo: return "qn-pow2";
    }
    return "unknown";
}

std::string scaleOffsetObstacle(QuantizerKind kind)
{
    switch (kind) {
    case QuantizerKind::Uniform: return "";
    case QuantizerKind::DSConv:
        return "DSConv's per-block weight scales and block-floating-point activations have no scale/offset form";
    case QuantizerKind::Hwgq:
        return "HWGQ maps small positive activations to its first level and negative ones to 0, which no "
               "scale/offset quantizer does";
    case QuantizerKind::Qn:
    case QuantizerKind::QnPowerOfTwo:
        return "Quantization Networks' thresholds come from k-means of the weights, not a uniform grid";
    }
    return "unknown quantizer";
}

double ActivationRange::gaussianSd() const
{
    const double n = nonNegative ? positiveCount : count;
    return n > 0 ? std::sqrt(sumSquares / n) : 0.0;
}

} // namespace quantscope
