#pragma once

#include "bitserial/popcount_kernels.h"
#include "common/progress.h"
#include "data/dataset.h"
#include "model/network.h"
#include "quant/bit_config.h"

#include <CLI/CLI.hpp>

#include <string>

namespace quantscope::cli {

/// Options every command that touches data shares, and the loading they imply.
struct DataOptions {
    std::string dataset = "fashion-mnist";
    std::string dataDir;
    size_t searchSize = 2000;
    uint64_t splitSeed = 0;
    size_t limit = 0; ///< use only the first N images of each split (0: all); for quick runs

    void addTo(CLI::App& command);
    Dataset loadDataset() const;
    /// loadDataset's, refused with a message naming both when its images do not fit `network`.
    Dataset loadDatasetFor(const Network& network) const;
    DataSplits loadSplits() const;
    /// The splits of `data` (loadDataset's), limited as the options say.
    DataSplits splitsOf(const Dataset& data) const;
};

/// Threads, device and output style.
struct RuntimeOptions {
    int threads = 0;
    std::string device = "cpu";
    bool json = false;

    void addTo(CLI::App& command);
    void apply() const;
};

/// The layer policy of `--quantize-image-input` and `--last-layer BITS` (empty: not pinned).
LayerPolicy parseLayerPolicy(bool quantizeImageInput, const std::string& lastLayer);

/// The content of a text file; ConfigError "cannot read <what> <path>" when it cannot be read.
std::string readTextFile(const std::string& path, const std::string& what);

/// The network to work on: a Quantscope model file, or a TorchScript file imported with the
/// data set's input shape and the given normalisation.
struct ModelOptions {
    std::string path;             ///< empty: the shipped model
    std::vector<float> inputMean; ///< TorchScript models: (x - mean) / std per channel
    std::vector<float> inputStd;

    void addTo(CLI::App& command);
    Network load(const DataOptions& data, const RuntimeOptions& runtime) const;
};

/// A progress line on stderr for long work: rewritten in place on a terminal, a line per 10 % otherwise.
class ProgressPrinter {
public:
    explicit ProgressPrinter(bool enabled);
    ~ProgressPrinter();
    void operator()(const std::string& phase, int64_t done, int64_t total);
    /// A WorkControl whose progress this printer shows (it must outlive the control).
    WorkControl control();

private:
    bool enabled_;
    bool terminal_;
    int lastDecile_ = -1;
    std::string lastPhase_;
};

/// `--kernels NAME`: a bit-serial kernel path this CPU runs; empty: the fastest. ConfigError
/// naming the paths it runs otherwise.
bitserial::KernelPath parseKernelPath(const std::string& name);

} // namespace quantscope::cli
