// Image files as an image folder holds them (JPEG, PNG, WebP, BMP, PGM/PPM, recognised by content):
// decoded to both colour modes, and the header read alone; the first byte picks a Resize and
// CenterCrop so that the transforms see every decoded shape too.
#include "data/image_decoder.h"
#include "data/image_transforms.h"

#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    using namespace quantscope;
    const int resize = 1 + data[0] % 16, crop = 1 + (data[0] >> 4);
    const ImagePreprocessing transform = ImagePreprocessing::parse(std::to_string(resize), std::to_string(crop));
    for (ColorMode mode : {ColorMode::Gray, ColorMode::Rgb}) {
        try {
            const DecodedImage image = decodeImage(data + 1, size - 1, mode, "fuzz");
            if (image.bytes() > (size_t(1) << 26))
                continue; // a large valid image: decoding it is the test, resizing it only takes time
            std::vector<uint8_t> out(size_t(image.channels) * size_t(crop) * size_t(crop));
            preprocessImage(image, transform, out.data());
        } catch (const ImageError&) {
        }
    }
    return 0;
}
