#include "study/study_spec.h"

#include "common/error.h"
#include "common/json_integer.h"
#include "quant/quantizer.h"
#include "search/encoding.h"
#include "search/strategy.h"
#include "train/device.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <thread>
#include <type_traits>

namespace quantscope {

StudySpec StudySpec::defaults()
{
    StudySpec spec;
    // NUQ's protocol scaled to the shipped model: quantize only, then short, medium and long
    // fine-tuning (NUQ: 0, 1, 2 and 15 epochs). Costs are first guesses in seconds; measured
    // evaluation times replace them.
    spec.tasks = {{"quantize only", 0, 2.0}, {"50 steps", 50, 8.0}, {"150 steps", 150, 20.0}, {"600 steps", 600, 70.0}};
    spec.budgetTrials = 60;
    spec.measureBaselines = true;
    return spec;
}

StudySpec StudySpec::synthetic()
{
    StudySpec spec = defaults();
    spec.evaluator = "synthetic";
    spec.tasks = {{"quantize only", 0, 0.25}, {"1 epoch", 1, 1.25}, {"2 epochs", 2, 2.25}, {"15 epochs", 15, 15.25}};
    spec.measureBaselines = false; // a demo of the search itself
    return spec;
}

int StudySpec::cheapestTask() const
{
    int cheapest = 0;
    for (size_t t = 1; t < tasks.size(); ++t)
        if (tasks[t].cost < tasks[size_t(cheapest)].cost)
            cheapest = int(t);
    return cheapest;
}

BudgetAxis budgetAxis(const std::vector<int64_t>& taskSteps)
{
    const bool bySteps = std::set<int64_t>(taskSteps.begin(), taskSteps.end()).size() == taskSteps.size();
    BudgetAxis axis;
    for (size_t t = 0; t < taskSteps.size(); ++t) {
        axis.positions.push_back(bySteps ? std::log1p(double(std::max<int64_t>(0, taskSteps[t]))) : double(t));
        axis.groups.push_back(bySteps && taskSteps[t] > 0 ? 1 : 0);
    }
    return axis;
}

BudgetAxis StudySpec::taskAxis() const
{
    std::vector<int64_t> steps;
    for (const StudyTask& task : tasks)
        steps.push_back(task.steps);
    return budgetAxis(steps);
}

int StudySpec::evaluationThreads() const
{
    if (threads > 0 || workers <= 1)
        return threads;
    return std::max(1, int(std::thread::hardware_concurrency()) / workers);
}

void StudySpec::validate() const
{
    if (name.empty())
        throw ConfigError("study: name is empty");
    if (evaluator != "torch" && evaluator != "synthetic" && evaluator != "command")
        throw ConfigError("study: evaluator '" + evaluator + "' is not torch, synthetic or command");
    if (evaluator == "command" && command.empty())
        throw ConfigError("study: the command evaluator needs \"command\"");
    // Entries beyond a float's range become infinite, which the stored spec could not hold (JSON
    // has no infinity) and no network can use.
    for (float m : inputMean)
        if (!std::isfinite(m))
            throw ConfigError("study: input_mean entries must be finite numbers");
    for (float s : inputStd)
        if (!(s > 0) || !std::isfinite(s))
            throw ConfigError("study: input_std entries must be positive finite numbers");
    if (evaluator == "torch") {
        try {
            data.validate();
        } catch (const ConfigError& e) {
            throw ConfigError(std::string("study: ") + e.what());
        }
        if (data.searchSize == 0)
            throw ConfigError("study: search_size must be at least 1: the search is scored on that split");
    }
    if (tasks.empty())
        throw ConfigError("study: no tasks");
    for (size_t t = 0; t < tasks.size(); ++t) {
        if (tasks[t].steps < 0)
            throw ConfigError("study: task " + std::to_string(t) + " has negative steps");
        if (!(tasks[t].cost > 0))
            throw ConfigError("study: task " + std::to_string(t) + " needs a positive cost");
    }
    if (evaluator == "synthetic" && tasks.size() != 4)
        throw ConfigError("study: the synthetic evaluator has 4 tasks, the study lists "
                          + std::to_string(tasks.size()));
    if (batch < 1)
        throw ConfigError("study: batch must be at least 1");
    if (threads < 0 || threads > maxComputeThreads())
        throw ConfigError("study: threads must be 0..." + std::to_string(maxComputeThreads()) + " (4 per core)");
    if (evaluator == "synthetic" && (syntheticLayers < 1 || syntheticLayers > 1000))
        throw ConfigError("study: synthetic_layers must be 1..1000");
    if (!(syntheticDelay >= 0) || !std::isfinite(syntheticDelay))
        throw ConfigError("study: synthetic_delay must be a non-negative number of seconds");
    if (!(commandTimeout > 0) || !std::isfinite(commandTimeout))
        throw ConfigError("study: command_timeout must be a positive number of seconds");
    try { // unknown names fail here, not at the first step
        makeEncoding(encoding, 16);
        makeStrategy(strategy);
        parseQuantizerKind(quantizer);
    } catch (const ConfigError& e) {
        throw ConfigError(std::string("study: ") + e.what());
    }
    if (strategy == "ebs") {
        if (evaluator != "torch")
            throw ConfigError("study: the ebs strategy trains the study's network in its search jobs; it needs the "
                              "torch evaluator, not "
                              + evaluator);
        for (double budget : ebs.budgets)
            if (!(budget > 0) || !std::isfinite(budget))
                throw ConfigError("study: ebs.budgets entries must be positive numbers of MB");
        if (ebs.steps < 1 || ebs.steps > 10000000)
            throw ConfigError("study: ebs.steps must be 1..10000000");
        if (ebs.candidates.empty())
            throw ConfigError("study: ebs.candidates is empty");
        for (size_t i = 0; i < ebs.candidates.size(); ++i)
            if (ebs.candidates[i] < 1 || ebs.candidates[i] > 8 || (i > 0 && ebs.candidates[i] <= ebs.candidates[i - 1]))
                throw ConfigError("study: ebs.candidates must be increasing widths within 1..8");
    }
    if (workers < 1 || workers > 64)
        throw ConfigError("study: workers must be 1..64");
    if (executor != "local" && executor != "slurm")
        throw ConfigError("study: executor '" + executor + "' is not local or slurm");
    if (slurm.cpus < 0 || slurm.cpus > 4096)
        throw ConfigError("study: slurm.cpus must be 0 (the evaluation threads) .. 4096");
    if (slurm.maxRequeues < 0 || slurm.maxRequeues > 100)
        throw ConfigError("study: slurm.max_requeues must be 0..100");
    if (!(slurm.pollSeconds >= 0.1 && slurm.pollSeconds <= 3600))
        throw ConfigError("study: slurm.poll_seconds must be 0.1..3600");
    if (!budgetTrials && !budgetCost)
        throw ConfigError("study: give a budget (\"budget_trials\" or \"budget_cost\")");
    if (budgetTrials && *budgetTrials < 1)
        throw ConfigError("study: budget_trials must be at least 1");
    if (budgetCost && !(*budgetCost > 0))
        throw ConfigError("study: budget_cost must be positive");
    if (!(effectiveK > 0))
        throw ConfigError("study: effective_k must be positive");
    if (initialCheap < 0 || initialCheap > 1000)
        throw ConfigError("study: initial_design must be 0 (automatic) .. 1000");
    if (initialTarget < 0 || initialTarget > 1000)
        throw ConfigError("study: initial_target must be 0..1000");
}

std::string StudySpec::toJson() const
{
    nlohmann::ordered_json taskList = nlohmann::ordered_json::array();
    for (const StudyTask& t : tasks)
        taskList.push_back({{"name", t.name}, {"steps", t.steps}, {"cost", t.cost}});
    nlohmann::ordered_json j = {
        {"name", name},
        {"evaluator", evaluator},
        {"model", model},
        {"input_mean", inputMean},
        {"input_std", inputStd},
        {"dataset", data.dataset},
        {"data_dir", data.dataDir},
        {"search_size", data.searchSize},
        {"split_seed", data.splitSeed},
        {"limit", data.limit},
        {"resize", data.folder.resize},
        {"crop", data.folder.crop},
        {"color", data.folder.color},
        {"augment", data.folder.augment},
        {"on_bad_image", data.folder.onBadImage},
        {"image_cache_mb", data.folder.cacheMB},
        {"data_workers", data.folder.workers},
        {"quantizer", quantizer},
        {"quantize_image_input", quantizeImageInput},
        {"threads", threads},
        {"synthetic_layers", syntheticLayers},
        {"synthetic_seed", syntheticSeed},
        {"synthetic_delay", syntheticDelay},
        {"command", command},
        {"command_timeout", commandTimeout},
        {"tasks", taskList},
        {"encoding", encoding},
        {"strategy", strategy},
        {"ebs", {{"budgets", ebs.budgets}, {"candidates", ebs.candidates}, {"steps", ebs.steps}}},
        {"batch", batch},
        {"workers", workers},
        {"executor", executor},
        {"slurm",
         {{"partition", slurm.partition},
          {"time_limit", slurm.timeLimit},
          {"cpus", slurm.cpus},
          {"mem", slurm.memory},
          {"gres", slurm.gres},
          {"sbatch_args", slurm.sbatchArgs},
          {"setup", slurm.setup},
          {"jobs_folder", slurm.jobsFolder},
          {"program", slurm.program},
          {"max_requeues", slurm.maxRequeues},
          {"poll_seconds", slurm.pollSeconds}}},
        {"effective_k", effectiveK},
        {"seed", seed},
        {"initial_design", initialCheap},
        {"initial_target", initialTarget},
        {"measure_baselines", measureBaselines}};
    j["budget_trials"] = budgetTrials ? nlohmann::ordered_json(*budgetTrials) : nlohmann::ordered_json(nullptr);
    j["budget_cost"] = budgetCost ? nlohmann::ordered_json(*budgetCost) : nlohmann::ordered_json(nullptr);
    return j.dump(2);
}

StudySpec StudySpec::fromJson(const std::string& text)
{
    StudySpec spec = defaults();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) { // syntax, and numbers out of range (1e999)
        throw ConfigError(std::string("study file is not valid JSON: ") + e.what());
    }
    if (!j.is_object())
        throw ConfigError("study file must hold a JSON object");
    std::string field;
    try {
        auto readFrom = [&](const nlohmann::json& object, const char* key, const std::string& name, auto& target) {
            field = name;
            if (!object.contains(key) || object.at(key).is_null())
                return;
            using Target = std::decay_t<decltype(target)>;
            if constexpr (std::is_integral_v<Target> && !std::is_same_v<Target, bool>)
                target = jsonInteger<Target>(object.at(key), "study file: field \"" + field + "\"");
            else
                object.at(key).get_to(target);
        };
        auto read = [&](const char* key, auto& target) { readFrom(j, key, key, target); };
        read("name", spec.name);
        read("evaluator", spec.evaluator);
        read("model", spec.model);
        read("input_mean", spec.inputMean);
        read("input_std", spec.inputStd);
        read("dataset", spec.data.dataset);
        read("data_dir", spec.data.dataDir);
        read("search_size", spec.data.searchSize);
        read("split_seed", spec.data.splitSeed);
        read("limit", spec.data.limit);
        read("resize", spec.data.folder.resize);
        read("crop", spec.data.folder.crop);
        read("color", spec.data.folder.color);
        read("augment", spec.data.folder.augment);
        read("on_bad_image", spec.data.folder.onBadImage);
        read("image_cache_mb", spec.data.folder.cacheMB);
        read("data_workers", spec.data.folder.workers);
        read("quantizer", spec.quantizer);
        read("quantize_image_input", spec.quantizeImageInput);
        read("threads", spec.threads);
        read("synthetic_layers", spec.syntheticLayers);
        read("synthetic_seed", spec.syntheticSeed);
        read("synthetic_delay", spec.syntheticDelay);
        read("command", spec.command);
        read("command_timeout", spec.commandTimeout);
        read("encoding", spec.encoding);
        read("strategy", spec.strategy);
        read("batch", spec.batch);
        read("workers", spec.workers);
        read("effective_k", spec.effectiveK);
        read("seed", spec.seed);
        read("initial_design", spec.initialCheap);
        read("initial_target", spec.initialTarget);
        read("measure_baselines", spec.measureBaselines);
        read("executor", spec.executor);
        field = "slurm";
        if (j.contains("slurm") && !j.at("slurm").is_null()) {
            const nlohmann::json& slurm = j.at("slurm");
            if (!slurm.is_object())
                throw ConfigError("study file: field \"slurm\" must be an object");
            auto readSlurm = [&](const char* key, auto& target) {
                readFrom(slurm, key, std::string("slurm.") + key, target);
            };
            readSlurm("partition", spec.slurm.partition);
            readSlurm("time_limit", spec.slurm.timeLimit);
            readSlurm("cpus", spec.slurm.cpus);
            readSlurm("mem", spec.slurm.memory);
            readSlurm("gres", spec.slurm.gres);
            readSlurm("sbatch_args", spec.slurm.sbatchArgs);
            readSlurm("setup", spec.slurm.setup);
            readSlurm("jobs_folder", spec.slurm.jobsFolder);
            readSlurm("program", spec.slurm.program);
            readSlurm("max_requeues", spec.slurm.maxRequeues);
            readSlurm("poll_seconds", spec.slurm.pollSeconds);
        }
        field = "ebs";
        if (j.contains("ebs") && !j.at("ebs").is_null()) {
            const nlohmann::json& ebs = j.at("ebs");
            if (!ebs.is_object())
                throw ConfigError("study file: field \"ebs\" must be an object");
            auto readEbs = [&](const char* key, auto& target) {
                readFrom(ebs, key, std::string("ebs.") + key, target);
            };
            readEbs("budgets", spec.ebs.budgets);
            readEbs("candidates", spec.ebs.candidates);
            readEbs("steps", spec.ebs.steps);
        }
        field = "tasks";
        if (j.contains("tasks")) {
            spec.tasks.clear();
            for (const auto& t : j.at("tasks"))
                spec.tasks.push_back(
                    {t.value("name", "task " + std::to_string(spec.tasks.size())),
                     t.contains("steps") ? jsonInteger<int64_t>(t.at("steps"), "study file: a task's \"steps\"") : 0,
                     t.value("cost", 1.0)});
        }
        field = "budget";
        if (j.contains("budget_trials") || j.contains("budget_cost")) {
            spec.budgetTrials.reset();
            spec.budgetCost.reset();
            if (j.contains("budget_trials") && !j.at("budget_trials").is_null())
                spec.budgetTrials = jsonInteger<int>(j.at("budget_trials"), "study file: field \"budget_trials\"");
            if (j.contains("budget_cost") && !j.at("budget_cost").is_null())
                spec.budgetCost = j.at("budget_cost").get<double>();
        }
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError("study file: field \"" + field + "\" has the wrong type (" + e.what() + ")");
    }
    spec.validate();
    return spec;
}

} // namespace quantscope
