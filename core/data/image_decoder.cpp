#include "data/image_decoder.h"

#include <spng.h>
#include <stb_image.h>
#include <turbojpeg.h>
#include <webp/decode.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>

namespace quantscope {

namespace {

enum class Format { Jpeg, Png, WebP, StbImage, Tiff, Gif, AsciiPnm, Unknown };

Format sniff(const uint8_t* d, size_t n)
{
    auto starts = [&](const char* magic, size_t len, size_t at = 0) {
        return n >= at + len && std::memcmp(d + at, magic, len) == 0;
    };
    if (starts("\xFF\xD8\xFF", 3))
        return Format::Jpeg;
    if (starts("\x89PNG\r\n\x1A\n", 8))
        return Format::Png;
    if (starts("RIFF", 4) && starts("WEBP", 4, 8))
        return Format::WebP;
    if (starts("BM", 2) || starts("P5", 2) || starts("P6", 2))
        return Format::StbImage;
    if (starts("II*\0", 4) || starts("MM\0*", 4))
        return Format::Tiff;
    if (starts("GIF8", 4))
        return Format::Gif;
    if (starts("P2", 2) || starts("P3", 2))
        return Format::AsciiPnm;
    return Format::Unknown;
}

[[noreturn]] void fail(const std::string& name, const std::string& why)
{
    throw ImageError(name + ": " + why);
}

void requireSize(int64_t width, int64_t height, const std::string& name)
{
    if (width <= 0 || height <= 0)
        fail(name, "the image has no pixels (" + std::to_string(width) + "x" + std::to_string(height) + ")");
    if (width * height > kMaxImagePixels)
        fail(name,
             "the image is " + std::to_string(width) + "x" + std::to_string(height) + " pixels, more than the "
                 + std::to_string(kMaxImagePixels) + " Quantscope decodes");
}

/// PIL's "L" from "RGB": ITU-R 601-2 luma in 16-bit fixed point, rounded.
uint8_t luma(const uint8_t* rgb)
{
    return uint8_t((rgb[0] * 19595u + rgb[1] * 38470u + rgb[2] * 7471u + 0x8000u) >> 16);
}

/// `count` pixels of `from` interleaved channels (the first three RGB, or the first grey) to the mode.
void convertPixels(const uint8_t* in, int from, size_t count, ColorMode mode, uint8_t* out)
{
    if (mode == ColorMode::Gray) {
        for (size_t i = 0; i < count; ++i, in += from)
            out[i] = from >= 3 ? luma(in) : in[0];
    } else {
        for (size_t i = 0; i < count; ++i, in += from, out += 3) {
            if (from >= 3) {
                out[0] = in[0], out[1] = in[1], out[2] = in[2];
            } else {
                out[0] = out[1] = out[2] = in[0];
            }
        }
    }
}

DecodedImage converted(int width, int height, const uint8_t* in, int from, ColorMode mode)
{
    DecodedImage image{width, height, mode == ColorMode::Gray ? 1 : 3, {}};
    image.pixels.resize(image.bytes());
    convertPixels(in, from, size_t(width) * size_t(height), mode, image.pixels.data());
    return image;
}

// ---- JPEG ----------------------------------------------------------------------------------

struct TurboJpegHandle {
    tjhandle handle = tjInitDecompress();
    ~TurboJpegHandle()
    {
        if (handle)
            tjDestroy(handle);
    }
};

tjhandle turboJpeg()
{
    thread_local TurboJpegHandle decompressor; // one per thread: handles are not thread-safe
    if (!decompressor.handle)
        throw ImageError(std::string("cannot start the JPEG decoder: ") + tjGetErrorStr2(nullptr));
    return decompressor.handle;
}

/// PIL reads CMYK JPEGs as Adobe writes them (inverted, rawmode "CMYK;I") and converts to RGB by
/// scaling each of C, M, Y by the key's complement.
uint8_t cmykChannel(uint8_t inverted, uint8_t invertedKey)
{
    const int c = 255 - inverted;
    const int nk = invertedKey; // 255 - k where k = 255 - invertedKey
    const int t = c * nk + 128;
    return uint8_t(std::clamp(nk - (((t >> 8) + t) >> 8), 0, 255));
}

/// The size and colour space of a JPEG; nullopt when its header cannot be read. libjpeg's
/// warnings (an unknown JFIF revision, a bogus ICC profile) are no reason: PIL opens such files.
std::optional<ImageHeader> jpegHeader(const uint8_t* data, size_t size, int* colorspace = nullptr)
{
    int width = 0, height = 0, subsampling = 0, space = 0;
    if (tjDecompressHeader3(turboJpeg(), data, static_cast<unsigned long>(size), &width, &height, &subsampling, &space)
            != 0
        && (tjGetErrorCode(turboJpeg()) != TJERR_WARNING || width <= 0 || height <= 0))
        return std::nullopt;
    if (colorspace)
        *colorspace = space;
    return ImageHeader{width, height};
}

bool truncatedJpeg(const std::string& why)
{
    return why.find("Premature end") != std::string::npos;
}

DecodedImage decodeJpeg(const uint8_t* data, size_t size, ColorMode mode, const std::string& name)
{
    int space = 0;
    const std::optional<ImageHeader> read = jpegHeader(data, size, &space);
    if (!read)
        fail(name, std::string("damaged JPEG header (") + tjGetErrorStr2(turboJpeg()) + ")");
    const ImageHeader header = *read;
    requireSize(header.width, header.height, name);
    const bool cmyk = space == TJCS_CMYK || space == TJCS_YCCK;
    const bool gray = space == TJCS_GRAY;
    const int format = cmyk ? TJPF_CMYK : gray ? TJPF_GRAY : TJPF_RGB;
    const int channels = cmyk ? 4 : gray ? 1 : 3;
    const size_t pixels = size_t(header.width) * size_t(header.height);
    const bool direct = (gray && mode == ColorMode::Gray) || (!gray && !cmyk && mode == ColorMode::Rgb);
    std::vector<uint8_t> raw(direct ? 0 : pixels * size_t(channels));
    DecodedImage image{header.width, header.height, mode == ColorMode::Gray ? 1 : 3, {}};
    image.pixels.resize(image.bytes());
    uint8_t* target = direct ? image.pixels.data() : raw.data();
    // The accurate integer DCT and smooth upsampling are TurboJPEG's defaults and libjpeg's, which
    // PIL uses. libjpeg warns about damage it decodes past (extraneous bytes before a marker), and
    // PIL accepts such files; a file that ends early PIL refuses ("image file is truncated"). The
    // first try stops at the first warning, so that a small file claiming a huge image is refused
    // at once instead of after decoding gigapixels of nothing; only another warning decodes again.
    const auto decode = [&](int flags) {
        return tjDecompress2(turboJpeg(), data, static_cast<unsigned long>(size), target, header.width, 0,
                             header.height, format, flags)
            == 0;
    };
    if (!decode(TJFLAG_STOPONWARNING)) {
        const std::string why = tjGetErrorStr2(turboJpeg());
        if (tjGetErrorCode(turboJpeg()) != TJERR_WARNING || truncatedJpeg(why))
            fail(name, "damaged JPEG data (" + why + ")");
        if (!decode(0) && (tjGetErrorCode(turboJpeg()) != TJERR_WARNING || truncatedJpeg(tjGetErrorStr2(turboJpeg()))))
            fail(name, std::string("damaged JPEG data (") + tjGetErrorStr2(turboJpeg()) + ")");
    }
    if (direct)
        return image;
    if (cmyk) {
        std::vector<uint8_t> rgb(pixels * 3);
        for (size_t i = 0; i < pixels; ++i)
            for (int c = 0; c < 3; ++c)
                rgb[i * 3 + size_t(c)] = cmykChannel(raw[i * 4 + size_t(c)], raw[i * 4 + 3]);
        convertPixels(rgb.data(), 3, pixels, mode, image.pixels.data());
    } else {
        convertPixels(raw.data(), channels, pixels, mode, image.pixels.data());
    }
    return image;
}

// ---- PNG -----------------------------------------------------------------------------------

struct SpngContext {
    spng_ctx* ctx = spng_ctx_new(0);
    ~SpngContext() { spng_ctx_free(ctx); }
};

void spngCheck(int code, const std::string& name)
{
    if (code != 0)
        fail(name, std::string("damaged PNG (") + spng_strerror(code) + ")");
}

spng_ihdr pngHeader(SpngContext& png, const uint8_t* data, size_t size, const std::string& name)
{
    if (!png.ctx)
        fail(name, "cannot start the PNG decoder");
    spngCheck(spng_set_png_buffer(png.ctx, data, size), name);
    spng_ihdr ihdr{};
    spngCheck(spng_get_ihdr(png.ctx, &ihdr), name);
    return ihdr;
}

DecodedImage decodePng(const uint8_t* data, size_t size, ColorMode mode, const std::string& name)
{
    SpngContext png;
    const spng_ihdr ihdr = pngHeader(png, data, size, name);
    requireSize(ihdr.width, ihdr.height, name);
    const int width = int(ihdr.width), height = int(ihdr.height);
    const size_t pixels = size_t(width) * size_t(height);
    const bool gray = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE;
    const bool grayAlpha = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
    if (ihdr.bit_depth == 16) {
        // PIL reads 16-bit RGB(A) and LA by their high bytes, and 16-bit grey as 32-bit integers
        // that "L" and "RGB" clip to 255.
        const int channels = gray ? 1 : grayAlpha ? 2 : ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR ? 3 : 4;
        std::vector<uint16_t> wide(pixels * size_t(channels));
        spngCheck(spng_decode_image(png.ctx, wide.data(), wide.size() * 2, SPNG_FMT_PNG, 0), name);
        // Narrowed in place (byte i is written after sample i, at byte 2i, was read): no third buffer.
        auto* narrow = reinterpret_cast<uint8_t*>(wide.data());
        for (size_t i = 0; i < wide.size(); ++i)
            narrow[i] = gray ? uint8_t(std::min<uint16_t>(wide[i], 255)) : uint8_t(wide[i] >> 8);
        return converted(width, height, narrow, channels, mode);
    }
    // libspng converts only to G8 from grey, so 8-bit grey+alpha comes in its own layout.
    const int format = gray                                  ? SPNG_FMT_G8
        : grayAlpha                                          ? SPNG_FMT_PNG
        : ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR_ALPHA ? SPNG_FMT_RGBA8
                                                             : SPNG_FMT_RGB8; // truecolor, palette
    const int channels = gray ? 1 : grayAlpha ? 2 : format == SPNG_FMT_RGBA8 ? 4 : 3;
    std::vector<uint8_t> raw(pixels * size_t(channels));
    spngCheck(spng_decode_image(png.ctx, raw.data(), raw.size(), format, 0), name);
    if ((channels == 1 && mode == ColorMode::Gray) || (channels == 3 && mode == ColorMode::Rgb))
        return DecodedImage{width, height, channels, std::move(raw)};
    return converted(width, height, raw.data(), channels, mode);
}

// ---- WebP, BMP, PNM ------------------------------------------------------------------------

DecodedImage decodeWebP(const uint8_t* data, size_t size, ColorMode mode, const std::string& name)
{
    WebPBitstreamFeatures features{};
    if (WebPGetFeatures(data, size, &features) != VP8_STATUS_OK)
        fail(name, "damaged WebP header");
    if (features.has_animation)
        fail(name, "animated WebP images are not supported: save the frame you want as a still image");
    requireSize(features.width, features.height, name);
    const int channels = features.has_alpha ? 4 : 3;
    std::vector<uint8_t> raw(size_t(features.width) * size_t(features.height) * size_t(channels));
    const int stride = features.width * channels;
    uint8_t* decoded = features.has_alpha ? WebPDecodeRGBAInto(data, size, raw.data(), raw.size(), stride)
                                          : WebPDecodeRGBInto(data, size, raw.data(), raw.size(), stride);
    if (!decoded)
        fail(name, "damaged WebP data");
    if (channels == 3 && mode == ColorMode::Rgb)
        return DecodedImage{features.width, features.height, 3, std::move(raw)};
    return converted(features.width, features.height, raw.data(), channels, mode);
}

DecodedImage decodeWithStb(const uint8_t* data, size_t size, ColorMode mode, const std::string& name)
{
    const int length = int(std::min<size_t>(size, size_t(std::numeric_limits<int>::max())));
    int width = 0, height = 0, channels = 0;
    if (!stbi_info_from_memory(data, length, &width, &height, &channels))
        fail(name, std::string("damaged or unsupported BMP/PNM image (") + stbi_failure_reason() + ")");
    requireSize(width, height, name);
    // Uncompressed formats: at least a bit a pixel (1-bit BMP), so a short file claiming a huge
    // image is refused before stb allocates and fills it.
    if (uint64_t(size) * 8 < uint64_t(width) * uint64_t(height))
        fail(name,
             "truncated: the header declares " + std::to_string(width) + "x" + std::to_string(height)
                 + " pixels in a file of " + std::to_string(size) + " bytes");
    if (data[0] == 'P') { // PNM: stb reads 8-bit samples as they are, PIL scales them to maxval 255
        int number = 0, fields = 0;
        size_t at = 2;
        while (fields < 3 && at < size) {
            if (data[at] == '#') {
                while (at < size && data[at] != '\n')
                    ++at;
            } else if (std::isdigit(data[at])) {
                number = 0;
                while (at < size && std::isdigit(data[at]) && number < 1000000)
                    number = number * 10 + (data[at++] - '0');
                ++fields;
                continue;
            }
            ++at;
        }
        if (fields == 3 && number != 255)
            fail(name,
                 "PGM/PPM with maximum value " + std::to_string(number)
                     + " is not supported (only 255): save it as PNG");
    }
    std::unique_ptr<stbi_uc, void (*)(void*)> raw(stbi_load_from_memory(data, length, &width, &height, &channels, 0),
                                                  stbi_image_free);
    if (!raw)
        fail(name, std::string("damaged or unsupported BMP/PNM image (") + stbi_failure_reason() + ")");
    // stb gives grey, grey+alpha, RGB or RGBA; PIL drops the alpha channel the same way.
    return converted(width, height, raw.get(), channels, mode);
}

/// No image file is larger: the largest image decoded, uncompressed with an alpha channel.
constexpr uint64_t kMaxFileBytes = uint64_t(kMaxImagePixels) * 4 + (uint64_t(1) << 20);

std::vector<uint8_t> readFile(const std::string& path, size_t limit = 0)
{
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!file)
        fail(path, std::string("cannot open (") + std::strerror(errno) + ")");
    std::vector<uint8_t> bytes;
    if (std::fseek(file.get(), 0, SEEK_END) == 0) {
        const long length = std::ftell(file.get());
        if (length > 0 && uint64_t(length) > kMaxFileBytes && limit == 0)
            fail(path, "the file is " + std::to_string(length) + " bytes, larger than any image Quantscope decodes");
        if (length > 0)
            bytes.reserve(limit > 0 ? std::min(limit, size_t(length)) : size_t(length));
        std::rewind(file.get());
    }
    uint8_t chunk[1 << 16];
    while (limit == 0 || bytes.size() < limit) {
        const size_t want = limit > 0 ? std::min(sizeof chunk, limit - bytes.size()) : sizeof chunk;
        const size_t got = std::fread(chunk, 1, want, file.get());
        bytes.insert(bytes.end(), chunk, chunk + got);
        if (got < want)
            break;
    }
    if (std::ferror(file.get()))
        fail(path, std::string("cannot read (") + std::strerror(errno) + ")");
    return bytes;
}

[[noreturn]] void unsupported(Format format, const std::string& name)
{
    switch (format) {
    case Format::Tiff: fail(name, "TIFF images are not supported: convert them to PNG");
    case Format::Gif: fail(name, "GIF images are not supported: convert them to PNG");
    case Format::AsciiPnm: fail(name, "text (ASCII) PGM/PPM images are not supported: save them as binary PNM or PNG");
    default: fail(name, "not an image Quantscope can read (JPEG, PNG, WebP, BMP, binary PGM/PPM)");
    }
}

std::optional<ImageHeader> headerOf(const std::vector<uint8_t>& bytes, const std::string& path)
{
    const Format format = sniff(bytes.data(), bytes.size());
    switch (format) {
    case Format::Jpeg: return jpegHeader(bytes.data(), bytes.size());
    case Format::Png: {
        SpngContext png;
        const spng_ihdr ihdr = pngHeader(png, bytes.data(), bytes.size(), path);
        return ImageHeader{int(ihdr.width), int(ihdr.height)};
    }
    case Format::WebP: {
        int width = 0, height = 0;
        if (!WebPGetInfo(bytes.data(), bytes.size(), &width, &height))
            return std::nullopt;
        return ImageHeader{width, height};
    }
    case Format::StbImage: {
        int width = 0, height = 0, channels = 0;
        if (!stbi_info_from_memory(bytes.data(), int(bytes.size()), &width, &height, &channels))
            return std::nullopt;
        return ImageHeader{width, height};
    }
    default: unsupported(format, path);
    }
}

} // namespace

