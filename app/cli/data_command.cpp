#include "cli_context.h"
#include "commands.h"

#include "common/error.h"
#include "data/batch_prefetcher.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

namespace quantscope::cli {
namespace {

struct DataCommandOptions {
    DataOptions data;
    RuntimeOptions runtime;
    std::string saveImages; ///< .npy file of a split's preprocessed images
    std::string split = "holdout";
    size_t count = 0;
    bool check = false; ///< decode every image of every split
};

/// NumPy's .npy format, version 1.0: a magic string, a header dictionary padded so that the
/// data starts 64-byte aligned, then the array in C order.
void writeNpy(const std::string& path, const std::string& dtype, const std::vector<size_t>& shape, const void* data,
              size_t bytes)
{
    std::string dims;
    for (size_t d : shape)
        dims += std::to_string(d) + ",";
    if (shape.size() > 1)
        dims.pop_back();
    std::string header = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    const size_t unpadded = 10 + header.size() + 1;
    header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
    std::ofstream out(path, std::ios::binary);
    const uint16_t length = uint16_t(header.size());
    out.write("\x93NUMPY\x01\x00", 8);
    out.write(reinterpret_cast<const char*>(&length), 2); // little-endian on every machine we build for
    out << header;
    out.write(static_cast<const char*>(data), std::streamsize(bytes));
    if (!out)
        throw ConfigError("cannot write " + path);
}

std::string listed(const std::vector<float>& values)
{
    std::ostringstream out;
    out << std::setprecision(4);
    for (size_t i = 0; i < values.size(); ++i)
        out << (i ? "," : "") << values[i];
    return out.str();
}

void run(const DataCommandOptions& options)
{
    options.runtime.apply();
    ProgressPrinter printer(!options.runtime.json);
    WorkControl control = printer.control();
    const DataSettings& settings = options.data.settings;
    DataSplits splits = loadSplits(settings, 0, control);
    if (options.check) { // the streamed splits too: every image decoded once, none kept
        std::vector<std::string> skipped;
        readThrough(*splits.train, "check training images", control, &skipped);
        readThrough(*splits.holdout, "check hold-out images", control, &skipped);
        for (const std::string& why : skipped)
            splits.notes.push_back("skipped (--on-bad-image skip): " + why);
    }
    printNotes(splits);
    const DataSummary summary = summarise(splits);
    std::vector<float> mean, stddev;
    measureNormalisation(splits.calibration, mean, stddev);
    const ImageShape shape = summary.shape;
    const std::string transform =
        settings.kind() == DatasetKind::ImageFolder ? settings.folder.transform().describe() : std::string("none");

    if (!options.saveImages.empty()) {
        const ImageSource& source = splitByName(splits, options.split);
        const ImageSet images = readIntoMemory(source, options.count, decodingThreads(settings.folder.workers),
                                               "decode " + options.split, control);
        writeNpy(options.saveImages, "|u1",
                 {images.size(), size_t(shape.channels), size_t(shape.height), size_t(shape.width)},
                 images.pixels.data(), images.pixels.size());
        const std::string labels = options.saveImages.substr(0, options.saveImages.rfind(".npy")) + ".labels.npy";
        writeNpy(labels, "<i8", {images.size()}, images.labels.data(), images.labels.size() * sizeof(int64_t));
        std::cerr << "wrote " << images.size() << " " << options.split << " images to " << options.saveImages
                  << " and their labels to " << labels << "\n";
    }

    if (options.runtime.json) {
        nlohmann::ordered_json list = nlohmann::ordered_json::array();
        for (size_t c = 0; c < summary.classes.size(); ++c)
            list.push_back({{"name", summary.classes[c]},
                            {"train", summary.train[c]},
                            {"search", summary.search[c]},
                            {"holdout", summary.holdout[c]}});
        const nlohmann::ordered_json out = {{"dataset", settings.dataset},
                                            {"data_dir", settings.dataDir},
                                            {"input", shape.text()},
                                            {"transform", transform},
                                            {"train", splits.train->size()},
                                            {"search", splits.search.size()},
                                            {"holdout", splits.holdout->size()},
                                            {"classes", list},
                                            {"mean", mean},
                                            {"std", stddev},
                                            {"notes", splits.notes}};
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << settings.dataset << (settings.dataDir.empty() ? "" : " " + settings.dataDir) << ": "
              << summary.oneLine() << " (transform: " << transform << ")\n"
              << summary.table() << "training images' statistics (" << splits.calibration.size() << " images): mean "
              << listed(mean) << ", std " << listed(stddev) << "\n";
}

} // namespace

void addDataCommand(CLI::App& app)
{
    auto options = std::make_shared<DataCommandOptions>();
    CLI::App* command = app.add_subcommand(
        "data", "Show a data set's classes and splits (image folders: as they are read and preprocessed)");
    options->data.addTo(*command);
    command->add_option("--save-images", options->saveImages,
                        "write a split's preprocessed images (uint8 N x C x H x W) to this .npy file, and its "
                        "labels beside it (.labels.npy)");
    command->add_option("--split", options->split, "the split --save-images writes: train, search or holdout")
        ->capture_default_str();
    command->add_option("--count", options->count, "the first N images of the split (0: all)");
    command->add_flag("--check", options->check,
                      "decode every image of every split once (the search and calibration images always are): "
                      "the first damaged one is an error, or with --on-bad-image skip each is listed");
    options->runtime.addTo(*command);
    command->callback([options] { run(*options); });
}

} // namespace quantscope::cli
