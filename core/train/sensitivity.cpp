#include "train/sensitivity.h"

#include "common/error.h"
#include "model/network_backend.h"
#include "train/batches.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <cmath>

namespace quantscope {
namespace {

/// Hutchinson estimates of Tr(H_i) / n_i for every layer, from one loss.
void estimateHessianTraces(Network& network, const ImageSet& trainSet, const SensitivityOptions& options,
                           const WorkControl& control, std::vector<LayerSensitivity>& layers)
{
    NetworkBackend& backend = network.backend();
    const bool wasTraining = backend.isTraining();
    backend.setTraining(false); // BN with running statistics: the deployed network's curvature
    const size_t n = std::min(options.hessianImages, trainSet.size());
    const torch::Tensor input =
        normalise(imageRange(trainSet, 0, n), network.spec()).to(torch::Device(network.device()));
    const torch::Tensor target = labelRange(trainSet, 0, n).to(torch::Device(network.device()));
    std::vector<torch::Tensor> weights;
    for (size_t i = 0; i < layers.size(); ++i)
        weights.push_back(backend.quantLayers().weight(int(i)));

    const torch::Tensor loss = torch::nn::functional::cross_entropy(backend.forward(input), target);
    const std::vector<torch::Tensor> gradients = torch::autograd::grad({loss}, weights, {}, /*retain_graph=*/true,
                                                                       /*create_graph=*/true);
    torch::manual_seed(options.seed);
    std::vector<std::vector<double>> samples(layers.size());
    for (int s = 0; s < options.hutchinsonSamples; ++s) {
        control.checkCancelled();
        std::vector<torch::Tensor> directions;
        torch::Tensor product = torch::zeros({}, input.options());
        for (size_t i = 0; i < weights.size(); ++i) {
            directions.push_back(torch::randint(0, 2, weights[i].sizes(), weights[i].options()).mul_(2).sub_(1));
            product = product + (gradients[i] * directions[i]).sum();
        }
        // One backward pass gives H v for every layer at once (block-diagonal terms used).
        const std::vector<torch::Tensor> hv = torch::autograd::grad({product}, weights, {}, /*retain_graph=*/true);
        for (size_t i = 0; i < weights.size(); ++i)
            samples[i].push_back((hv[i] * directions[i]).sum().item<double>() / double(weights[i].numel()));
        control.report("hessian", s + 1, options.hutchinsonSamples);
    }
    for (size_t i = 0; i < layers.size(); ++i) {
        double mean = 0, squares = 0;
        for (double v : samples[i])
            mean += v;
        mean /= double(samples[i].size());
        for (double v : samples[i])
            squares += (v - mean) * (v - mean);
        layers[i].hessianTrace = mean;
        layers[i].hessianTraceSd =
            samples[i].size() > 1 ? std::sqrt(squares / double(samples[i].size() - 1) / double(samples[i].size())) : 0;
    }
    backend.setTraining(wasTraining);
}

} // namespace

SensitivityReport computeSensitivity(const Network& network, const ImageSet& evalSet, const ImageSet& trainSet,
                                     const SensitivityOptions& options, const WorkControl& control)
{
    if (options.bits.empty())
        throw ConfigError("sensitivity: no bit widths given");
    for (int b : options.bits)
        if (b < 1 || b > 8)
            throw ConfigError("sensitivity: bits must be 1..8, got " + std::to_string(b));
    SensitivityReport report;
    report.bits = options.bits;
    const ImageSet images = evalSet.head(options.images);
    report.images = images.size();
    Network base = network.clone();
    report.floatAccuracy = evaluateAccuracy(base, images);

    const size_t layerCount = network.layers().size();
    const std::unique_ptr<Quantizer> quantizer = makeQuantizer(options.quant.quantizer);
    int64_t done = 0;
    const int64_t total = int64_t(layerCount * options.bits.size());
    for (size_t i = 0; i < layerCount; ++i) {
        LayerSensitivity layer;
        layer.layer = network.layers()[i].name;
        const torch::Tensor weight = base.backend().quantLayers().weight(int(i)).detach();
        for (int b : options.bits) {
            control.checkCancelled();
            std::vector<LayerBits> bits(layerCount, LayerBits{0, 0});
            bits[i] = LayerBits{b, b};
            EvaluationRequest request;
            request.bits = BitConfig(bits);
            request.quant = options.quant;
            const EvaluationResult result = evaluateConfiguration(
                network, EvaluationData{trainSet, Augmentation{}, trainSet, images}, request, control);
            layer.accuracyDrop.push_back(report.floatAccuracy - result.accuracy);
            layer.perturbation.push_back((quantizer->quantizeWeight(weight, b) - weight).pow(2).sum().item<double>());
            control.report("sensitivity", ++done, total);
        }
        report.layers.push_back(std::move(layer));
    }
    estimateHessianTraces(base, trainSet, options, control, report.layers);
    for (LayerSensitivity& layer : report.layers)
        for (double p : layer.perturbation)
            layer.hawqMetric.push_back(layer.hessianTrace * p);
    return report;
}

std::string SensitivityReport::toJson() const
{
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const LayerSensitivity& l : layers)
        list.push_back({{"layer", l.layer},
                        {"accuracy_drop", l.accuracyDrop},
                        {"hessian_trace", l.hessianTrace},
                        {"hessian_trace_se", l.hessianTraceSd},
                        {"perturbation", l.perturbation},
                        {"hawq_metric", l.hawqMetric}});
    return nlohmann::ordered_json{
        {"bits", bits}, {"float_accuracy", floatAccuracy}, {"images", images}, {"layers", list}}
        .dump(2);
}

SensitivityReport SensitivityReport::fromJson(const std::string& text)
{
    SensitivityReport report;
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        report.bits = j.at("bits").get<std::vector<int>>();
        report.floatAccuracy = j.at("float_accuracy").get<double>();
        report.images = j.at("images").get<size_t>();
        for (const auto& l : j.at("layers")) {
            LayerSensitivity layer;
            layer.layer = l.at("layer").get<std::string>();
            layer.accuracyDrop = l.at("accuracy_drop").get<std::vector<double>>();
            layer.hessianTrace = l.at("hessian_trace").get<double>();
            layer.hessianTraceSd = l.at("hessian_trace_se").get<double>();
            layer.perturbation = l.at("perturbation").get<std::vector<double>>();
            layer.hawqMetric = l.at("hawq_metric").get<std::vector<double>>();
            report.layers.push_back(std::move(layer));
        }
    } catch (const nlohmann::json::exception& e) {
        throw ConfigError(std::string("malformed sensitivity report: ") + e.what());
    }
    return report;
}

} // namespace quantscope
