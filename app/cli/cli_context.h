#pragma once

#include "bitserial/popcount_kernels.h"
#include "common/progress.h"
#include "data/data_settings.h"
#include "model/network.h"
#include "study/study_network.h"
#include "quant/bit_config.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace quantscope::cli {

/// The options of `settings` (--dataset, --data-dir, --search-size, --split-seed, --limit and the
/// image folder's), the names of those given added to `given` when set.
void addDataOptions(CLI::App& command, DataSettings& settings, std::set<std::string>* given = nullptr);
/// The data options in `given` copied from `from` to `to`.
void applyDataOptions(const DataSettings& from, const std::set<std::string>& given, DataSettings& to);
/// The options in `given` whose value in `requested` differs from `held`'s, with `held`'s value;
/// --image-cache-mb and --data-workers say how a machine reads, not what the data is, and are left out.
std::vector<std::pair<std::string, std::string>>
changedDataOptions(const DataSettings& requested, const DataSettings& held, const std::set<std::string>& given);

/// Options every command that touches data shares (docs/data.md).
struct DataOptions {
    DataSettings settings;

    void addTo(CLI::App& command);
};

/// Prints `splits.notes` on standard error, one "note: ..." line each.
void printNotes(const DataSplits& splits);

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
    /// The network alone (an image folder read only as far as its input shape needs).
    Network load(const DataOptions& data, const RuntimeOptions& runtime) const;
    /// The network and its data's splits (openNetworkWithData), the data's notes printed.
    NetworkWithData loadWithData(const DataOptions& data, const RuntimeOptions& runtime,
                                 const WorkControl& control) const;
};

/// A progress line on stderr for long work: rewritten in place on a terminal, a line per 10 % otherwise;
/// a phase that ends within a second prints nothing (so that a one-line error stays one line).
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
    std::chrono::steady_clock::time_point phaseStart_;
};

/// `--kernels NAME`: a bit-serial kernel path this CPU runs; empty: the fastest. ConfigError
/// naming the paths it runs otherwise.
bitserial::KernelPath parseKernelPath(const std::string& name);

} // namespace quantscope::cli
