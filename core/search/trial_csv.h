#pragma once

#include "quant/bit_config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

/// One observed evaluation from elsewhere: a configuration, the task (fine-tuning budget index)
/// and the accuracy measured.
struct TrialRecord {
    BitConfig bits;
    int task = 0;
    double accuracy = 0;
    std::optional<int64_t> steps; ///< the task's fine-tuning steps, where the file says
};

/// Reads trials from CSV with a header naming the columns `config`, `task` and `accuracy` (any
/// order), optionally `steps` (the task's fine-tuning steps) and `status` (rows other than "done"
/// are skipped, as a study's trials-csv export lists queued and failed trials); other columns are
/// ignored. `config` is the compact form ("8,6,6,4", quoted because of its commas, or "8 6 6 4").
/// Every row must have the same number of layers. Throws ConfigError naming the file and line of
/// the first bad row (a NaN accuracy included).
std::vector<TrialRecord> readTrialsCsv(const std::string& path);

/// Splits one CSV line into fields (double quotes group commas; "" is a literal quote).
std::vector<std::string> splitCsvLine(const std::string& line);

} // namespace quantscope
