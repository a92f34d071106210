#include "synthetic_images.h"

#include <random>

namespace quantscope::test {

ImageSet syntheticImages(int perClass, uint64_t seed)
{
    ImageSet set;
    set.channels = 1;
    set.height = 28;
    set.width = 28;
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> noise(0, 60);
    std::uniform_int_distribution<int> jitter(-1, 1);
    for (int i = 0; i < perClass * 10; ++i) {
        const int label = i % 10;
        const int top = 3 + (label / 4) * 8 + jitter(rng);
        const int left = 2 + (label % 4) * 6 + jitter(rng);
        for (int y = 0; y < 28; ++y) {
            for (int x = 0; x < 28; ++x) {
                const bool inside = y >= top && y < top + 6 && x >= left && x < left + 6;
                set.pixels.push_back(uint8_t(inside ? 255 - noise(rng) : noise(rng)));
            }
        }
        set.labels.push_back(label);
    }
    return set;
}

} // namespace quantscope::test
