#include "quant/quantizer.h"

#include "common/error.h"
#include "quant/dsconv_quantizer.h"
#include "quant/uniform_quantizer.h"

namespace quantscope {

QuantizerKind parseQuantizerKind(const std::string& name)
{
    if (name == "dsconv" || name == "nuq")
        return QuantizerKind::DSConv;
    if (name == "uniform")
        return QuantizerKind::Uniform;
    throw ConfigError("unknown quantizer '" + name + "': expected dsconv or uniform");
}

std::string quantizerName(QuantizerKind kind)
{
    return kind == QuantizerKind::DSConv ? "dsconv" : "uniform";
}

std::unique_ptr<Quantizer> makeQuantizer(QuantizerKind kind)
{
    if (kind == QuantizerKind::DSConv)
        return std::make_unique<DsconvQuantizer>();
    return std::make_unique<UniformQuantizer>();
}

} // namespace quantscope
