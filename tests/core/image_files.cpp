#include "image_files.h"

#include <spng.h>
#include <turbojpeg.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <stdexcept>

namespace quantscope::test {

void writePng(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels)
{
    spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
    spng_ihdr ihdr{};
    ihdr.width = uint32_t(width);
    ihdr.height = uint32_t(height);
    ihdr.bit_depth = 8;
    ihdr.color_type = channels == 1 ? SPNG_COLOR_TYPE_GRAYSCALE : SPNG_COLOR_TYPE_TRUECOLOR;
    spng_set_ihdr(ctx, &ihdr);
    int error = spng_encode_image(ctx, pixels.data(), pixels.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
    size_t size = 0;
    void* png = error == 0 ? spng_get_png_buffer(ctx, &size, &error) : nullptr;
    spng_ctx_free(ctx);
    if (!png)
        throw std::runtime_error("cannot encode " + path + ": " + spng_strerror(error));
    const auto* bytes = static_cast<const uint8_t*>(png);
    writeBytes(path, std::vector<uint8_t>(bytes, bytes + size));
    std::free(png);
}

void writeJpeg(const std::string& path, int width, int height, int channels, const std::vector<uint8_t>& pixels,
               int quality)
{
    tjhandle handle = tjInitCompress();
    unsigned char* jpeg = nullptr;
    unsigned long size = 0;
    const int format = channels == 1 ? TJPF_GRAY : TJPF_RGB;
    const int sampling = channels == 1 ? TJSAMP_GRAY : TJSAMP_420;
    const int error = tjCompress2(handle, pixels.data(), width, 0, height, format, &jpeg, &size, sampling, quality, 0);
    tjDestroy(handle);
    if (error != 0)
        throw std::runtime_error("cannot encode " + path);
    writeBytes(path, std::vector<uint8_t>(jpeg, jpeg + size));
    tjFree(jpeg);
}

std::vector<uint8_t> testPattern(int width, int height, int channels, uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> phase(0, 6.28);
    std::vector<double> p(size_t(channels) * 2);
    for (double& v : p)
        v = phase(rng);
    std::vector<uint8_t> pixels(size_t(width) * size_t(height) * size_t(channels));
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            for (int c = 0; c < channels; ++c)
                pixels[(size_t(y) * size_t(width) + size_t(x)) * size_t(channels) + size_t(c)] = uint8_t(
                    127.5 + 120 * std::sin(0.11 * x + p[size_t(2 * c)]) * std::cos(0.07 * y + p[size_t(2 * c + 1)]));
    return pixels;
}

} // namespace quantscope::test
