#pragma once

#include "data/image_decoder.h"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace quantscope {

/// Decoded images kept for their next read, the least recently used dropped first so that the
/// pixels held never exceed a budget in bytes. Thread-safe; images are shared, so a reader keeps
/// one it holds even after the cache drops it.
class DecodedImageCache {
public:
    /// An image's key: the index it belongs to (any address unique to it) and its position there.
    using Key = std::pair<const void*, uint64_t>;

    explicit DecodedImageCache(size_t capacityBytes) : capacity_(capacityBytes) {}

    /// The image under `key`, or null.
    std::shared_ptr<const DecodedImage> find(const Key& key);
    /// Keeps `image` under `key` (not when it alone exceeds the budget).
    void insert(const Key& key, std::shared_ptr<const DecodedImage> image);

    size_t capacityBytes() const { return capacity_; }
    size_t heldBytes() const;

private:
    struct KeyHash {
        size_t operator()(const Key& key) const
        {
            return std::hash<const void*>()(key.first) ^ (std::hash<uint64_t>()(key.second) * 0x9E3779B97F4A7C15ull);
        }
    };
    struct Item {
        Key key;
        std::shared_ptr<const DecodedImage> image;
    };
    size_t capacity_;
    size_t held_ = 0;
    std::list<Item> order_; ///< most recently used first
    std::unordered_map<Key, std::list<Item>::iterator, KeyHash> items_;
    mutable std::mutex mutex_;
};

} // namespace quantscope
