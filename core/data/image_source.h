#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace quantscope {

struct ImageSet;

/// Channels, height and width of the images a source gives (what a network is fed).
struct ImageShape {
    int channels = 0;
    int height = 0;
    int width = 0;

    size_t bytes() const { return size_t(channels) * size_t(height) * size_t(width); }
    std::string text() const; ///< "CxHxW"
    bool operator==(const ImageShape& other) const
    {
        return channels == other.channels && height == other.height && width == other.width;
    }
    bool operator!=(const ImageShape& other) const { return !(*this == other); }
};

/// Training-time augmentation suited to a data set.
struct Augmentation {
    int padCrop = 0; ///< zero-pad by this many pixels, then crop back at a random offset
    bool horizontalFlip = false;
    /// Image folders: torchvision's RandomResizedCrop to the image shape, from the decoded image
    /// (docs/data.md); padCrop does not apply then.
    bool randomResizedCrop = false;

    bool any() const { return padCrop > 0 || horizontalFlip || randomResizedCrop; }
};

/// Labelled 8-bit images of one shape, read by index: a set held in memory (ImageSet) or an image
/// folder decoded on demand (ImageFolderSource). Reads are thread-safe, so that worker threads
/// can decode ahead of the network (BatchPrefetcher).
class ImageSource {
public:
    virtual ~ImageSource() = default;

    virtual size_t size() const = 0;
    virtual ImageShape shape() const = 0;
    /// The classes the labels index (a folder's class folders; an in-memory set's largest label + 1).
    virtual int classCount() const = 0;
    virtual int64_t label(size_t index) const = 0;
    /// Image `index` as C x H x W bytes into `out` (shape().bytes()). Throws ImageError naming the
    /// file when it cannot be decoded.
    virtual void read(size_t index, uint8_t* out) const = 0;
    /// Image `index` augmented as `augmentation` says, drawn from a generator seeded by `seed` (so
    /// that the result does not depend on which thread reads it).
    virtual void readAugmented(size_t index, const Augmentation& augmentation, uint64_t seed, uint8_t* out) const = 0;
    /// The whole set when it is held in memory (reading is a copy), else null: callers take the
    /// zero-copy path then.
    virtual const ImageSet* inMemory() const { return nullptr; }
    /// Whether a bad image is skipped (reported, left out of its batch) rather than an error.
    virtual bool skipsBadImages() const { return false; }
    /// Threads that should read ahead of the network (0: reading is cheap, none needed).
    virtual int readThreads() const { return 0; }
    /// True the first time image `index` is reported bad, so that a skipped image is named once
    /// and not at every epoch. Thread-safe.
    virtual bool firstFailure(size_t /*index*/) const { return true; }
};

} // namespace quantscope
