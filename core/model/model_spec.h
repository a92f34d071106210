#pragma once

#include <string>
#include <vector>

namespace quantscope {

/// What a network expects and how it was built: enough to rebuild a zoo network and to check
/// that a data set fits it.
struct ModelSpec {
    std::string architecture = "vgg11s"; ///< a zoo name (see zooArchitectures())
    int channels = 1;
    int height = 28;
    int width = 28;
    int classes = 10;
    /// Per-channel normalisation of pixels scaled to [0, 1]: (x - mean) / std. Empty: none.
    std::vector<float> mean;
    std::vector<float> stddev;

    std::string inputShapeText() const; ///< "1x28x28"
    /// ModelError unless mean and stddev are both empty or both have one positive-std entry per channel.
    void validateNormalisation() const;
    std::string toJson() const;
    static ModelSpec fromJson(const std::string& json); ///< ModelError on a malformed spec
};

} // namespace quantscope
