#pragma once

#include "data/image_decoder.h"

#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace quantscope {

/// Height and width of an image, in pixels.
struct ImageSize {
    int height = 0;
    int width = 0;
    bool operator==(const ImageSize& other) const { return height == other.height && width == other.width; }
    std::string text() const; ///< "HxW"
};

/// torchvision's evaluation transform on PIL images, `Resize` then `CenterCrop` (`ToTensor` and
/// `Normalize` follow on whole batches; until then pixels stay 8-bit, as PIL's do):
/// - Resize(S): the shorter side to S, the longer to int(S * long / short); Resize((H, W)): both;
/// - CenterCrop((H, W)): the centre, offsets rounded half to even as Python's round(), zero-padded
///   where the crop is larger than the image.
struct ImagePreprocessing {
    int resizeShorter = 0; ///< Resize(int); 0: see resizeTo
    ImageSize resizeTo;    ///< Resize((H, W)); zero: no resize (unless resizeShorter)
    ImageSize crop;        ///< CenterCrop; zero: none

    bool resizes() const { return resizeShorter > 0 || resizeTo.height > 0; }
    bool crops() const { return crop.height > 0; }
    /// The size Resize gives an image of `input`'s size (`input` itself when there is no resize).
    ImageSize resized(ImageSize input) const;
    /// The size every image has after the transform, or nullopt when it depends on the image
    /// (no crop, and no resize to a fixed height and width).
    std::optional<ImageSize> fixedOutput() const;
    /// The output for an image of `input`'s size.
    ImageSize output(ImageSize input) const;
    /// As torchvision writes it, e.g. "Resize(256), CenterCrop(224)"; "none" without transforms.
    std::string describe() const;

    /// `--resize` text: "S" (the shorter side) or "HxW"; empty: none. ConfigError otherwise.
    static ImagePreprocessing parse(const std::string& resize, const std::string& crop);
    std::string resizeText() const; ///< parse()'s inverse; empty without resize
    std::string cropText() const;   ///< parse()'s inverse; empty without crop
};

/// Applies `transform` to `image`; writes output(image size) pixels channel-first (C x H x W) to
/// `out`, the layout networks read.
void preprocessImage(const DecodedImage& image, const ImagePreprocessing& transform, uint8_t* out);

/// Fine-tuning augmentation of image folders, as torchvision's training transform:
/// RandomResizedCrop(size, scale=(0.08, 1), ratio=(3/4, 4/3)) (ten tries at a random area and
/// aspect, else the centre at the nearest allowed aspect; the crop resized as Resize does), then
/// RandomHorizontalFlip(0.5) when `flip`. Draws from `rng`; writes C x H x W to `out`.
void randomResizedCrop(const DecodedImage& image, ImageSize size, bool flip, std::mt19937_64& rng, uint8_t* out);

} // namespace quantscope
