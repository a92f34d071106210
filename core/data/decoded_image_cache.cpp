#include "data/decoded_image_cache.h"

namespace quantscope {

std::shared_ptr<const DecodedImage> DecodedImageCache::find(const Key& key)
{
    std::lock_guard lock(mutex_);
    const auto found = items_.find(key);
    if (found == items_.end())
        return nullptr;
    order_.splice(order_.begin(), order_, found->second);
    return found->second->image;
}

void DecodedImageCache::insert(const Key& key, std::shared_ptr<const DecodedImage> image)
{
    const size_t bytes = image->pixels.size();
    if (bytes > capacity_)
        return;
    std::lock_guard lock(mutex_);
    if (items_.count(key) != 0)
        return; // another thread decoded it too
    while (held_ + bytes > capacity_ && !order_.empty()) {
        held_ -= order_.back().image->pixels.size();
        items_.erase(order_.back().key);
        order_.pop_back();
    }
    order_.push_front({key, std::move(image)});
    items_[key] = order_.begin();
    held_ += bytes;
}

size_t DecodedImageCache::heldBytes() const
{
    std::lock_guard lock(mutex_);
    return held_;
}

} // namespace quantscope
