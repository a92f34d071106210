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

namespace {

/// Calls `visit(option, help, field)` for each data option but --limit, `field(settings)` being the
/// setting it sets: one list for the options, for applying those given, and for comparing them.
template <typename Visit> void forEachDataOption(Visit&& visit)
{
    visit(
        "--dataset", "fashion-mnist, cifar10 or imagefolder", [](auto& s) -> auto& { return s.dataset; });
    visit(
        "--data-dir",
        "folder with the data set's files (default: Debian's for fashion-mnist); for imagefolder, DIR/train and "
        "DIR/val of class folders, or DIR of class folders",
        [](auto& s) -> auto& { return s.dataDir; });
    visit(
        "--search-size", "images in the search-validation split", [](auto& s) -> auto& { return s.searchSize; });
    visit(
        "--split-seed", "seed of the splits", [](auto& s) -> auto& { return s.splitSeed; });
    visit(
        "--resize", "imagefolder: torchvision's Resize, S (shorter side) or HxW",
        [](auto& s) -> auto& { return s.folder.resize; });
    visit(
        "--crop", "imagefolder: torchvision's CenterCrop after the resize, S or HxW",
        [](auto& s) -> auto& { return s.folder.crop; });
    visit(
        "--color", "imagefolder: auto (the network's channels), rgb or gray",
        [](auto& s) -> auto& { return s.folder.color; });
    visit(
        "--augment", "imagefolder fine-tuning: crop-flip (RandomResizedCrop + flip), flip or none",
        [](auto& s) -> auto& { return s.folder.augment; });
    visit(
        "--on-bad-image", "imagefolder: fail or skip on an unreadable image",
        [](auto& s) -> auto& { return s.folder.onBadImage; });
    visit(
        "--image-cache-mb", "imagefolder: decoded images kept in memory, MB",
        [](auto& s) -> auto& { return s.folder.cacheMB; });
    visit(
        "--data-workers", "imagefolder: decoding threads (0: the cores, up to 8)",
        [](auto& s) -> auto& { return s.folder.workers; });
}

std::string shownValue(const std::string& value)
{
    return value;
}

template <typename Number> std::string shownValue(Number value)
{
    return std::to_string(value);
}

} // namespace

void addDataOptions(CLI::App& command, DataSettings& settings, std::set<std::string>* given)
{
    forEachDataOption([&](const char* name, const char* help, auto field) {
        CLI::Option* option = command.add_option(name, field(settings), help)->capture_default_str();
        if (given)
            option->each([given, name](const std::string&) { given->insert(name); });
    });
    if (!given) // studies take --limit among their own options
        command.add_option("--limit", settings.limit, "use only the first N images of each split (quick runs)");
}

void applyDataOptions(const DataSettings& from, const std::set<std::string>& given, DataSettings& to)
{
    forEachDataOption([&](const char* name, const char*, auto field) {
        if (given.count(name) > 0)
            field(to) = field(from);
    });
}

std::vector<std::pair<std::string, std::string>>
changedDataOptions(const DataSettings& requested, const DataSettings& held, const std::set<std::string>& given)
{
    std::vector<std::pair<std::string, std::string>> changed;
    forEachDataOption([&](const char* name, const char*, auto field) {
        const bool machine = std::string(name) == "--image-cache-mb" || std::string(name) == "--data-workers";
        if (!machine && given.count(name) > 0 && field(requested) != field(held))
            changed.emplace_back(name, shownValue(field(held)));
    });
    return changed;
}

void DataOptions::addTo(CLI::App& command)
{
    addDataOptions(command, settings);
}

void printNotes(const DataSplits& splits)
{
    for (const std::string& note : splits.notes)
        std::cerr << "note: " << note << "\n";
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
    Network network = openNetwork(path, inputMean, inputStd, data.settings);
    network.toDevice(runtime.device);
    return network;
}

NetworkWithData ModelOptions::loadWithData(const DataOptions& data, const RuntimeOptions& runtime,
                                           const WorkControl& control) const
{
    NetworkWithData opened = openNetworkWithData(path, inputMean, inputStd, data.settings, control);
    opened.network.toDevice(runtime.device);
    printNotes(opened.splits);
    return opened;
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
    control.warning = [this](const std::string& message) {
        if (terminal_ && lastDecile_ >= 0) { // below the progress line, which starts again after it
            std::cerr << '\n';
            lastDecile_ = -1;
            lastPhase_.clear();
        }
        std::cerr << "warning: " << message << "\n";
    };
    return control;
}

void ProgressPrinter::operator()(const std::string& phase, int64_t done, int64_t total)
{
    if (!enabled_ || total <= 0)
        return;
    const auto now = std::chrono::steady_clock::now();
    if (phase != lastPhase_) {
        if (terminal_ && lastDecile_ >= 0)
            std::cerr << '\n';
        lastPhase_ = phase;
        lastDecile_ = -1;
        phaseStart_ = now;
    }
    if (lastDecile_ < 0 && now - phaseStart_ < std::chrono::seconds(1))
        return;
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
