#include "search/trial_csv.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <fstream>

namespace quantscope {
namespace {

std::string trimmed(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t\r");
    if (begin == std::string::npos)
        return {};
    return s.substr(begin, s.find_last_not_of(" \t\r") - begin + 1);
}

} // namespace

std::vector<std::string> splitCsvLine(const std::string& line)
{
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
    for (std::string& f : fields)
        f = trimmed(f);
    return fields;
}

std::vector<TrialRecord> readTrialsCsv(const std::string& path)
{
    std::ifstream in(path);
    if (!in)
        throw ConfigError("cannot read trials file " + path);
    std::string line;
    int lineNumber = 1;
    if (!std::getline(in, line))
        throw ConfigError(path + " is empty: expected a header with config, task and accuracy");
    const std::vector<std::string> header = splitCsvLine(line);
    auto optionalColumn = [&](const std::string& name) -> std::optional<size_t> {
        const auto found = std::find(header.begin(), header.end(), name);
        if (found == header.end())
            return std::nullopt;
        return size_t(found - header.begin());
    };
    auto column = [&](const std::string& name) {
        if (const auto found = optionalColumn(name))
            return *found;
        throw ConfigError(path + ": the header has no '" + name + "' column");
    };
    const size_t configColumn = column("config"), taskColumn = column("task"), accuracyColumn = column("accuracy");
    const std::optional<size_t> stepsColumn = optionalColumn("steps"), statusColumn = optionalColumn("status");

    std::vector<TrialRecord> trials;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (trimmed(line).empty())
            continue;
        const std::string where = path + " line " + std::to_string(lineNumber);
        const std::vector<std::string> fields = splitCsvLine(line);
        if (fields.size() < header.size())
            throw ConfigError(where + ": " + std::to_string(fields.size()) + " fields, the header has "
                              + std::to_string(header.size()));
        if (statusColumn && fields[*statusColumn] != "done")
            continue;
        std::string config = fields[configColumn];
        std::replace(config.begin(), config.end(), ' ', ',');
        TrialRecord trial;
        try {
            const size_t layers = size_t(std::count(config.begin(), config.end(), ',') + 1);
            trial.bits = BitConfig::parse(config, std::vector<std::string>(layers, "layer"));
        } catch (const ConfigError& e) {
            throw ConfigError(where + ": " + e.what());
        }
        if (!trials.empty() && trial.bits.size() != trials.front().bits.size())
            throw ConfigError(where + ": " + std::to_string(trial.bits.size()) + " layers, earlier rows have "
                              + std::to_string(trials.front().bits.size()));
        size_t used = 0;
        try {
            trial.task = std::stoi(fields[taskColumn], &used);
            if (used != fields[taskColumn].size() || trial.task < 0)
                throw std::invalid_argument("task");
        } catch (const std::exception&) {
            throw ConfigError(where + ": task '" + fields[taskColumn] + "' is not a task index (0, 1, ...)");
        }
        try {
            trial.accuracy = std::stod(fields[accuracyColumn], &used);
            if (used != fields[accuracyColumn].size())
                throw std::invalid_argument("accuracy");
        } catch (const std::exception&) {
            throw ConfigError(where + ": accuracy '" + fields[accuracyColumn] + "' is not a number");
        }
        if (!std::isfinite(trial.accuracy))
            throw ConfigError(where + ": accuracy is " + fields[accuracyColumn] + " (NaN and infinities are rejected)");
        if (stepsColumn) {
            try {
                trial.steps = std::stoll(fields[*stepsColumn], &used);
                if (used != fields[*stepsColumn].size() || *trial.steps < 0)
                    throw std::invalid_argument("steps");
            } catch (const std::exception&) {
                throw ConfigError(where + ": steps '" + fields[*stepsColumn]
                                  + "' is not a number of fine-tuning steps (0, 50, ...)");
            }
        }
        trials.push_back(std::move(trial));
    }
    if (trials.empty())
        throw ConfigError(path + " has no trials" + (statusColumn ? " with status done" : ""));
    return trials;
}

} // namespace quantscope
