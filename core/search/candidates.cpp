#include "search/candidates.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

const int kPrimes[] = {2,   3,   5,   7,   11,  13,  17,  19,  23,  29,  31,  37,  41,  43,  47,  53,  59,
                       61,  67,  71,  73,  79,  83,  89,  97,  101, 103, 107, 109, 113, 127, 131, 137, 139,
                       149, 151, 157, 163, 167, 173, 179, 181, 191, 193, 197, 199, 211, 223, 227, 229};

BitConfig fromLevels(const std::vector<int>& bits)
{
    std::vector<LayerBits> layers;
    for (int b : bits)
        layers.push_back({b, b});
    return BitConfig(std::move(layers));
}

} // namespace

size_t CandidatePool::add(const BitConfig& bits)
{
    return add(bits, encoding_->encode(bits));
}

size_t CandidatePool::add(const BitConfig& bits, const Eigen::VectorXd& input)
{
    if (bits.size() != encoding_->layerCount())
        throw ConfigError("candidate has " + std::to_string(bits.size()) + " layers, the search space "
                          + std::to_string(encoding_->layerCount()));
    const std::string key = bits.toString();
    const auto found = index_.find(key);
    if (found != index_.end())
        return found->second;
    const size_t i = bits_.size();
    bits_.push_back(bits);
    inputs_.conservativeResize(Eigen::Index(i + 1), encoding_->dim());
    inputs_.row(Eigen::Index(i)) = input.transpose();
    index_.emplace(key, i);
    return i;
}

long CandidatePool::find(const BitConfig& bits) const
{
    const auto found = index_.find(bits.toString());
    return found == index_.end() ? -1 : long(found->second);
}

void fillGrid(CandidatePool& pool, int pointsPerDim)
{
    const int dim = pool.encoding().dim();
    if (pointsPerDim < 2)
        throw ConfigError("a candidate grid needs at least 2 points per dimension");
    const double total = std::pow(double(pointsPerDim), dim);
    if (total > 2e6)
        throw ConfigError("candidate grid of " + std::to_string(pointsPerDim) + "^" + std::to_string(dim)
                          + " points is too large: use sampling for this encoding");
    std::vector<int> digits(size_t(dim), 0);
    Eigen::VectorXd w(dim);
    for (long n = 0; n < long(total); ++n) {
        for (int i = 0; i < dim; ++i)
            w[i] = double(digits[size_t(i)]) / (pointsPerDim - 1);
        pool.add(pool.encoding().decode(w), w); // the first grid point of a configuration is its input
        for (int i = 0; i < dim && ++digits[size_t(i)] == pointsPerDim; ++i)
            digits[size_t(i)] = 0;
    }
}

void fillRandom(CandidatePool& pool, int count, int minBits, int maxBits, std::mt19937_64& rng)
{
    std::uniform_int_distribution<int> bit(minBits, maxBits);
    for (int c = 0; c < count; ++c) {
        std::vector<int> bits(pool.encoding().layerCount());
        for (int& b : bits)
            b = bit(rng);
        pool.add(fromLevels(bits));
    }
}

void fillStudyCandidates(CandidatePool& pool)
{
    const Encoding& encoding = pool.encoding();
    if (encoding.name() == "per-layer")
        fillHalton(pool, 2000, 1, 8);
    else
        fillGrid(pool, encoding.dim() <= 2 ? 33 : encoding.dim() == 3 ? 17 : 9);
}

double radicalInverse(uint64_t index, int base)
{
    double result = 0, fraction = 1.0 / base;
    while (index > 0) {
        result += double(index % uint64_t(base)) * fraction;
        index /= uint64_t(base);
        fraction /= base;
    }
    return result;
}

void fillHalton(CandidatePool& pool, int count, int minBits, int maxBits)
{
    const size_t layers = pool.encoding().layerCount();
    if (layers > std::size(kPrimes))
        throw ConfigError("Halton sampling supports up to " + std::to_string(std::size(kPrimes)) + " layers");
    const int levels = maxBits - minBits + 1;
    for (int c = 1; c <= count; ++c) {
        std::vector<int> bits(layers);
        for (size_t i = 0; i < layers; ++i)
            bits[i] = minBits + std::min(levels - 1, int(radicalInverse(uint64_t(c), kPrimes[i]) * levels));
        pool.add(fromLevels(bits));
    }
}

void fillMutations(CandidatePool& pool, const std::vector<BitConfig>& parents, int perParent, int minBits, int maxBits,
                   std::mt19937_64& rng)
{
    const size_t layers = pool.encoding().layerCount();
    std::uniform_int_distribution<size_t> layer(0, layers - 1);
    std::uniform_int_distribution<int> changes(1, 2);
    std::bernoulli_distribution up(0.5);
    for (const BitConfig& parent : parents) {
        for (int m = 0; m < perParent; ++m) {
            std::vector<int> bits;
            for (const LayerBits& b : parent.layers())
                bits.push_back(int(std::lround(entryBits(b))));
            for (int c = changes(rng); c > 0; --c) {
                int& b = bits[layer(rng)];
                b = std::clamp(b + (up(rng) ? 1 : -1), minBits, maxBits);
            }
            pool.add(fromLevels(bits));
        }
    }
}

void fillCandidates(CandidatePool& pool, const CandidateOptions& options, std::mt19937_64& rng)
{
    if (options.gridPointsPerDim > 0)
        fillGrid(pool, options.gridPointsPerDim);
    if (options.haltonSamples > 0)
        fillHalton(pool, options.haltonSamples, options.minBits, options.maxBits);
    if (options.randomSamples > 0)
        fillRandom(pool, options.randomSamples, options.minBits, options.maxBits, rng);
    if (options.mutationsPerParent > 0)
        fillMutations(pool, options.parents, options.mutationsPerParent, options.minBits, options.maxBits, rng);
}

} // namespace quantscope
