#pragma once

#include "data/data_settings.h"
#include "train/sensitivity.h"

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace quantscope::cli {

/// Options the study subcommands share.
struct StudyOptions {
    std::string database = "quantscope.db";
    std::string name = "default";
    std::string specFile;
    std::string evaluator;
    std::string model;
    std::vector<float> inputMean, inputStd;
    std::string encoding;
    std::string quantizer;
    std::string strategy;
    std::vector<double> ebsBudgets; ///< the ebs strategy's memory budgets (MB)
    int64_t ebsSteps = 0;           ///< ... steps per search job (0: the default)
    std::vector<int> ebsCandidates; ///< ... candidate widths
    int budgetTrials = 0;
    double budgetCost = 0;
    size_t limit = 0;
    /// The data options (--dataset, --data-dir, --resize, ...): only those given (their names
    /// in `dataGiven`) define or are checked against a study.
    DataSettings data;
    std::set<std::string> dataGiven;
    int batch = 0;
    int workers = 0;
    int threads = -1; ///< -1: the study's setting
    uint64_t seed = 0;
    bool seedGiven = false;
    bool json = false;
    bool serve = false; ///< study evaluate: answer requests line by line until end of input
};

/// What `study export` writes.
struct ExportOptions {
    std::string format = "bits-json";
    std::string config;
    std::string output;
    std::string weights = "trial";
    int64_t finalSteps = 0;
};

// The reading subcommands, in study_report_commands.cpp.
/// `latency`: every point's bit-serial latency and the observed front on it (torch studies).
void printStudyPareto(const StudyOptions& options, size_t top, bool latency);
void exportStudy(const StudyOptions& options, const ExportOptions& exportOptions);
void computeStudySensitivity(const StudyOptions& options, SensitivityOptions settings);

} // namespace quantscope::cli
