#pragma once

#include "data/decoded_image_cache.h"
#include "data/image_folder.h"
#include "data/image_source.h"
#include "data/image_transforms.h"

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <string>
#include <vector>

namespace quantscope {

/// What happens to an image that cannot be decoded: an error naming it (the default, so that a
/// damaged data set is noticed), or skipped with a warning naming it.
enum class BadImagePolicy { Fail, Skip };

/// How an image folder's files become the images a network reads.
struct ImageFolderReading {
    ImagePreprocessing transform;
    ColorMode color = ColorMode::Rgb;
    BadImagePolicy onBadImage = BadImagePolicy::Fail;
    int threads = 1; ///< decoding threads of streamed reads
    /// Without a fixed-size transform, the image whose size every other must have (so that all
    /// splits agree); empty: the index's first image.
    std::string sizeReference;
};

/// Images of an indexed image folder, decoded when read (through a shared cache of decoded
/// images when one is given) and preprocessed as `reading` says: nothing is held but the index,
/// so a folder of millions of images streams in bounded memory (BatchPrefetcher).
class ImageFolderSource : public ImageSource {
public:
    /// The images of `index` at `members`, in that order. The shape is the transform's fixed
    /// output, or without one the size of `reading.sizeReference` (every image must have it).
    /// Throws ImageError naming that image when its header cannot be read.
    ImageFolderSource(std::shared_ptr<const ImageFolderIndex> index, std::vector<uint32_t> members,
                      ImageFolderReading reading, std::shared_ptr<DecodedImageCache> cache = nullptr);

    size_t size() const override { return members_.size(); }
    ImageShape shape() const override { return shape_; }
    int classCount() const override { return int(index_->classes.size()); }
    int64_t label(size_t i) const override { return index_->labels[members_.at(i)]; }
    void read(size_t i, uint8_t* out) const override;
    void readAugmented(size_t i, const Augmentation& augmentation, uint64_t seed, uint8_t* out) const override;
    bool skipsBadImages() const override { return reading_.onBadImage == BadImagePolicy::Skip; }
    int readThreads() const override { return reading_.threads; }
    bool firstFailure(size_t i) const override;

    /// The file of image `i`.
    std::string path(size_t i) const { return index_->path(members_.at(i)); }
    const ImageFolderIndex& index() const { return *index_; }
    const ImageFolderReading& reading() const { return reading_; }
    /// The same images, the first `count` of them.
    std::shared_ptr<const ImageFolderSource> head(size_t count) const;

private:
    std::shared_ptr<const DecodedImage> decoded(size_t i) const;

    std::shared_ptr<const ImageFolderIndex> index_;
    std::vector<uint32_t> members_;
    ImageFolderReading reading_;
    std::shared_ptr<DecodedImageCache> cache_;
    ImageShape shape_;
    mutable std::mutex failedMutex_;
    mutable std::unordered_set<uint32_t> failed_; ///< index entries reported bad
};

} // namespace quantscope
