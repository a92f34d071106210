#include "quant/qn_quantizer.h"

#include "common/error.h"
#include "quant/hwgq_quantizer.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace quantscope {

std::vector<double> qnLevels(int bits, bool symmetric, bool powerOfTwo)
{
    if (bits < 1 || bits > 8)
        throw ConfigError("qn: " + std::to_string(bits) + " bits, expected 1..8");
    std::vector<double> levels;
    if (powerOfTwo && symmetric) {
        if (bits < 2)
            throw ConfigError("qn-pow2: 1 bit cannot hold the power-of-two levels {0, +-1, ...}: use 2 bits or more, "
                              "or the uniform levels (qn), whose 1-bit levels are {-1, 1}");
        // {0, +-2^0, .., +-2^top}: 2 (top + 1) + 1 levels, as many as `bits` codes hold (the paper's
        // 3-bit set is {0, +-1, +-2, +-4}), up to +-2^6 from 4 bits on: wider magnitudes than 64
        // times the smallest serve no weight distribution.
        const int top = std::min((1 << (bits - 1)) - 2, 6);
        for (int k = top; k >= 0; --k)
            levels.push_back(-std::ldexp(1.0, k));
        levels.push_back(0);
        for (int k = 0; k <= top; ++k)
            levels.push_back(std::ldexp(1.0, k));
        return levels;
    }
    if (!symmetric) {
        for (int i = 0; i < (1 << bits); ++i)
            levels.push_back(i);
        return levels;
    }
    if (bits == 1)
        return {-1.0, 1.0};
    const int half = (1 << (bits - 1)) - 1;
    for (int i = -half; i <= half; ++i)
        levels.push_back(i);
    return levels;
}

std::vector<double> kMeans1d(const at::Tensor& values, int clusters, int iterations)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor x = std::get<0>(values.detach().reshape({-1}).to(torch::kFloat64).sort());
    const int64_t n = x.numel();
    if (n == 0 || clusters < 1)
        throw ConfigError("k-means needs values and at least one cluster");
    std::vector<double> centres;
    for (int c = 0; c < clusters; ++c) // evenly spaced quantiles
        centres.push_back(x[std::min<int64_t>(n - 1, int64_t((c + 0.5) * double(n) / clusters))].item<double>());
    for (int iteration = 0; iteration < iterations; ++iteration) {
        std::vector<double> bounds;
        for (size_t c = 0; c + 1 < centres.size(); ++c)
            bounds.push_back(0.5 * (centres[c] + centres[c + 1]));
        const torch::Tensor cluster = torch::bucketize(x, torch::tensor(bounds, torch::kFloat64));
        const torch::Tensor sums = torch::zeros({clusters}, torch::kFloat64).index_add_(0, cluster, x);
        const torch::Tensor counts =
            torch::zeros({clusters}, torch::kFloat64).index_add_(0, cluster, torch::ones_like(x));
        bool moved = false;
        for (int c = 0; c < clusters; ++c) {
            const double count = counts[c].item<double>();
            if (count == 0)
                continue; // an empty cluster keeps its centre
            const double centre = sums[c].item<double>() / count;
            moved = moved || centre != centres[size_t(c)];
            centres[size_t(c)] = centre;
        }
        std::sort(centres.begin(), centres.end());
        if (!moved)
            break;
    }
    return centres;
}

double qnTemperature(double epochs, double risePerEpoch)
{
    return std::min(2000.0, 20.0 * (1.0 + risePerEpoch * std::max(0.0, epochs)));
}

namespace {

std::vector<double> midpoints(const std::vector<double>& v)
{
    std::vector<double> out;
    for (size_t i = 0; i + 1 < v.size(); ++i)
        out.push_back(0.5 * (v[i] + v[i + 1]));
    return out;
}

double largestMagnitude(const std::vector<double>& levels)
{
    return std::max(std::abs(levels.front()), std::abs(levels.back()));
}

} // namespace

