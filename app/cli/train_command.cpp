#include "cli_context.h"
#include "commands.h"

#include "model/zoo.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>

namespace quantscope::cli {
namespace {

struct TrainCommandOptions {
    std::string architecture = "vgg11s";
    std::string output;
    TrainOptions train;
    bool noAugment = false;
    DataOptions data;
    RuntimeOptions runtime;
};

void run(TrainCommandOptions& options)
{
    options.runtime.apply();
    const DatasetKind kind = options.data.settings.kind();
    options.train.augment = !options.noAugment;
    ProgressPrinter printer(!options.runtime.json);
    WorkControl control = printer.control();
    DataSplits splits = loadSplits(options.data.settings, 0, control);

    ModelSpec spec;
    if (kind == DatasetKind::ImageFolder) {
        // A network for the folder's images, normalised by their statistics (as torchvision users do).
        std::vector<float> mean, stddev;
        measureNormalisation(splits.calibration, mean, stddev);
        spec = zooSpec(options.architecture, splits.shape(), int(splits.classNames.size()), mean, stddev);
    } else {
        spec = zooSpec(options.architecture, kind);
    }
    printNotes(splits);
    Network network = Network::create(spec, options.train.seed);
    network.toDevice(options.runtime.device);
    const TrainReport report = train(network, *splits.train, splits.augmentation, options.train, control);
    network.save(options.output);
    const double searchAccuracy = evaluateAccuracy(network, splits.search);
    const double holdoutAccuracy = evaluateAccuracy(network, *splits.holdout, control);

    if (options.runtime.json) {
        const nlohmann::ordered_json out = {{"model", options.output},           {"architecture", options.architecture},
                                            {"dataset", datasetName(kind)},      {"steps", report.steps},
                                            {"final_loss", report.lastLoss},     {"seconds", report.seconds},
                                            {"search_accuracy", searchAccuracy}, {"holdout_accuracy", holdoutAccuracy}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << std::fixed << std::setprecision(2) << "saved " << options.output << " (" << options.architecture
              << " on " << datasetName(kind) << ", " << report.steps << " steps in " << report.seconds
              << " s, final loss " << std::setprecision(4) << report.lastLoss << ")\n"
              << std::setprecision(2) << "float top-1: " << searchAccuracy << " % on search (" << splits.search.size()
              << " images), " << holdoutAccuracy << " % on hold-out (" << splits.holdout->size() << " images)\n";
}

} // namespace

void addTrainCommand(CLI::App& app)
{
    auto options = std::make_shared<TrainCommandOptions>();
    CLI::App* command = app.add_subcommand("train", "Train a zoo network in FP32 and save it");
    command->add_option("--arch", options->architecture, "zoo architecture")->capture_default_str();
    command->add_option("--out", options->output, "model file to write")->required();
    command->add_option("--epochs", options->train.epochs, "epochs")->capture_default_str();
    command->add_option("--steps", options->train.steps, "optimizer steps (overrides --epochs)");
    command->add_option("--batch", options->train.batchSize, "batch size")->capture_default_str();
    command->add_option("--lr", options->train.learningRate, "peak learning rate (cosine decay)")
        ->capture_default_str();
    command->add_option("--weight-decay", options->train.weightDecay, "weight decay")->capture_default_str();
    command->add_option("--seed", options->train.seed, "seed of initialisation, order and augmentation")
        ->capture_default_str();
    command->add_flag("--no-augment", options->noAugment, "train without augmentation");
    options->data.addTo(*command);
    options->runtime.addTo(*command);
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
