#pragma once

#include "quant/bit_config.h"
#include "search/encoding.h"

#include <Eigen/Dense>

#include <cstdint>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace quantscope {

/// Distinct configurations a search chooses from, each with its GP input.
class CandidatePool {
public:
    explicit CandidatePool(const Encoding& encoding) : encoding_(&encoding) {}

    /// Adds `bits` with input `input` (default: the encoding of `bits`); a configuration already
    /// present keeps its index. Returns the index.
    size_t add(const BitConfig& bits);
    size_t add(const BitConfig& bits, const Eigen::VectorXd& input);
    /// Index of `bits`, or -1.
    long find(const BitConfig& bits) const;

    size_t size() const { return bits_.size(); }
    const BitConfig& bits(size_t i) const { return bits_[i]; }
    const Eigen::MatrixXd& inputs() const { return inputs_; }
    Eigen::VectorXd input(size_t i) const { return inputs_.row(Eigen::Index(i)).transpose(); }
    const Encoding& encoding() const { return *encoding_; }

private:
    const Encoding* encoding_;
    std::vector<BitConfig> bits_;
    Eigen::MatrixXd inputs_;
    std::unordered_map<std::string, size_t> index_;
};

/// How to fill a pool: a full grid for small curve encodings; random and low-discrepancy (Halton)
/// samples for the per-layer one, plus mutations of given parents (e.g. the Pareto set).
struct CandidateOptions {
    int gridPointsPerDim = 0; ///< 0: no grid; curve encodings use it, duplicates collapse
    int randomSamples = 0;
    int haltonSamples = 0;
    int mutationsPerParent = 0;
    std::vector<BitConfig> parents;
    int minBits = 1;
    int maxBits = 8;
};

void fillGrid(CandidatePool& pool, int pointsPerDim);
void fillRandom(CandidatePool& pool, int count, int minBits, int maxBits, std::mt19937_64& rng);
void fillHalton(CandidatePool& pool, int count, int minBits, int maxBits);
/// Each parent changed in 1 or 2 layers by +-1 bit (within the bit range).
void fillMutations(CandidatePool& pool, const std::vector<BitConfig>& parents, int perParent, int minBits, int maxBits,
                   std::mt19937_64& rng);
void fillCandidates(CandidatePool& pool, const CandidateOptions& options, std::mt19937_64& rng);
/// A study's candidates: for the curve encodings a full grid (33, 17 or 9 points per coefficient
/// for 1-2, 3 or more coefficients), for the per-layer encoding 2,000 Halton samples.
void fillStudyCandidates(CandidatePool& pool);

/// The radical-inverse (Halton) sequence in base `base`, index >= 1.
double radicalInverse(uint64_t index, int base);

} // namespace quantscope