QnStaircase qnWeightStaircase(const at::Tensor& weight, int bits, bool powerOfTwo)
{
    QnStaircase stair;
    stair.levels = qnLevels(bits, true, powerOfTwo);
    const double q = std::max(1e-12, weight.detach().abs().max().item<double>());
    stair.beta = 5 * largestMagnitude(stair.levels) / (4 * q);
    if (stair.levels.size() == 2) { // binary: the threshold is 0 (the paper)
        stair.thresholds = {0.0};
        return stair;
    }
    if (bits > QnQuantizer::kSoftBits) { // hard rounding: k-means cells would warp the uniform levels
        stair.thresholds = midpoints(stair.levels);
        return stair;
    }
    const std::vector<double> centres = kMeans1d(weight, int(stair.levels.size()));
    const bool distinct = std::adjacent_find(centres.begin(), centres.end()) == centres.end();
    if (!distinct) { // fewer distinct weights than levels: the levels' own midpoints
        stair.thresholds = midpoints(stair.levels);
        return stair;
    }
    for (double m : midpoints(centres))
        stair.thresholds.push_back(stair.beta * m);
    return stair;
}

QnStaircase qnActivationStaircase(int bits, const ActivationRange& range)
{
    QnStaircase stair;
    stair.levels = qnLevels(bits, !range.nonNegative, false);
    stair.beta = 5 * largestMagnitude(stair.levels) / (4 * std::max(1e-12, double(range.maxAbs)));
    stair.thresholds =
        stair.levels.size() == 2 && !range.nonNegative ? std::vector<double>{0.0} : midpoints(stair.levels);
    return stair;
}

at::Tensor qnStaircase(const at::Tensor& x, const at::Tensor& alpha, const at::Tensor& beta, const QnStaircase& stair,
                       double temperature)
{
    const auto options = torch::TensorOptions().dtype(x.scalar_type()).device(x.device());
    const torch::Tensor levels = torch::tensor(stair.levels, torch::kFloat64).to(options);
    const torch::Tensor thresholds = torch::tensor(stair.thresholds, torch::kFloat64).to(options);
    const torch::Tensor u = beta * x;
    if (temperature <= 0) // unit steps: the number of thresholds below u picks the level
        return alpha * levels.index({torch::bucketize(u.detach(), thresholds)});
    const torch::Tensor gaps = levels.slice(0, 1) - levels.slice(0, 0, -1);
    const torch::Tensor steps = torch::sigmoid(temperature * (u.unsqueeze(-1) - thresholds));
    return alpha * ((steps * gaps).sum(-1) + stair.levels.front());
}

namespace {

/// One layer's learned staircases (weights and input).
class QnLayer final : public LearnedLayerQuantizer {
public:
    QnLayer(const at::Tensor& weight, LayerBits bits, const ActivationRange& input, bool powerOfTwo) : bits_(bits)
    {
        const auto scalar = [&](double v) {
            return torch::tensor(v, torch::TensorOptions().dtype(weight.scalar_type()).device(weight.device()))
                .requires_grad_(true);
        };
        if (bits.weight > 0) {
            weightStair_ = qnWeightStaircase(weight, bits.weight, powerOfTwo);
            weightBeta_ = scalar(weightStair_.beta);
            weightAlpha_ = scalar(1 / weightStair_.beta);
        }
        if (bits.activation > 0) {
            inputStair_ = qnActivationStaircase(bits.activation, input.valid() ? input : ActivationRange{1.0f, true});
            inputBeta_ = scalar(inputStair_.beta);
            inputAlpha_ = scalar(1 / inputStair_.beta);
        }
    }

    at::Tensor weight(const at::Tensor& w, bool training) override
    {
        return bits_.weight == 0
            ? w
            : apply(w, bits_.weight, weightAlpha_, weightBeta_, weightStair_, training, weightTemperature_);
    }

    at::Tensor activation(const at::Tensor& x, bool training) override
    {
        return bits_.activation == 0
            ? x
            : apply(x, bits_.activation, inputAlpha_, inputBeta_, inputStair_, training, activationTemperature_);
    }

