#include "data/image_set.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

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

void ImageSet::read(size_t index, uint8_t* out) const
{
    const size_t bytes = imageBytes();
    std::memcpy(out, pixels.data() + index * bytes, bytes);
}

void ImageSet::readAugmented(size_t index, const Augmentation& augmentation, uint64_t seed, uint8_t* out) const
{
    std::mt19937_64 rng(seed);
    const int pad = augmentation.padCrop;
    std::uniform_int_distribution<int> offset(0, 2 * pad);
    const int dy = offset(rng) - pad, dx = offset(rng) - pad;
    const bool flip = augmentation.horizontalFlip && std::bernoulli_distribution(0.5)(rng);
    const uint8_t* image = pixels.data() + index * imageBytes();
    for (int c = 0; c < channels; ++c)
        for (int y = 0; y < height; ++y)
            for (int x = 0; x < width; ++x) {
                const int sy = y + dy, sx = (flip ? width - 1 - x : x) + dx;
                const bool inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
                out[(size_t(c) * size_t(height) + size_t(y)) * size_t(width) + size_t(x)] =
                    inside ? image[(size_t(c) * size_t(height) + size_t(sy)) * size_t(width) + size_t(sx)] : 0;
            }
}

} // namespace quantscope
