#include "cli_context.h"
#include "commands.h"

#include "common/error.h"
#include "model/zoo.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace quantscope::cli {
namespace {

struct LayersOptions {
    ModelOptions model;
    std::string architecture;
    DataOptions data;
    RuntimeOptions runtime;
};

std::string shapeText(const std::vector<int64_t>& shape)
{
    std::string out;
    for (int64_t d : shape)
        out += (out.empty() ? "" : "x") + std::to_string(d);
    return out;
}

void printTable(const Network& network)
{
    std::cout << network.spec().architecture << ", input " << network.spec().inputShapeText() << ", "
              << network.layers().size() << " quantizable layers, " << network.parameterCount() << " parameters\n";
    std::cout << std::left << std::setw(4) << "#" << std::setw(26) << "layer" << std::setw(8) << "kind" << std::setw(16)
              << "weight shape" << std::right << std::setw(10) << "params" << std::setw(12) << "MACs"
              << "\n";
    int64_t macs = 0;
    for (size_t i = 0; i < network.layers().size(); ++i) {
        const LayerInfo& layer = network.layers()[i];
        macs += layer.macs;
        std::cout << std::left << std::setw(4) << i << std::setw(26) << layer.name << std::setw(8)
                  << layerKindName(layer.kind) << std::setw(16) << shapeText(layer.weightShape) << std::right
                  << std::setw(10) << layer.parameterCount() << std::setw(12) << layer.macs << "\n";
    }
    std::cout << "total MACs per image: " << macs << "\n";
}

void printJson(const Network& network)
{
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (const LayerInfo& layer : network.layers()) {
        layers.push_back({{"name", layer.name},
                          {"kind", layerKindName(layer.kind)},
                          {"weight_shape", layer.weightShape},
                          {"groups", layer.groups},
                          {"parameters", layer.parameterCount()},
                          {"macs", layer.macs},
                          {"takes_image", layer.takesImage}});
    }
    const nlohmann::ordered_json out = {{"architecture", network.spec().architecture},
                                        {"input", network.spec().inputShapeText()},
                                        {"parameters", network.parameterCount()},
                                        {"layers", layers}};
    std::cout << out.dump(2) << "\n";
}

void run(const LayersOptions& options)
{
    options.runtime.apply();
    std::unique_ptr<Network> network;
    if (!options.architecture.empty()) {
        // An untrained zoo network shaped for the data set.
        if (options.data.settings.kind() == DatasetKind::ImageFolder)
            throw ConfigError("--arch lists an untrained zoo network for fashion-mnist or cifar10; for an image "
                              "folder, train one (train --arch) and list it with --model");
        const ModelSpec spec = zooSpec(options.architecture, options.data.settings.kind());
        network = std::make_unique<Network>(Network::create(spec));
    } else {
        network = std::make_unique<Network>(options.model.load(options.data, options.runtime));
    }
    if (options.runtime.json)
        printJson(*network);
    else
        printTable(*network);
}

} // namespace

void addLayersCommand(CLI::App& app)
{
    auto options = std::make_shared<LayersOptions>();
    CLI::App* command =
        app.add_subcommand("layers", "List a network's quantizable layers (name, kind, shape, parameters, MACs)");
    options->model.addTo(*command);
    std::string zoo;
    for (const auto& entry : zooArchitectures())
        zoo += (zoo.empty() ? "" : ", ") + entry.name;
    command->add_option("--arch", options->architecture, "list an untrained zoo network instead: " + zoo);
    options->data.addTo(*command);
    options->runtime.addTo(*command);
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
