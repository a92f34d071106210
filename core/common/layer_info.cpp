#include "common/layer_info.h"

namespace quantscope {

std::string layerKindName(LayerKind kind)
{
    return kind == LayerKind::Conv2d ? "conv2d" : "linear";
}

} // namespace quantscope
