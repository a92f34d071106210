#include "data/image_set.h"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace quantscope {

ImageSet ImageSet::select(const std::vector<size_t>& indices) const
{
    ImageSet out;
    out.channels = channels;
    out.height = height;
    out.width = width;
    const size_t bytes = imageBytes();
    out.pixels.resize(indices.size() * bytes);
    out.labels.reserve(indices.size());
    for (size_t k = 0; k < indices.size(); ++k) {
        const size_t i = indices[k];
        std::memcpy(out.pixels.data() + k * bytes, pixels.data() + i * bytes, bytes);
        out.labels.push_back(labels.at(i));
    }
    return out;
}

ImageSet ImageSet::head(size_t count) const
{
    std::vector<size_t> indices(std::min(count, size()));
    std::iota(indices.begin(), indices.end(), size_t{0});
    return select(indices);
}

int ImageSet::classCount() const
{
    if (labels.empty())
        return 0;
    return int(*std::max_element(labels.begin(), labels.end())) + 1;
}

} // namespace quantscope
