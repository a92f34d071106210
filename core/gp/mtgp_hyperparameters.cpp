#include "gp/mtgp_hyperparameters.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

namespace quantscope {
namespace {

std::vector<double> toVector(const Eigen::VectorXd& v)
{
    return std::vector<double>(v.data(), v.data() + v.size());
}

Eigen::VectorXd fromVector(const std::vector<double>& v)
{
    return Eigen::Map<const Eigen::VectorXd>(v.data(), Eigen::Index(v.size()));
}

/// A kernel's per-input parameters: lengthscales and, when warped, the Kumaraswamy a and b.
void writeInputs(const ArdKernel& kernel, nlohmann::ordered_json& j)
{
    j["lengthscales"] = toVector(kernel.lengthscales);
    if (kernel.warped()) {
        j["warp_a"] = toVector(kernel.warpA);
        j["warp_b"] = toVector(kernel.warpB);
    }
}

void readInputs(const nlohmann::json& j, ArdKernel& kernel)
{
    kernel.lengthscales = fromVector(j.at("lengthscales").get<std::vector<double>>());
    if (j.contains("warp_a") || j.contains("warp_b")) {
        kernel.warpA = fromVector(j.at("warp_a").get<std::vector<double>>());
        kernel.warpB = fromVector(j.at("warp_b").get<std::vector<double>>());
    }
}

void validateInputs(const ArdKernel& kernel, Eigen::Index inputDim)
{
    if (kernel.lengthscales.size() != inputDim || (kernel.lengthscales.array() <= 0).any())
        throw ConfigError("GP lengthscales must be positive, one per input");
    if (kernel.warped()
        && (kernel.warpA.size() != inputDim || kernel.warpB.size() != inputDim || (kernel.warpA.array() <= 0).any()
            || (kernel.warpB.array() <= 0).any()))
        throw ConfigError("GP input warping needs a positive a and b per input");
}

} // namespace

Eigen::MatrixXd MtgpHyperparameters::taskCovariance() const
{
    Eigen::MatrixXd b = taskFactor * taskFactor.transpose();
    b.diagonal() += taskDiagonal;
    return b;
}

Eigen::MatrixXd MtgpHyperparameters::taskCorrelation() const
{
    const Eigen::MatrixXd b = taskCovariance();
    const Eigen::VectorXd inverseSd = b.diagonal().cwiseSqrt().cwiseInverse();
    return inverseSd.asDiagonal() * b * inverseSd.asDiagonal();
}

void MtgpHyperparameters::validate() const
{
    const auto tasks = taskMean.size();
    if (tasks < 1)
        throw ConfigError("GP hyperparameters need at least one task");
    if (taskFactor.rows() != tasks || taskDiagonal.size() != tasks || noiseVariance.size() != tasks)
        throw ConfigError("GP hyperparameters disagree on the number of tasks");
    if (kernel.lengthscales.size() < 1)
        throw ConfigError("GP lengthscales must be positive");
    validateInputs(kernel, kernel.lengthscales.size());
    if (hasSpecificKernel()) {
        validateInputs(specificKernel, kernel.lengthscales.size());
        if (specificKernel.kind != kernel.kind)
            throw ConfigError("GP task-specific kernel must be of the shared kernel's kind");
    }
    if ((taskDiagonal.array() <= 0).any() || (noiseVariance.array() <= 0).any())
        throw ConfigError("GP task diagonal and noise variances must be positive");
}

std::string MtgpHyperparameters::toJson() const
{
    nlohmann::ordered_json factor = nlohmann::ordered_json::array();
    for (Eigen::Index t = 0; t < taskFactor.rows(); ++t)
        factor.push_back(toVector(taskFactor.row(t).transpose()));
    nlohmann::ordered_json j = {{"kernel", kernelName(kernel.kind)}};
    writeInputs(kernel, j);
    if (hasSpecificKernel()) {
        nlohmann::ordered_json specific;
        writeInputs(specificKernel, specific);
        j["specific_kernel"] = specific;
    }
    j["task_factor"] = factor;
    j["task_diagonal"] = toVector(taskDiagonal);
    j["task_mean"] = toVector(taskMean);
    j["noise_variance"] = toVector(noiseVariance);
    return j.dump(2);
}

MtgpHyperparameters MtgpHyperparameters::fromJson(const std::string& text)
{
    MtgpHyperparameters h;
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        h.kernel.kind = parseKernelKind(j.at("kernel").get<std::string>());
        readInputs(j, h.kernel);
        if (j.contains("specific_kernel")) {
            h.specificKernel.kind = h.kernel.kind;
            readInputs(j.at("specific_kernel"), h.specificKernel);
        }
        const auto rows = j.at("task_factor").get<std::vector<std::vector<double>>>();
        const size_t rank = rows.empty() ? 0 : rows.front().size();
        if (!rows.empty() && rank == 0) // a task with no factor entries: rank 0 is no covariance model
            throw ConfigError("GP hyperparameters: task_factor rows are empty");
        h.taskFactor.resize(Eigen::Index(rows.size()), Eigen::Index(rank));
        for (size_t t = 0; t < rows.size(); ++t) {
            if (rows[t].size() != rank)
                throw ConfigError("GP hyperparameters: task_factor rows differ in length");
            h.taskFactor.row(Eigen::Index(t)) = fromVector(rows[t]).transpose();
        }
        h.taskDiagonal = fromVector(j.at("task_diagonal").get<std::vector<double>>());
        h.taskMean = fromVector(j.at("task_mean").get<std::vector<double>>());
        h.noiseVariance = fromVector(j.at("noise_variance").get<std::vector<double>>());
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("malformed GP hyperparameters: ") + e.what());
    }
    h.validate();
    return h;
}

} // namespace quantscope
