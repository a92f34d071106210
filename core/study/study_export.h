#pragma once

#include "common/progress.h"
#include "quant/bit_config.h"
#include "study/study_store.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace quantscope {

struct StudyAssets;

/// One export of a study (docs/export.md), the same from the command line and the workbench.
struct StudyExport {
    std::string format = "bits-json"; ///< bits-json, trials-csv, aimet-json, torchscript or onnx
    std::optional<BitConfig> bits;    ///< none: the measured configuration with the best E
    std::string path;                 ///< file to write; empty: text formats return their content
    /// Which weights model formats hold: "trial" (the default) re-runs the fine-tuning of the
    /// configuration's target-task trial (its seed, steps and data) so that the file scores what
    /// the study reported; "quantized": quantized from the FP32 model, not fine-tuned; "final":
    /// NUQ's final fine-tune, `finalSteps` on the training split, scored on the hold-out split
    /// the search never saw.
    std::string weights = "trial";
    int64_t finalSteps = 0; ///< "final": 0 = five times the target task's steps
    /// Told, for model formats, what the file holds and the accuracy it reproduces.
    std::function<void(const std::string&)> note;
    WorkControl control; ///< progress and cancel of the re-run fine-tuning
};

/// Layers a target runtime cannot execute at the chosen bits (shown before writing); none for
/// formats that are not about runtimes. ConfigError for a bad format or configuration.
std::vector<std::string> studyExportWarnings(const StoredStudy& study, const std::vector<TrialRow>& trials,
                                             const StudyExport& request);

/// The checks that need no network, data or GP, for a dialog to run before it closes: a known
/// format, a file to write in a writable folder, a configuration (when given) that names the
/// study's layers, and the uniform quantizer for ONNX and AIMET. ConfigError naming what is wrong.
void checkStudyExport(const StoredStudy& study, const StudyExport& request);

/// Writes the export. Text formats without a path return their content; model formats
/// (torchscript, onnx) need a path and a study of a real model (they load its network and data).
/// `assets`: the study's network and data when the caller has them loaded (else loaded here).
/// ConfigError / ModelError naming what is wrong; nothing is written then.
std::string exportStudy(const StoredStudy& study, const std::vector<TrialRow>& trials, const StudyExport& request,
                        std::shared_ptr<const StudyAssets> assets = nullptr);

} // namespace quantscope
