#include "train/batches.h"

#include "common/error.h"
#include "data/batch_prefetcher.h"

#include <torch/torch.h>

#include <algorithm>
#include <optional>
#include <numeric>

namespace quantscope {

at::Tensor imageRange(const ImageSet& set, size_t begin, size_t end)
{
    auto* data = const_cast<uint8_t*>(set.pixels.data() + begin * set.imageBytes());
    return torch::from_blob(data, {int64_t(end - begin), set.channels, set.height, set.width}, torch::kUInt8);
}

at::Tensor imageBatch(const ImageSet& set, const std::vector<size_t>& indices)
{
    torch::Tensor out = torch::empty({int64_t(indices.size()), set.channels, set.height, set.width}, torch::kUInt8);
    const size_t bytes = set.imageBytes();
    uint8_t* dst = out.data_ptr<uint8_t>();
    for (size_t k = 0; k < indices.size(); ++k)
        std::memcpy(dst + k * bytes, set.pixels.data() + indices[k] * bytes, bytes);
    return out;
}

at::Tensor labelRange(const ImageSet& set, size_t begin, size_t end)
{
    auto* data = const_cast<int64_t*>(set.labels.data() + begin);
    return torch::from_blob(data, {int64_t(end - begin)}, torch::kInt64);
}

at::Tensor labelBatch(const ImageSet& set, const std::vector<size_t>& indices)
{
    torch::Tensor out = torch::empty({int64_t(indices.size())}, torch::kInt64);
    int64_t* dst = out.data_ptr<int64_t>();
    for (size_t k = 0; k < indices.size(); ++k)
        dst[k] = set.labels[indices[k]];
    return out;
}

at::Tensor normalise(const at::Tensor& pixels, const ModelSpec& spec)
{
    torch::Tensor x = pixels.to(torch::kFloat32).div_(255.0);
    if (!spec.mean.empty()) {
        const auto shape = std::vector<int64_t>{1, int64_t(spec.mean.size()), 1, 1};
        const torch::Tensor mean = torch::tensor(spec.mean).view(shape);
        const torch::Tensor std = torch::tensor(spec.stddev).view(shape);
        x.sub_(mean).div_(std);
    }
    return x;
}

at::Tensor augment(const at::Tensor& pixels, const Augmentation& augmentation, std::mt19937_64& rng)
{
    if (augmentation.padCrop == 0 && !augmentation.horizontalFlip)
        return pixels;
    const int64_t pad = augmentation.padCrop;
    const int64_t h = pixels.size(2);
    const int64_t w = pixels.size(3);
    const torch::Tensor padded = pad > 0 ? torch::constant_pad_nd(pixels, {pad, pad, pad, pad}, 0) : pixels;
    torch::Tensor out = torch::empty_like(pixels);
    std::uniform_int_distribution<int64_t> offset(0, 2 * pad);
    std::bernoulli_distribution flip(0.5);
    for (int64_t i = 0; i < pixels.size(0); ++i) {
        torch::Tensor image = padded[i].narrow(1, offset(rng), h).narrow(2, offset(rng), w);
        if (augmentation.horizontalFlip && flip(rng))
            image = image.flip({2});
        out[i].copy_(image);
    }
    return out;
}

ShuffledBatches::ShuffledBatches(size_t size, size_t batch) :
    order_(size), cursor_(size), batch_(std::min(batch, size)) // the first next() shuffles
{
    std::iota(order_.begin(), order_.end(), size_t{0});
}

std::vector<size_t> ShuffledBatches::next(std::mt19937_64& rng)
{
    if (cursor_ + batch_ > order_.size()) {
        std::shuffle(order_.begin(), order_.end(), rng);
        cursor_ = 0;
    }
    const std::vector<size_t> indices(order_.begin() + long(cursor_), order_.begin() + long(cursor_ + batch_));
    cursor_ += batch_;
    return indices;
}

std::pair<torch::Tensor, torch::Tensor> trainingBatch(const ImageSet& set, const std::vector<size_t>& indices,
                                                      const ModelSpec& spec, const Augmentation* augmentation,
                                                      std::mt19937_64& rng, const std::string& device)
{
    torch::Tensor pixels = imageBatch(set, indices);
    if (augmentation)
        pixels = augment(pixels, *augmentation, rng);
    const torch::Device on(device);
    return {normalise(pixels, spec).to(on), labelBatch(set, indices).to(on)};
}

namespace {

/// Batches read ahead: a couple per thread, so that a slow image does not stall the network.
size_t prefetchDepth(int threads)
{
    return size_t(2 * std::max(threads, 1));
}

void reportSkipped(const PixelBatch& batch, const WorkControl& control)
{
    for (const std::string& why : batch.skipped)
        control.warn("skipped: " + why);
}

torch::Tensor pixelTensor(PixelBatch& batch, const ImageShape& shape)
{
    auto* owner = new std::vector<uint8_t>(std::move(batch.pixels));
    return torch::from_blob(
        owner->data(), {int64_t(batch.size()), shape.channels, shape.height, shape.width},
        [owner](void*) { delete owner; }, torch::kUInt8);
}

} // namespace

TrainingBatches::TrainingBatches(const ImageSource& set, size_t batchSize, const Augmentation* augmentation,
                                 std::mt19937_64& rng, int64_t batches) :
    set_(set),
    batches_(set.size(), batchSize), augmentation_(augmentation), rng_(rng)
{
    if (set.inMemory())
        return;
    order_ = std::make_shared<ShuffledBatches>(batches_);
    draw_ = std::make_shared<std::mt19937_64>(rng());
    stream(batches);
}

void TrainingBatches::stream(int64_t batches)
{
    auto left = std::make_shared<int64_t>(batches);
    const bool augmented = augmentation_ != nullptr && augmentation_->any();
    BatchPrefetcher::Planner planner = [order = order_, draw = draw_, left, augmented](BatchPlan& plan) {
        if ((*left)-- <= 0)
            return false;
        plan.indices = order->next(*draw);
        if (augmented)
            for (size_t k = 0; k < plan.indices.size(); ++k)
                plan.seeds.push_back((*draw)());
        return true;
    };
    stream_.reset(); // its threads end before the next one's start
    stream_ =
        std::make_unique<BatchPrefetcher>(set_, std::move(planner), augmentation_ ? *augmentation_ : Augmentation{},
                                          set_.readThreads(), prefetchDepth(set_.readThreads()));
}

TrainingBatches::~TrainingBatches() = default;

std::pair<torch::Tensor, torch::Tensor> TrainingBatches::next(const ModelSpec& spec, const std::string& device,
                                                              const WorkControl& control)
{
    if (const ImageSet* set = set_.inMemory())
        return trainingBatch(*set, batches_.next(rng_), spec, augmentation_, rng_, device);
    while (true) {
        std::optional<PixelBatch> batch = stream_->next();
        if (!batch) { // a batch whose images were all skipped as bad used up a step's plan
            stream(1);
            continue;
        }
        reportSkipped(*batch, control);
        if (batch->size() == 0)
            continue; // every image of it was skipped as bad
        const torch::Device on(device);
        torch::Tensor labels = torch::tensor(batch->labels, torch::kInt64);
        return {normalise(pixelTensor(*batch, set_.shape()), spec).to(on), labels.to(on)};
    }
}

void forEachBatch(const ImageSource& source, size_t count, int batchSize, const WorkControl& control,
                  const std::function<void(const at::Tensor& pixels, const at::Tensor& labels)>& use)
{
    const size_t n = std::min(count, source.size());
    const size_t step = size_t(std::max(batchSize, 1));
    if (const ImageSet* set = source.inMemory()) {
        for (size_t begin = 0; begin < n; begin += step) {
            control.checkCancelled();
            const size_t end = std::min(n, begin + step);
            use(imageRange(*set, begin, end), labelRange(*set, begin, end));
        }
        return;
    }
    BatchPrefetcher prefetcher(source, BatchPrefetcher::sequential(0, n, step), Augmentation{}, source.readThreads(),
                               prefetchDepth(source.readThreads()));
    while (std::optional<PixelBatch> batch = prefetcher.next()) {
        control.checkCancelled();
        reportSkipped(*batch, control);
        if (batch->size() == 0)
            continue;
        const torch::Tensor labels = torch::tensor(batch->labels, torch::kInt64);
        use(pixelTensor(*batch, source.shape()), labels);
    }
}

} // namespace quantscope
