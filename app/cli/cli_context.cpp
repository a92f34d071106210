#include "cli_context.h"

#include "model/zoo.h"

#include "model/default_model.h"
#include "train/device.h"

#include "common/error.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <iostream>
#include <unistd.h>

namespace quantscope::cli {

void DataOptions::addTo(CLI::App& command)
{
    command.add_option("--dataset", dataset, "fashion-mnist or cifar10")->capture_default_str();
    command.add_option("--data-dir", dataDir, "folder with the data set files (default: Debian's for fashion-mnist)");
    command.add_option("--search-size", searchSize, "test images in the search-validation split")
        ->capture_default_str();
    command.add_option("--split-seed", splitSeed, "seed of the search/hold-out split")->capture_default_str();
    command.add_option("--limit", limit, "use only the first N images of each split (quick runs)");
}

Dataset DataOptions::loadDataset() const
{
    Dataset data = quantscope::loadDataset(parseDatasetKind(dataset), dataDir);
    if (limit > 0) {
        data.train = data.train.head(limit);
    }
    return data;
}

Dataset DataOptions::loadDatasetFor(const Network& network) const
{
    Dataset data = loadDataset();
    network.requireInputShape(data.test.channels, data.test.height, data.test.width, dataset);
    return data;
}

DataSplits DataOptions::loadSplits() const
{
    return splitsOf(loadDataset());
}

DataSplits DataOptions::splitsOf(const Dataset& data) const
{
    DataSplits splits = splitDataset(data, searchSize, splitSeed);
    if (limit > 0) {
        splits.search = splits.search.head(limit);
        splits.holdout = splits.holdout.head(limit);
    }
    return splits;
}

void RuntimeOptions::addTo(CLI::App& command)
{
    command.add_option("--threads", threads, "compute threads (0: LibTorch's default)");
    command.add_option("--device", device, "cpu, cuda or auto")->capture_default_str();
    command.add_flag("--json", json, "print the result as JSON");
}

void RuntimeOptions::apply() const
{
    setComputeThreads(threads);
    resolveDevice(device); // reject a bad name before any work starts
}

LayerPolicy parseLayerPolicy(bool quantizeImageInput, const std::string& lastLayer)
{
    LayerPolicy policy;
    policy.quantizeImageInput = quantizeImageInput;
    if (!lastLayer.empty())
        policy.lastLayerBits = BitConfig::parse(lastLayer, {"last layer"})[0].weight;
    return policy;
}

std::string readTextFile(const std::string& path, const std::string& what)
{
    std::ifstream in(path);
    if (!in)
        throw ConfigError("cannot read " + what + " " + path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void ModelOptions::addTo(CLI::App& command)
{
    command.add_option("--model", path, "model file: Quantscope's or TorchScript (default: the shipped model)");
    command
        .add_option("--input-mean", inputMean, "TorchScript models: per-channel mean subtracted from pixels in [0, 1]")
        ->delimiter(',');
    command.add_option("--input-std", inputStd, "TorchScript models: per-channel standard deviation divided by")
        ->delimiter(',');
}

Network ModelOptions::load(const DataOptions& data, const RuntimeOptions& runtime) const
{
    const ModelSpec input = importedModelInput(parseDatasetKind(data.dataset), inputMean, inputStd);
    Network network = Network::open(path.empty() ? defaultModelPath() : path, input);
    network.toDevice(runtime.device);
    return network;
}

ProgressPrinter::ProgressPrinter(bool enabled) : enabled_(enabled), terminal_(isatty(STDERR_FILENO) != 0)
{
}

ProgressPrinter::~ProgressPrinter()
{
    if (enabled_ && terminal_ && lastDecile_ >= 0)
        std::cerr << '\n';
}

WorkControl ProgressPrinter::control()
{
    WorkControl control;
    control.progress = [this](const Progress& p) { (*this)(p.phase, p.done, p.total); };
    return control;
}

void ProgressPrinter::operator()(const std::string& phase, int64_t done, int64_t total)
{
    if (!enabled_ || total <= 0)
        return;
    if (phase != lastPhase_) {
        if (terminal_ && lastDecile_ >= 0)
            std::cerr << '\n';
        lastPhase_ = phase;
        lastDecile_ = -1;
    }
    const int percent = int(100 * done / total);
    if (terminal_) {
        std::cerr << '\r' << phase << ": " << done << "/" << total << " (" << percent << " %)" << std::flush;
        lastDecile_ = percent / 10;
    } else if (percent / 10 != lastDecile_) {
        lastDecile_ = percent / 10;
        std::cerr << phase << ": " << done << "/" << total << " (" << percent << " %)\n";
    }
}

bitserial::KernelPath parseKernelPath(const std::string& name)
{
    if (name.empty())
        return bitserial::fastestKernelPath();
    std::string known;
    for (bitserial::KernelPath path : bitserial::supportedKernelPaths()) {
        if (name == bitserial::kernelPathName(path))
            return path;
        known += std::string(known.empty() ? "" : ", ") + bitserial::kernelPathName(path);
    }
    throw ConfigError("--kernels " + name + ": this CPU runs " + known);
}

} // namespace quantscope::cli
