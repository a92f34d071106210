#include "model/network.h"

#include "common/error.h"
#include "model/model_archive.h"
#include "model/network_backend.h"
#include "model/torchscript_backend.h"
#include "model/zoo.h"
#include "train/device.h"

#include <torch/torch.h>

#include <filesystem>

namespace quantscope {
namespace {
const char* const kSpecKey = "quantscope_spec";

/// First line of a LibTorch error: the rest is a C++ backtrace a user cannot act on.
std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}
} // namespace

Network::Network(ModelSpec spec, std::shared_ptr<NetworkBackend> backend) :
    spec_(std::move(spec)), backend_(std::move(backend))
{
    takeInventory();
}

void Network::takeInventory()
{
    torch::NoGradGuard noGrad;
    const bool wasTraining = backend_->isTraining();
    backend_->setTraining(false);
    QuantizableLayers& layers = backend_->quantLayers();
    // A fixed, varied probe (golden-ratio sequence in [0, 1)): layers reading an affine function
    // of it read the image (QuantizableLayers::markImageInput).
    const int64_t pixels = int64_t(spec_.channels) * spec_.height * spec_.width;
    const torch::Tensor probe = torch::arange(pixels, torch::kFloat64)
                                    .mul(0.6180339887498949)
                                    .frac()
                                    .to(torch::kFloat32)
                                    .view({1, spec_.channels, spec_.height, spec_.width});
    layers.markImageInput(probe);
    try {
        backend_->forward(probe);
    } catch (const c10::Error& e) {
        layers.markImageInput({});
        throw ModelError("network " + spec_.architecture + " cannot run on " + spec_.inputShapeText()
                         + " input: " + firstLine(e.what()));
    }
    layers.markImageInput({});
    backend_->setTraining(wasTraining);
    layers_ = layers.inventory();
}

Network Network::create(const ModelSpec& spec, uint64_t seed)
{
    torch::manual_seed(seed);
    return Network(spec, makeZooNetwork(spec));
}

namespace {

/// Reads `path` (a zip archive: Quantscope model or TorchScript); ModelError naming the file.
void readArchive(const std::string& path, torch::serialize::InputArchive& archive, const std::string& expected)
{
    if (!std::filesystem::exists(path))
        throw ModelError("model file not found: " + path);
    checkModelArchive(path);
    try {
        archive.load_from(path);
    } catch (const c10::Error& e) {
        throw ModelError("cannot read model file " + path + ": not " + expected + ", or corrupt (" + firstLine(e.what())
                         + ")");
    }
}

} // namespace

Network Network::load(const std::string& path)
{
    torch::serialize::InputArchive archive;
    readArchive(path, archive, "a Quantscope model");
    return fromArchive(path, archive);
}

Network Network::fromArchive(const std::string& path, torch::serialize::InputArchive& archive)
{
    c10::IValue specValue;
    if (!archive.try_read(kSpecKey, specValue) || !specValue.isString())
        throw ModelError("model file " + path + " has no Quantscope model description");
    ModelSpec spec = ModelSpec::fromJson(specValue.toStringRef());
    Network network(spec, makeZooNetwork(spec));
    try {
        static_cast<ZooBackend&>(*network.backend_).module().load(archive);
    } catch (const c10::Error& e) {
        throw ModelError("model file " + path + " does not match architecture " + spec.architecture + ": "
                         + firstLine(e.what()));
    }
    return network;
}

Network Network::importTorchScript(const std::string& path, ModelSpec input)
{
    if (std::filesystem::exists(path))
        checkModelArchive(path);
    std::shared_ptr<NetworkBackend> backend = quantscope::importTorchScript(path, input);
    return Network(input, std::move(backend));
}

Network Network::open(const std::string& path, const ModelSpec& input)
{
    return openOrImport(path, [&input] { return input; });
}

Network Network::openOrImport(const std::string& path, const std::function<ModelSpec()>& input)
{
    torch::serialize::InputArchive archive;
    readArchive(path, archive, "a Quantscope or TorchScript model");
    c10::IValue specValue;
    if (archive.try_read(kSpecKey, specValue))
        return fromArchive(path, archive);
    ModelSpec spec = input(); // the archive is checked by readArchive already
    spec.validateNormalisation();
    std::shared_ptr<NetworkBackend> backend = quantscope::importTorchScript(path, spec);
    return Network(spec, std::move(backend));
}

void Network::save(const std::string& path) const
{
    auto* zoo = dynamic_cast<ZooBackend*>(backend_.get());
    if (!zoo)
        throw ModelError("only zoo networks are saved as Quantscope model files (export an imported one)");
    torch::serialize::OutputArchive archive;
    zoo->module().save(archive);
    archive.write(kSpecKey, c10::IValue(spec_.toJson()));
    try {
        archive.save_to(path);
    } catch (const c10::Error& e) {
        throw ModelError("cannot write model file " + path + ": " + firstLine(e.what()));
    }
}

Network Network::clone() const
{
    Network copy(spec_, backend_->clone());
    copy.toDevice(device_);
    return copy;
}

std::vector<std::string> Network::layerNames() const
{
    std::vector<std::string> names;
    for (const auto& layer : layers_)
        names.push_back(layer.name);
    return names;
}

int64_t Network::parameterCount() const
{
    int64_t count = 0;
    for (const auto& p : backend_->parameters())
        count += p.numel();
    return count;
}

void Network::requireInputShape(int channels, int height, int width, const std::string& source) const
{
    if (channels != spec_.channels || height != spec_.height || width != spec_.width)
        throw ModelError("model expects " + spec_.inputShapeText() + " input but " + source + " has "
                         + std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width)
                         + " images");
}

void Network::toDevice(const std::string& device)
{
    const std::string name = resolveDevice(device);
    backend_->to(name);
    device_ = name;
}

} // namespace quantscope
