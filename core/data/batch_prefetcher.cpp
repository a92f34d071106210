#include "data/batch_prefetcher.h"

#include "common/error.h"
#include "data/image_decoder.h"

#include <algorithm>
#include <cstring>

namespace quantscope {

BatchPrefetcher::BatchPrefetcher(const ImageSource& source, Planner planner, const Augmentation& augmentation,
                                 int workers, size_t depth) :
    source_(source),
    planner_(std::move(planner)), augmentation_(augmentation), depth_(std::max<size_t>(depth, 1)),
    bytes_(source.shape().bytes())
{
    try {
        for (int i = 0; i < std::max(workers, 1); ++i)
            workers_.emplace_back([this] { work(); });
    } catch (...) { // the threads started must end before this object unwinds
        stop();
        throw;
    }
}

BatchPrefetcher::~BatchPrefetcher()
{
    stop();
}

void BatchPrefetcher::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_ready_.notify_all();
    for (std::thread& worker : workers_)
        worker.join();
}

BatchPrefetcher::Slot* BatchPrefetcher::claimable()
{
    for (const auto& slot : slots_) {
        if (slot->claimed < slot->plan.indices.size())
            return slot.get();
    }
    if (planned_all_ || slots_.size() >= depth_)
        return nullptr;
    auto slot = std::make_unique<Slot>();
    try {
        planned_all_ = !planner_(slot->plan);
        if (!planned_all_) {
            const size_t n = slot->plan.indices.size();
            slot->pixels.resize(n * bytes_); // may not fit: the error is the batch's
            slot->failed.assign(n, 0);
            slot->remaining = n;
        }
    } catch (...) {
        planned_all_ = true;
        slot = std::make_unique<Slot>();
        slot->error = std::current_exception();
        slots_.push_back(std::move(slot));
        batch_ready_.notify_all();
        return nullptr;
    }
    if (planned_all_) {
        batch_ready_.notify_all(); // next() may wait for a batch that will not come
        return nullptr;
    }
    const size_t n = slot->plan.indices.size();
    slots_.push_back(std::move(slot));
    if (n == 0) {
        batch_ready_.notify_all();
        return claimable();
    }
    return slots_.back().get();
}

void BatchPrefetcher::work()
{
    std::unique_lock lock(mutex_);
    while (true) {
        Slot* slot = nullptr;
        work_ready_.wait(lock, [&] { return stopping_ || (slot = claimable()) != nullptr; });
        if (stopping_)
            return;
        const size_t k = slot->claimed++;
        lock.unlock();
        std::exception_ptr error;
        std::string skipped;
        bool bad = false;
        const size_t index = slot->plan.indices[k];
        try {
            uint8_t* out = slot->pixels.data() + k * bytes_;
            if (slot->plan.seeds.empty())
                source_.read(index, out);
            else
                source_.readAugmented(index, augmentation_, slot->plan.seeds[k], out);
        } catch (const ImageError& e) {
            bad = source_.skipsBadImages();
            if (!bad)
                error = std::current_exception();
            else if (source_.firstFailure(index)) // said once, not at every epoch
                skipped = e.what();
        } catch (...) {
            error = std::current_exception();
        }
        lock.lock();
        if (error || bad) {
            slot->failed[k] = 1;
            if (error && !slot->error)
                slot->error = error;
            if (!skipped.empty())
                slot->skipped.push_back(std::move(skipped));
        }
        if (--slot->remaining == 0)
            batch_ready_.notify_all();
    }
}

std::optional<PixelBatch> BatchPrefetcher::next()
{
    std::unique_lock lock(mutex_);
    work_ready_.notify_all(); // plan ahead if the slots were all taken
    batch_ready_.wait(lock, [&] {
        if (slots_.empty() && !planned_all_) {
            claimable(); // plan the first batch
            work_ready_.notify_all();
        }
        return slots_.empty() ? planned_all_ : slots_.front()->remaining == 0;
    });
    if (slots_.empty())
        return std::nullopt;
    std::unique_ptr<Slot> slot = std::move(slots_.front());
    slots_.pop_front();
    lock.unlock();
    work_ready_.notify_all();
    if (slot->error)
        std::rethrow_exception(slot->error);

    PixelBatch batch;
    batch.skipped = std::move(slot->skipped);
    const size_t n = slot->plan.indices.size();
    size_t kept = 0;
    for (size_t k = 0; k < n; ++k) {
        if (slot->failed[k])
            continue;
        if (kept != k)
            std::memcpy(slot->pixels.data() + kept * bytes_, slot->pixels.data() + k * bytes_, bytes_);
        batch.labels.push_back(source_.label(slot->plan.indices[k]));
        ++kept;
    }
    slot->pixels.resize(kept * bytes_);
    batch.pixels = std::move(slot->pixels);
    return batch;
}

BatchPrefetcher::Planner BatchPrefetcher::sequential(size_t begin, size_t end, size_t batchSize)
{
    auto cursor = std::make_shared<size_t>(begin);
    return [cursor, end, batchSize](BatchPlan& plan) {
        if (*cursor >= end)
            return false;
        const size_t stop = std::min(end, *cursor + std::max<size_t>(batchSize, 1));
        for (size_t i = *cursor; i < stop; ++i)
            plan.indices.push_back(i);
        *cursor = stop;
        return true;
    };
}

ImageSet readIntoMemory(const ImageSource& source, size_t count, int workers, const std::string& phase,
                        const WorkControl& control, std::vector<std::string>* skipped)
{
    if (const ImageSet* set = source.inMemory())
        return count == 0 || count >= set->size() ? *set : set->head(count);
    const size_t n = count == 0 ? source.size() : std::min(count, source.size());
    const ImageShape shape = source.shape();
    ImageSet set;
    set.channels = shape.channels;
    set.height = shape.height;
    set.width = shape.width;
    set.pixels.reserve(n * shape.bytes());
    set.labels.reserve(n);
    constexpr size_t kBatch = 32;
    BatchPrefetcher prefetcher(source, BatchPrefetcher::sequential(0, n, kBatch), Augmentation{}, workers,
                               size_t(2 * std::max(workers, 1)));
    size_t done = 0;
    while (std::optional<PixelBatch> batch = prefetcher.next()) {
        control.checkCancelled();
        set.pixels.insert(set.pixels.end(), batch->pixels.begin(), batch->pixels.end());
        set.labels.insert(set.labels.end(), batch->labels.begin(), batch->labels.end());
        if (skipped)
            skipped->insert(skipped->end(), batch->skipped.begin(), batch->skipped.end());
        done += batch->size() + batch->skipped.size();
        control.report(phase, int64_t(done), int64_t(n));
    }
    return set;
}

size_t readThrough(const ImageSource& source, const std::string& phase, const WorkControl& control,
                   std::vector<std::string>* skipped)
{
    const int threads = std::max(source.readThreads(), 1);
    BatchPrefetcher prefetcher(source, BatchPrefetcher::sequential(0, source.size(), 32), Augmentation{}, threads,
                               size_t(2 * threads));
    size_t read = 0, done = 0;
    while (std::optional<PixelBatch> batch = prefetcher.next()) {
        control.checkCancelled();
        if (skipped)
            skipped->insert(skipped->end(), batch->skipped.begin(), batch->skipped.end());
        read += batch->size();
        done += batch->size() + batch->skipped.size();
        control.report(phase, int64_t(done), int64_t(source.size()));
    }
    return read;
}

int decodingThreads(int requested)
{
    if (requested > 0)
        return requested;
    return int(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
}

} // namespace quantscope
