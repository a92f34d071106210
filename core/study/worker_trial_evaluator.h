#pragma once

#include "study/child_process.h"
#include "study/trial_evaluator.h"

#include <string>
#include <vector>

namespace quantscope {

/// One parallel worker of a torch or synthetic study: a `quantscope-cli study evaluate --serve`
/// process started on the first trial and kept, so that its network and data are loaded once
/// (about 2 s a trial before) while its LibTorch thread pool, seeds and memory stay its own. Each
/// trial is one request line and one result line (docs/evaluator-protocol.md); a worker that fails
/// or times out fails the trial with the reason and is started again for the next.
class WorkerTrialEvaluator final : public TrialEvaluator {
public:
    WorkerTrialEvaluator(std::vector<std::string> command, double timeout, std::vector<LayerInfo> layers);

    std::vector<LayerInfo> layers() const override { return layers_; }
    TrialResult evaluate(const TrialRequest& request, const WorkControl& control) override;
    /// Worker processes started so far (1 while one process has served every trial).
    int workerStarts() const { return process_.starts(); }

private:
    LineServerProcess process_;
    double timeout_;
    std::vector<LayerInfo> layers_;
};

} // namespace quantscope
