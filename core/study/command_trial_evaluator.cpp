#include "study/command_trial_evaluator.h"

#include "common/error.h"
#include "model/default_model.h"
#include "quant/cost_model.h"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>

namespace quantscope {
namespace {

struct ChildOutput {
    std::string out;
    int status = 0;
    bool timedOut = false;
};

/// Runs `argv` with `input` on stdin; collects stdout until it exits or `timeout` seconds pass.
ChildOutput runChild(const std::vector<std::string>& argv, const std::string& input, double timeout,
                     const WorkControl& control)
{
    int toChild[2], fromChild[2];
    if (pipe(toChild) != 0 || pipe(fromChild) != 0)
        throw EvaluationFailed("cannot create pipes for the evaluator command");
    const pid_t pid = fork();
    if (pid < 0)
        throw EvaluationFailed("cannot start the evaluator command");
    if (pid == 0) {
        dup2(toChild[0], STDIN_FILENO);
        dup2(fromChild[1], STDOUT_FILENO);
        close(toChild[0]);
        close(toChild[1]);
        close(fromChild[0]);
        close(fromChild[1]);
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    close(toChild[0]);
    close(fromChild[1]);
    // Requests are small; a command that does not read stdin must not block us (SIGPIPE ignored).
    signal(SIGPIPE, SIG_IGN);
    for (size_t written = 0; written < input.size();) {
        const ssize_t n = write(toChild[1], input.data() + written, input.size() - written);
        if (n <= 0)
            break;
        written += size_t(n);
    }
    close(toChild[1]);

    ChildOutput result;
    const auto start = std::chrono::steady_clock::now();
    pollfd fd{fromChild[0], POLLIN, 0};
    char buffer[4096];
    for (;;) {
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const bool cancelled = control.cancel && control.cancel->isCancelled();
        if (elapsed > timeout || cancelled) {
            kill(pid, SIGKILL);
            waitpid(pid, &result.status, 0);
            close(fromChild[0]);
            if (cancelled)
                throw Cancelled();
            result.timedOut = true;
            return result;
        }
        const int ready = poll(&fd, 1, 100);
        if (ready > 0) {
            const ssize_t n = read(fromChild[0], buffer, sizeof buffer);
            if (n <= 0)
                break; // end of output
            result.out.append(buffer, size_t(n));
        }
    }
    close(fromChild[0]);
    waitpid(pid, &result.status, 0);
    return result;
}

} // namespace

CommandTrialEvaluator::CommandTrialEvaluator(const StudySpec& spec) :
    command_(spec.command), timeout_(spec.commandTimeout), quantizeImageInput_(spec.quantizeImageInput)
{
    network_ = std::make_unique<Network>(Network::load(spec.model.empty() ? defaultModelPath() : spec.model));
    quantizer_ = makeQuantizer(parseQuantizerKind(spec.quantizer));
}

std::string CommandTrialEvaluator::requestJson(const TrialRequest& request)
{
    nlohmann::ordered_json layers = nlohmann::ordered_json::array();
    for (size_t i = 0; i < request.bits.size(); ++i)
        layers.push_back({{"name", i < request.layerNames.size() ? request.layerNames[i] : ""},
                          {"weight_bits", request.bits[i].weight},
                          {"activation_bits", request.bits[i].activation}});
    const nlohmann::ordered_json j = {{"protocol", 1},
                                      {"study", request.study},
                                      {"trial", request.trialId},
                                      {"config", request.bits.toString()},
                                      {"layers", layers},
                                      {"task", request.task},
                                      {"task_name", request.taskName},
                                      {"finetune_steps", request.steps},
                                      {"seed", request.seed}};
    return j.dump();
}

TrialResult CommandTrialEvaluator::evaluate(const TrialRequest& request, const WorkControl& control)
{
    const auto start = std::chrono::steady_clock::now();
    const ChildOutput child = runChild(command_, requestJson(request) + "\n", timeout_, control);
    if (child.timedOut)
        throw EvaluationFailed("evaluator command timed out after " + std::to_string(int(timeout_)) + " s");
    if (WIFSIGNALED(child.status))
        throw EvaluationFailed("evaluator command was killed by signal " + std::to_string(WTERMSIG(child.status)));
    if (WEXITSTATUS(child.status) == 127)
        throw EvaluationFailed("evaluator command not found: " + command_.front());
    if (WEXITSTATUS(child.status) != 0)
        throw EvaluationFailed("evaluator command exited with status " + std::to_string(WEXITSTATUS(child.status)));

    TrialResult result;
    try {
        const nlohmann::json reply = nlohmann::json::parse(child.out);
        result.accuracy = reply.at("accuracy").get<double>();
        const CostReport cost = computeCost(network_->layers(), request.bits, *quantizer_,
                                            LayerPolicy{quantizeImageInput_, std::nullopt});
        result.memoryMB = reply.value("memory_mb", cost.memoryMB);
        result.bops = reply.value("bops", cost.bops);
    } catch (const nlohmann::json::exception& e) {
        std::string shown = child.out.substr(0, 80);
        for (char& c : shown)
            if (c == '\n')
                c = ' ';
        throw EvaluationFailed("unreadable evaluator output (expected JSON with \"accuracy\"): '" + shown + "'");
    }
    if (!std::isfinite(result.accuracy))
        throw EvaluationFailed("evaluator command reported a non-finite accuracy");
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace quantscope
