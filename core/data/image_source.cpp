#include "data/image_source.h"

namespace quantscope {

std::string ImageShape::text() const
{
    return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
}

} // namespace quantscope
