#pragma once

#include <CLI/CLI.hpp>

namespace quantscope::cli {

// Each adds one subcommand to the quantscope-cli application.
void addLayersCommand(CLI::App& app);
void addDataCommand(CLI::App& app);
void addTrainCommand(CLI::App& app);
void addEvalCommand(CLI::App& app);
void addLatencyCommand(CLI::App& app);
void addGpCommand(CLI::App& app);
void addEbsCommand(CLI::App& app);
void addStudyCommand(CLI::App& app);

} // namespace quantscope::cli
