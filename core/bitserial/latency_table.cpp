#include "bitserial/latency_table.h"

#include "bitserial/bitserial_conv.h"
#include "bitserial/bitserial_network.h"
#include "common/error.h"
#include "common/wall_time.h"
#include "export/quantized_snapshot.h"
#include "train/batches.h"
#include "train/device.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

namespace quantscope::bitserial {
namespace {

constexpr int kFormat = 1;
/// The measurement's revision, part of the cache key: bump it when a change to core/bitserial or
/// to how entries are timed moves the times, so that old tables are measured again, not reused.
/// 2: 2026-12-03, byte-permute windows, register-blocked packing, 8-channel AVX-512 tiles;
/// 3: the same day, the kernels run on every thread (built with OpenMP where they fork);
/// 4: the fastest of the repeats, not their median (a loaded machine stalled two runs of three).
constexpr int kMeasurementRevision = 4;

double fastestMs(int repeats, const std::function<void()>& work)
{
    return 1e3 * fastestSeconds(repeats, work);
}

/// One layer at one bit pair, as the engine runs it: float input quantized in the kernels, the
/// epilogue with ReLU, on random codes of the layer's shape.
double bitSerialLayerMs(const ExecutedLayer& layer, int weightBits, int activationBits, KernelPath path, int repeats)
{
    const ConvGeometry& g = layer.geometry;
    const Encoding weightEncoding = uniformWeightEncoding(weightBits);
    ActivationRange range; // a unit range of the layer's sign: the codes' work does not depend on the scale
    range.maxAbs = 1;
    range.nonNegative = !layer.signedInput;
    const InputCoding coding = uniformInputCoding(activationBits, range);
    std::mt19937 rng(uint32_t(weightBits * 8 + activationBits));
    const ValueRange weightRange = valueRange(weightBits, weightEncoding);
    std::uniform_int_distribution<int32_t> pick(weightRange.lowest, weightRange.highest);
    std::vector<int32_t> weights(size_t(g.outChannels) * size_t(g.groupChannels()) * size_t(g.kernelHeight)
                                 * size_t(g.kernelWidth));
    for (int32_t& w : weights)
        w = weightEncoding == Encoding::OffsetBinary ? (pick(rng) >= 0 ? 1 : -1) : pick(rng);
    const PackedConvWeights packed = packConvWeights(weights.data(), g, weightBits, weightEncoding);
    const torch::Tensor input = torch::rand({g.batch, g.channels, g.height, g.width}) * 2 - 0.5;
    const std::vector<float> scale(size_t(g.outChannels), 0.01f), shift(size_t(g.outChannels), 0.0f);
    torch::Tensor out = torch::empty({g.batch, g.outChannels, g.outHeight(), g.outWidth()});
    ConvInput in;
    in.values = input.data_ptr<float>();
    in.grid = coding.grid;
    ConvOutput result;
    result.values = out.data_ptr<float>();
    result.scale = scale.data();
    result.shift = shift.data();
    result.relu = true;
    return fastestMs(repeats, [&] {
        bitSerialConv2d(in, packed, coding.bits, coding.encoding, path, result, 1, onLibTorchThreads);
    });
}

double floatLayerMs(const ExecutedLayer& layer, int repeats)
{
    const ConvGeometry& g = layer.geometry;
    torch::NoGradGuard noGrad;
    if (layer.linear) {
        const torch::Tensor x = torch::randn({g.width, g.channels}), w = torch::randn({g.outChannels, g.channels});
        return fastestMs(repeats, [&] { (void)torch::linear(x, w); });
    }
    const torch::Tensor x = torch::randn({g.batch, g.channels, g.height, g.width});
    const torch::Tensor w = torch::randn({g.outChannels, g.groupChannels(), g.kernelHeight, g.kernelWidth});
    return fastestMs(repeats, [&] { (void)torch::conv2d(x, w, {}, g.strideY, g.padY, 1, g.groups); });
}

std::string cpuModel()
{
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0)
            return line.substr(line.find(':') + 2);
    return "unknown CPU";
}

/// FNV-1a: a stable file name for a cache key.
std::string hashName(const std::string& key)
{
    uint64_t hash = 1469598103934665603ull;
    for (unsigned char c : key)
        hash = (hash ^ c) * 1099511628211ull;
    std::ostringstream out;
    out << std::hex << hash;
    return out.str();
}

std::string cacheKey(const Network& network, const LatencyOptions& options)
{
    std::ostringstream key;
    key << "format " << kFormat << "; kernels " << kMeasurementRevision << "; " << latencyMachine(options) << "; batch "
        << options.batch << "; " << network.spec().architecture << " " << network.spec().channels << "x"
        << network.spec().height << "x" << network.spec().width;
    for (const LayerInfo& layer : network.layers()) {
        key << "; " << layer.name;
        for (int64_t d : layer.weightShape)
            key << " " << d;
    }
    return key.str();
}

std::filesystem::path cacheDirectory()
{
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
        return std::filesystem::path(xdg) / "quantscope" / "latency";
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home ? home : ".") / ".cache" / "quantscope" / "latency";
}

} // namespace

double LayerLatency::ms(int weightBits, int activationBits) const
{
    if (weightBits == 0 || activationBits == 0)
        return floatMs;
    return bitSerialMs.at(size_t((weightBits - 1) * 8 + (activationBits - 1)));
}

