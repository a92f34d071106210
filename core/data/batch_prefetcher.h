#pragma once

#include "common/progress.h"
#include "data/image_set.h"
#include "data/image_source.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace quantscope {

/// A batch of images read from a source: N x C x H x W bytes and N labels.
struct PixelBatch {
    std::vector<uint8_t> pixels;
    std::vector<int64_t> labels;
    /// Images a source skips as bad (BadImagePolicy::Skip), left out of this batch.
    std::vector<std::string> skipped;

    size_t size() const { return labels.size(); }
};

/// Which images the next batch holds and, for training, the seeds of their augmentation.
struct BatchPlan {
    std::vector<size_t> indices;
    std::vector<uint64_t> seeds; ///< empty: no augmentation
};

/// Reads planned batches of a source on worker threads, a bounded number of batches ahead, and
/// hands them out in plan order: decoding overlaps the network's work, and the memory held is
/// `depth` batches whatever the data set's size. The result does not depend on the number of
/// workers or their timing (augmentation is seeded per image). Errors reading an image reach
/// next() as the exception the source threw, unless the source skips bad images (a batch then
/// lists each the first time the source fails on it).
class BatchPrefetcher {
public:
    /// Fills the next plan; false when there are no more batches. Called under the prefetcher's
    /// lock (from a worker or from next()), so one call at a time.
    using Planner = std::function<bool(BatchPlan&)>;

    BatchPrefetcher(const ImageSource& source, Planner planner, const Augmentation& augmentation, int workers,
                    size_t depth);
    ~BatchPrefetcher();
    BatchPrefetcher(const BatchPrefetcher&) = delete;
    BatchPrefetcher& operator=(const BatchPrefetcher&) = delete;

    /// The next batch in plan order (blocking until it is read), or nullopt after the last.
    std::optional<PixelBatch> next();

    /// Plans of consecutive images `begin..end` in batches of `batchSize`, no augmentation.
    static Planner sequential(size_t begin, size_t end, size_t batchSize);

private:
    struct Slot {
        BatchPlan plan;
        std::vector<uint8_t> pixels;
        std::vector<char> failed; ///< per image
        std::vector<std::string> skipped;
        std::exception_ptr error;
        size_t claimed = 0;
        size_t remaining = 0;
    };
    void work();
    void stop(); ///< ends the workers (after the image each is reading)
    /// A slot with unclaimed images, planning a new one when there is room; null if none.
    Slot* claimable();

    const ImageSource& source_;
    Planner planner_;
    Augmentation augmentation_;
    size_t depth_;
    size_t bytes_;
    bool planned_all_ = false;
    bool stopping_ = false;
    std::deque<std::unique_ptr<Slot>> slots_;
    std::mutex mutex_;
    std::condition_variable work_ready_;
    std::condition_variable batch_ready_;
    std::vector<std::thread> workers_;
};

/// The first `count` images of `source` (all of them when `count` is 0 or larger) read into
/// memory on `workers` threads, reporting progress as `phase`; images the source skips as bad
/// are left out (`skipped` lists them when given).
ImageSet readIntoMemory(const ImageSource& source, size_t count, int workers, const std::string& phase,
                        const WorkControl& control = {}, std::vector<std::string>* skipped = nullptr);

/// Reads every image of `source` on its reading threads and keeps none (a check that they all
/// decode), reporting progress as `phase`; returns how many were read. The first bad image throws
/// its ImageError unless the source skips bad images (`skipped` lists those).
size_t readThrough(const ImageSource& source, const std::string& phase, const WorkControl& control = {},
                   std::vector<std::string>* skipped = nullptr);

/// Worker threads for decoding: `requested`, or when 0 the machine's cores up to 8.
int decodingThreads(int requested);

} // namespace quantscope
