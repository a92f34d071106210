#include "data/image_folder_source.h"

#include "common/error.h"

#include <random>

namespace quantscope {

ImageFolderSource::ImageFolderSource(std::shared_ptr<const ImageFolderIndex> index, std::vector<uint32_t> members,
                                     ImageFolderReading reading, std::shared_ptr<DecodedImageCache> cache) :
    index_(std::move(index)),
    members_(std::move(members)), reading_(std::move(reading)), cache_(std::move(cache))
{
    shape_.channels = reading_.color == ColorMode::Gray ? 1 : 3;
    if (const std::optional<ImageSize> fixed = reading_.transform.fixedOutput()) {
        shape_.height = fixed->height;
        shape_.width = fixed->width;
    } else if (index_->size() > 0) {
        if (reading_.sizeReference.empty())
            reading_.sizeReference = index_->path(0);
        const ImageHeader first = readImageHeader(reading_.sizeReference);
        const ImageSize size = reading_.transform.output({first.height, first.width});
        shape_.height = size.height;
        shape_.width = size.width;
    }
    if (int64_t(shape_.height) * shape_.width > kMaxImagePixels)
        throw DataError(reading_.sizeReference + " becomes " + std::to_string(shape_.height) + "x"
                        + std::to_string(shape_.width) + " after " + reading_.transform.describe()
                        + ", more pixels than Quantscope decodes");
}

std::shared_ptr<const DecodedImage> ImageFolderSource::decoded(size_t i) const
{
    const DecodedImageCache::Key key{index_.get(), members_.at(i)};
    if (cache_) {
        if (std::shared_ptr<const DecodedImage> image = cache_->find(key))
            return image;
    }
    auto image = std::make_shared<const DecodedImage>(decodeImageFile(path(i), reading_.color));
    if (cache_)
        cache_->insert(key, image);
    return image;
}

void ImageFolderSource::read(size_t i, uint8_t* out) const
{
    const std::shared_ptr<const DecodedImage> image = decoded(i);
    const ImageSize size = reading_.transform.output({image->height, image->width});
    if (size.height != shape_.height || size.width != shape_.width) {
        const std::string shapeText = std::to_string(shape_.height) + "x" + std::to_string(shape_.width);
        if (!reading_.transform.resizes())
            throw DataError(path(i) + " is " + ImageSize{image->height, image->width}.text() + " (HxW) but "
                            + reading_.sizeReference + " is " + shapeText
                            + ": images of mixed sizes need --resize and --crop to bring them to one size");
        throw DataError(path(i) + " becomes " + size.text() + " (HxW) after " + reading_.transform.describe() + " but "
                        + reading_.sizeReference + " becomes " + shapeText
                        + ": images of different aspect ratios need --crop too");
    }
    preprocessImage(*image, reading_.transform, out);
}

void ImageFolderSource::readAugmented(size_t i, const Augmentation& augmentation, uint64_t seed, uint8_t* out) const
{
    std::mt19937_64 rng(seed);
    if (augmentation.randomResizedCrop) {
        randomResizedCrop(*decoded(i), {shape_.height, shape_.width}, augmentation.horizontalFlip, rng, out);
        return;
    }
    read(i, out);
    if (augmentation.horizontalFlip && std::bernoulli_distribution(0.5)(rng)) {
        for (int r = 0; r < shape_.channels * shape_.height; ++r)
            std::reverse(out + size_t(r) * size_t(shape_.width), out + size_t(r + 1) * size_t(shape_.width));
    }
}

bool ImageFolderSource::firstFailure(size_t i) const
{
    std::lock_guard lock(failedMutex_);
    return failed_.insert(members_.at(i)).second;
}

std::shared_ptr<const ImageFolderSource> ImageFolderSource::head(size_t count) const
{
    std::vector<uint32_t> first(members_.begin(), members_.begin() + long(std::min(count, members_.size())));
    return std::make_shared<ImageFolderSource>(index_, std::move(first), reading_, cache_);
}

} // namespace quantscope