double LatencyTable::perImageMs(const BitConfig& bits, bool quantizeImageInput) const
{
    if (bits.size() != layers.size())
        throw ConfigError("latency table: " + std::to_string(bits.size()) + " layers in " + bits.toString()
                          + " but the table has " + std::to_string(layers.size()));
    double total = otherMs;
    for (size_t i = 0; i < layers.size(); ++i) {
        const bool floatInput = layers[i].takesImage && !quantizeImageInput;
        total += layers[i].ms(bits[i].weight, floatInput ? 0 : bits[i].activation);
    }
    return total / std::max(1, batch);
}

std::string LatencyTable::toJson() const
{
    nlohmann::ordered_json j = {{"format", kFormat}, {"machine", machine}, {"batch", batch}, {"other_ms", otherMs}};
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const LayerLatency& layer : layers)
        list.push_back({{"name", layer.name},
                        {"takes_image", layer.takesImage},
                        {"float_ms", layer.floatMs},
                        {"bit_serial_ms", layer.bitSerialMs}});
    j["layers"] = list;
    return j.dump(1);
}

LatencyTable LatencyTable::fromJson(const std::string& text)
{
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        if (j.at("format").get<int>() != kFormat)
            throw ConfigError("latency table: format " + std::to_string(j.at("format").get<int>()) + ", expected "
                              + std::to_string(kFormat));
        LatencyTable table;
        table.machine = j.at("machine").get<std::string>();
        table.batch = j.at("batch").get<int>();
        table.otherMs = j.at("other_ms").get<double>();
        for (const nlohmann::json& layer : j.at("layers")) {
            LayerLatency entry;
            entry.name = layer.at("name").get<std::string>();
            entry.takesImage = layer.at("takes_image").get<bool>();
            entry.floatMs = layer.at("float_ms").get<double>();
            entry.bitSerialMs = layer.at("bit_serial_ms").get<std::array<double, 64>>();
            table.layers.push_back(entry);
        }
        return table;
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("latency table: ") + e.what());
    }
}

std::string latencyMachine(const LatencyOptions& options)
{
    const int threads = computeThreads();
    return cpuModel() + ", " + kernelPathName(options.path) + ", " + std::to_string(threads) + " thread"
        + (threads == 1 ? "" : "s");
}

LatencyTable measureLatencyTable(const Network& network, const ImageSet& calibrationSet, const LatencyOptions& options,
                                 const WorkControl& control)
{
    if (options.batch < 1 || calibrationSet.size() == 0)
        throw ConfigError("latency table: needs a batch of 1 or more and calibration images");
    popcountTileKernel(options.path); // ConfigError when this CPU cannot run it
    QuantSettings settings;
    settings.quantizer = QuantizerKind::Uniform;
    settings.policy.quantizeImageInput = true; // every layer's shape and sign from one bit-serial run
    const BitConfig eight = BitConfig::uniform(8, network.layers().size());
    const QuantizedSnapshot snapshot(network, eight, settings, calibrationSet);
    BitSerialNetwork engine(snapshot, options.path);
    torch::NoGradGuard noGrad;
    std::vector<torch::Tensor> batches;
    for (size_t begin = 0; begin < size_t(options.batch); begin += calibrationSet.size())
        batches.push_back(
            imageRange(calibrationSet, 0, std::min(calibrationSet.size(), size_t(options.batch) - begin)));
    const torch::Tensor images = normalise(torch::cat(batches), network.spec());
    double otherMs = std::numeric_limits<double>::infinity();
    for (int r = 0; r < std::max(3, options.repeats); ++r) {
        engine.resetTimes();
        (void)engine.forward(images);
        otherMs = std::min(otherMs, 1e3 * engine.otherSeconds());
    }

    LatencyTable table;
    table.machine = latencyMachine(options);
    table.batch = options.batch;
    table.otherMs = otherMs;
    const std::vector<ExecutedLayer>& layers = engine.layers();
    for (size_t i = 0; i < layers.size(); ++i) {
        control.checkCancelled();
        LayerLatency entry;
        entry.name = layers[i].name;
        entry.takesImage = network.layers()[i].takesImage;
        entry.floatMs = floatLayerMs(layers[i], options.repeats);
        for (int w = 1; w <= 8; ++w)
            for (int a = 1; a <= 8; ++a)
                entry.bitSerialMs[size_t((w - 1) * 8 + (a - 1))] =
                    bitSerialLayerMs(layers[i], w, a, options.path, options.repeats);
        table.layers.push_back(entry);
        control.report("latency", int64_t(i + 1), int64_t(layers.size()));
    }
    return table;
}

LatencyTable cachedLatencyTable(const Network& network, const ImageSet& calibrationSet, const LatencyOptions& options,
                                bool refresh, const WorkControl& control)
{
    const std::string key = cacheKey(network, options);
    const std::filesystem::path file = cacheDirectory() / ("latency-" + hashName(key) + ".json");
    if (!refresh) {
        std::ifstream in(file);
        std::stringstream text;
        text << in.rdbuf();
        try {
            if (in) {
                const nlohmann::json j = nlohmann::json::parse(text.str());
                if (j.value("key", std::string()) == key)
                    return LatencyTable::fromJson(text.str());
            }
        } catch (const std::exception&) {
            // unreadable or stale: measured again below
        }
    }
    LatencyTable table = measureLatencyTable(network, calibrationSet, options, control);
    std::error_code error;
    std::filesystem::create_directories(file.parent_path(), error);
    nlohmann::json stored = nlohmann::json::parse(table.toJson());
    stored["key"] = key;
    std::ofstream(file) << stored.dump(1) << "\n"; // best effort: a cache that cannot be written is skipped
    return table;
}

} // namespace quantscope::bitserial
