#pragma once

#include "common/error.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace quantscope {

/// The pixels a network is fed: PIL's "L" (one channel) or "RGB" (three).
enum class ColorMode { Gray, Rgb };

/// An 8-bit image in memory, rows top to bottom, channels interleaved (H x W x C).
struct DecodedImage {
    int width = 0;
    int height = 0;
    int channels = 0; ///< 1 (L) or 3 (RGB)
    std::vector<uint8_t> pixels;

    size_t bytes() const { return size_t(width) * size_t(height) * size_t(channels); }
};

/// A file that is not an image Quantscope can decode, or a damaged one: the message names it.
class ImageError : public DataError {
public:
    using DataError::DataError;
};

/// Width and height of an encoded image from its header alone (cheap: no pixel is decoded).
struct ImageHeader {
    int width = 0;
    int height = 0;
};

/// The largest image decoded, in pixels: PIL's decompression-bomb limit (2 x 89,478,485), so that
/// a hostile header cannot make a decoder allocate gigabytes.
constexpr int64_t kMaxImagePixels = 178956970;

/// Decodes an encoded image (JPEG, PNG, WebP, BMP, PGM/PPM; recognised by content, not by name) and
/// converts it as PIL's `Image.open(f).convert("L" or "RGB")` does, which is what torchvision's
/// ImageFolder loader feeds its transforms:
/// - JPEG through libjpeg-turbo's TurboJPEG (the decoder Debian's PIL uses; accurate integer DCT,
///   smooth chroma upsampling, so the pixels are PIL's exactly); CMYK JPEGs as PIL converts them;
/// - PNG through libspng: 16-bit samples as PIL reads them (RGB: the high byte; grey: clipped to
///   255), palettes expanded, alpha dropped without compositing, gamma ignored;
/// - WebP through libwebp (first frame only: animated files are refused);
/// - BMP and binary PGM/PPM through stb_image;
/// - RGB to L with ITU-R 601-2 luma in PIL's fixed point, L to RGB by replication.
/// `name` (the file's path) is put in every error message. Throws ImageError.
DecodedImage decodeImage(const uint8_t* data, size_t size, ColorMode mode, const std::string& name);
/// Reads and decodes the file at `path`. Throws ImageError naming it.
DecodedImage decodeImageFile(const std::string& path, ColorMode mode);
/// The size the header of the file at `path` declares. Throws ImageError naming it.
ImageHeader readImageHeader(const std::string& path);

/// Lower-case extensions (with the dot) of files an image folder takes, as torchvision's
/// IMG_EXTENSIONS: .jpg .jpeg .png .ppm .bmp .pgm .tif .tiff .webp. TIFF is listed so that a folder
/// indexes as torchvision's does, but decoding a TIFF fails with a message that says so.
const std::vector<std::string>& imageExtensions();

} // namespace quantscope
