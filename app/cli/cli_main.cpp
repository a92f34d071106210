// quantscope-cli: the headless face of Quantscope.
#include "commands.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <string>

namespace {

/// One line of an error: LibTorch appends C++ backtraces that a user cannot act on.
std::string firstLine(const std::string& text)
{
    return text.substr(0, text.find('\n'));
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app{"Quantscope: mixed-precision quantization search for CNNs", "quantscope-cli"};
    app.set_version_flag("--version", std::string("quantscope-cli ") + QUANTSCOPE_VERSION);
    app.require_subcommand(1);
    quantscope::cli::addLayersCommand(app);
    quantscope::cli::addDataCommand(app);
    quantscope::cli::addTrainCommand(app);
    quantscope::cli::addEvalCommand(app);
    quantscope::cli::addEbsCommand(app);
    quantscope::cli::addLatencyCommand(app);
    quantscope::cli::addGpCommand(app);
    quantscope::cli::addStudyCommand(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::cerr << "quantscope-cli: error: " << firstLine(e.what()) << std::endl;
        return 1;
    }
    return 0;
}