    std::vector<at::Tensor> parameters() const override
    {
        std::vector<at::Tensor> out;
        for (const torch::Tensor& t : {weightAlpha_, weightBeta_, inputAlpha_, inputBeta_})
            if (t.defined())
                out.push_back(t);
        return out;
    }

    void setTrainingEpochs(double epochs) override
    {
        weightTemperature_ = qnTemperature(epochs, weightTemperatureRise());
        activationTemperature_ = qnTemperature(epochs, QnQuantizer::kTemperatureRise);
    }

    std::unique_ptr<LearnedLayerQuantizer> clone() const override
    {
        auto copy = std::make_unique<QnLayer>(*this);
        for (torch::Tensor* t : {&copy->weightAlpha_, &copy->weightBeta_, &copy->inputAlpha_, &copy->inputBeta_})
            if (t->defined())
                *t = t->detach().clone().requires_grad_(true);
        return copy;
    }

    std::optional<LearnedStaircase> inputStaircase() const override
    {
        if (bits_.activation == 0)
            return std::nullopt;
        LearnedStaircase out;
        out.alpha = inputAlpha_.item<double>(); // float32 values, exactly as inference uses them
        out.beta = inputBeta_.item<double>();
        out.thresholds = inputStair_.thresholds;
        out.levels = inputStair_.levels;
        return out;
    }

private:
    torch::Tensor apply(const torch::Tensor& x, int bits, const torch::Tensor& learnedAlpha,
                        const torch::Tensor& learnedBeta, const QnStaircase& stair, bool training,
                        double temperature) const
    {
        const torch::Tensor alpha = learnedAlpha.to(x.device()), beta = learnedBeta.to(x.device());
        if (!training)
            return qnStaircase(x, alpha, beta, stair, 0);
        if (bits <= QnQuantizer::kSoftBits)
            return qnStaircase(x, alpha, beta, stair, temperature);
        const torch::Tensor hard = qnStaircase(x, alpha.detach(), beta.detach(), stair, 0);
        return (hard - x.detach()) + x; // straight through
    }

    /// Sharp weights with a soft, quantized input stall training: a soft input staircase passes
    /// gradients only near its thresholds, and the weights must still move to make up for it.
    double weightTemperatureRise() const
    {
        return bits_.activation == 0 ? QnQuantizer::kFloatInputWeightTemperatureRise : QnQuantizer::kTemperatureRise;
    }

    LayerBits bits_;
    QnStaircase weightStair_, inputStair_;
    torch::Tensor weightAlpha_, weightBeta_, inputAlpha_, inputBeta_;
    double weightTemperature_ = qnTemperature(0, QnQuantizer::kTemperatureRise);
    double activationTemperature_ = qnTemperature(0, QnQuantizer::kTemperatureRise);
};

} // namespace

at::Tensor QnQuantizer::quantizeWeight(const at::Tensor& weight, int bits) const
{
    torch::NoGradGuard noGrad;
    const QnStaircase stair = qnWeightStaircase(weight, bits, powerOfTwo_);
    const auto options = torch::TensorOptions().dtype(weight.scalar_type());
    return qnStaircase(weight, torch::tensor(1 / stair.beta, options), torch::tensor(stair.beta, options), stair, 0);
}

at::Tensor QnQuantizer::quantizeActivation(const at::Tensor& input, int bits, const ActivationRange& range) const
{
    torch::NoGradGuard noGrad;
    const QnStaircase stair = qnActivationStaircase(bits, range.valid() ? range : measureActivationRange(input));
    const auto options = torch::TensorOptions().dtype(input.scalar_type()).device(input.device());
    return qnStaircase(input, torch::tensor(1 / stair.beta, options), torch::tensor(stair.beta, options), stair, 0);
}

std::unique_ptr<LearnedLayerQuantizer> QnQuantizer::learnedLayer(const at::Tensor& weight, LayerBits bits,
                                                                 const ActivationRange& input) const
{
    return std::make_unique<QnLayer>(weight, bits, input, powerOfTwo_);
}

} // namespace quantscope
