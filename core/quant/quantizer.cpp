#include "quant/quantizer.h"

#include "quant/dsconv_quantizer.h"
#include "quant/hwgq_quantizer.h"
#include "quant/qn_quantizer.h"
#include "quant/uniform_quantizer.h"

#include <torch/torch.h>

namespace quantscope {

at::Tensor Quantizer::activationGradientMask(const at::Tensor&, int, const ActivationRange&) const
{
    return {}; // straight through
}

std::unique_ptr<Quantizer> makeQuantizer(QuantizerKind kind)
{
    if (kind == QuantizerKind::DSConv)
        return std::make_unique<DsconvQuantizer>();
    if (kind == QuantizerKind::Hwgq)
        return std::make_unique<HwgqQuantizer>();
    if (kind == QuantizerKind::Qn || kind == QuantizerKind::QnPowerOfTwo)
        return std::make_unique<QnQuantizer>(kind == QuantizerKind::QnPowerOfTwo);
    return std::make_unique<UniformQuantizer>();
}

} // namespace quantscope
