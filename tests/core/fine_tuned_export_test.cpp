// What you see is what you deploy: a model file exported from a fine-tuned target-task trial
// holds that trial's fine-tuned weights, and Debian's python3-torch scores it at the accuracy the
// study reported, on the same images (the study's search split, written out as IDX files), and
// its ONNX export computes the same logits in ONNX Runtime.
#include "study/study_export.h"
#include "idx_fixture.h"
#include "study/study_runner.h"
#include "study/torch_trial_evaluator.h"
#include "temp_dir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/script.h>

#include <sys/wait.h>

#include <cstdlib>
#include <sstream>

namespace quantscope {
namespace {

struct ExportCase {
    const char* name;
    const char* model; ///< empty: the shipped model
    const char* config;
    std::vector<float> mean, std;
    const char* quantizer; ///< uniform: the ONNX export is checked too
};

void PrintTo(const ExportCase& c, std::ostream* out)
{
    *out << c.name;
}

class FineTunedExport : public testing::TestWithParam<ExportCase> {};

TEST_P(FineTunedExport, ScoresTheTrialsAccuracyInPyTorch)
{
    const ExportCase& c = GetParam();
    test::TempDir dir;
    StudySpec spec = StudySpec::defaults();
    spec.name = "export";
    spec.data.limit = 400;
    spec.tasks = {{"quantize only", 0, 1}, {"30 steps", 30, 3}};
    spec.budgetTrials = 1;
    spec.quantizer = c.quantizer;
    if (*c.model) {
        spec.model = std::string(QUANTSCOPE_TEST_DATA "/torchscript/") + c.model;
        spec.inputMean = c.mean;
        spec.inputStd = c.std;
    }
    StudyStore store(dir.file("export.db"));
    const auto assets = StudyAssets::load(spec);
    TorchTrialEvaluator evaluator(spec, assets);
    store.createStudy(spec, evaluator.layers());
    StoredStudy study = store.loadStudy("export");
    std::vector<std::string> names;
    for (const LayerInfo& l : study.layers)
        names.push_back(l.name);

    // One target-task trial, evaluated as the runner does it.
    const BitConfig bits = BitConfig::parse(c.config, names);
    const int64_t id = store.addPendingTrial(study.id, bits, 1, "test");
    store.markRunning(id);
    TrialRequest request;
    request.trialId = id;
    request.layerNames = names;
    request.bits = bits;
    request.task = 1;
    request.steps = 30;
    request.seed = spec.trialSeed(id);
    const TrialResult measured = evaluator.evaluate(request, {});
    store.completeTrial(id, measured);

    StudyExport exported;
    exported.format = "torchscript";
    exported.bits = bits;
    exported.path = dir.file("model.pt");
    std::string note;
    exported.note = [&](const std::string& text) { note = text; };
    exportStudy(study, store.trials(study.id), exported);
    EXPECT_NE(note.find("fine-tuned for 30 steps"), std::string::npos) << note;
    // The file says what it holds.
    torch::jit::ExtraFilesMap extra{{"quantscope.json", ""}};
    torch::jit::load(exported.path, c10::nullopt, extra);
    const nlohmann::json provenance = nlohmann::json::parse(extra["quantscope.json"]);
    EXPECT_EQ(provenance.at("weights"), "trial");
    EXPECT_EQ(provenance.at("configuration"), bits.toString());
    EXPECT_EQ(provenance.at("steps"), 30);
    EXPECT_EQ(provenance.at("trial"), id);
    EXPECT_EQ(provenance.at("split"), "search");
    EXPECT_NEAR(provenance.at("accuracy").get<double>(), measured.accuracy, 0.1);

    // The same images in PyTorch: the search split written as IDX files.
    const ImageSet& search = assets->splits.search;
    test::writeIdxImages(dir.file("t10k-images-idx3-ubyte.gz"), uint32_t(search.size()), uint32_t(search.height),
                         uint32_t(search.width), search.pixels);
    std::vector<uint8_t> labels(search.labels.begin(), search.labels.end());
    test::writeIdxLabels(dir.file("t10k-labels-idx1-ubyte.gz"), labels);
    std::ostringstream command;
    command << "/usr/bin/python3 " << QUANTSCOPE_TEST_DATA << "/../python/check_torchscript.py " << dir.file("model.pt")
            << " " << measured.accuracy << " " << search.size() << " " << dir.path().string();
    if (!c.mean.empty())
        command << " " << c.mean[0] << " " << c.std[0];
    const int status = std::system(command.str().c_str());
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
        GTEST_SKIP() << "python3-torch is not installed";
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command.str();
    if (spec.quantizer != "uniform")
        return;

    // The ONNX export of the trial holds the same fine-tuned network: in ONNX Runtime, operators
    // as the specification defines them, its logits equal the TorchScript export's.
    exported.format = "onnx";
    exported.path = dir.file("model.onnx");
    exportStudy(study, store.trials(study.id), exported);
    const char* ortDir = std::getenv("QUANTSCOPE_ORT_DIR");
    const std::string ort = ortDir
        ? ortDir
        : std::string(std::getenv("HOME") ? std::getenv("HOME") : "") + "/.cache/quantscope/onnxruntime-node";
    std::ostringstream runtime;
    runtime << "node " << QUANTSCOPE_TEST_DATA << "/../node/onnx_logits.js " << ort << " " << exported.path << " "
            << search.size() << " " << dir.path().string() << " disabled > " << dir.file("logits.json")
            << " && /usr/bin/python3 " << QUANTSCOPE_TEST_DATA << "/../python/check_onnx.py --runtime "
            << dir.file("logits.json") << " " << exported.path << " " << dir.file("model.pt") << " "
            << dir.path().string();
    if (!c.mean.empty())
        runtime << " " << c.mean[0] << " " << c.std[0];
    const int ran = std::system(runtime.str().c_str());
    if (WIFEXITED(ran) && WEXITSTATUS(ran) == 77)
        GTEST_SKIP() << "ONNX Runtime (installer/install-onnxruntime.sh) or python3-onnx is not installed";
    EXPECT_TRUE(WIFEXITED(ran) && WEXITSTATUS(ran) == 0) << runtime.str();
}

INSTANTIATE_TEST_SUITE_P(
    Studies, FineTunedExport,
    testing::Values(ExportCase{"shipped", "", "8,6,6,4,4,3,3,2,8", {}, {}, "dsconv"},
                    ExportCase{"imported", "residual.pt", "8,2,2,2,2,2,8", {0.2860f}, {0.3530f}, "dsconv"},
                    ExportCase{"shipped_uniform", "", "8,6,6,4,4,3,3,2,8", {}, {}, "uniform"},
                    ExportCase{"imported_uniform", "residual.pt", "8,4,3,3,3,2,8", {0.2860f}, {0.3530f}, "uniform"},
                    ExportCase{"shipped_hwgq", "", "8,1/2,1/2,2,4,3,3,2,8", {}, {}, "hwgq"},
                    // QN's learned scales travel with the fine-tuned network into the export.
                    ExportCase{"shipped_qn", "", "8,1/2,2/f,2,3,5,3,2,8", {}, {}, "qn"},
                    ExportCase{"imported_qn", "residual.pt", "8,2,3,2,2,2,8", {0.2860f}, {0.3530f}, "qn"}),
    [](const testing::TestParamInfo<ExportCase>& info) { return std::string(info.param.name); });

} // namespace
} // namespace quantscope