DecodedImage decodeImage(const uint8_t* data, size_t size, ColorMode mode, const std::string& name)
{
    const Format format = sniff(data, size);
    switch (format) {
    case Format::Jpeg: return decodeJpeg(data, size, mode, name);
    case Format::Png: return decodePng(data, size, mode, name);
    case Format::WebP: return decodeWebP(data, size, mode, name);
    case Format::StbImage: return decodeWithStb(data, size, mode, name);
    default:
        if (size == 0)
            fail(name, "the file is empty");
        unsupported(format, name);
    }
}

DecodedImage decodeImageFile(const std::string& path, ColorMode mode)
{
    const std::vector<uint8_t> bytes = readFile(path);
    return decodeImage(bytes.data(), bytes.size(), mode, path);
}

ImageHeader readImageHeader(const std::string& path)
{
    // Headers sit at the start (a JPEG's after its EXIF block, at most 64 KB); read more only if needed.
    constexpr size_t kHeaderBytes = 1 << 17;
    std::vector<uint8_t> bytes = readFile(path, kHeaderBytes);
    if (bytes.empty())
        fail(path, "the file is empty");
    std::optional<ImageHeader> header = headerOf(bytes, path);
    if (!header && bytes.size() == kHeaderBytes) {
        bytes = readFile(path);
        header = headerOf(bytes, path);
    }
    if (!header)
        fail(path, "damaged image header");
    requireSize(header->width, header->height, path);
    return *header;
}

const std::vector<std::string>& imageExtensions()
{
    static const std::vector<std::string> extensions = {".jpg", ".jpeg", ".png",  ".ppm", ".bmp",
                                                        ".pgm", ".tif",  ".tiff", ".webp"};
    return extensions;
}

} // namespace quantscope
