#include "ebs/mixed_precision_quantizer.h"

#include "common/error.h"

#include <torch/torch.h>

namespace quantscope {

void BitCandidates::validate() const
{
    const auto check = [](const std::vector<int>& list, const char* what) {
        if (list.empty())
            throw ConfigError(std::string("EBS: no ") + what + " bit candidates");
        for (size_t i = 0; i < list.size(); ++i) {
            if (list[i] < 1 || list[i] > 8)
                throw ConfigError(std::string("EBS: ") + what + " bit candidate " + std::to_string(list[i])
                                  + " is outside 1..8");
            if (i > 0 && list[i] <= list[i - 1])
                throw ConfigError(std::string("EBS: ") + what + " bit candidates must increase");
        }
    };
    check(weight, coupled ? "layer" : "weight");
    if (!coupled)
        check(activation, "activation");
}

namespace {

/// `sum_k softmax(strengths)_k candidate(k)`.
template <typename Candidate>
torch::Tensor mixture(const torch::Tensor& strengths, size_t count, const Candidate& candidate)
{
    const torch::Tensor probabilities = torch::softmax(strengths, 0);
    torch::Tensor sum;
    for (size_t k = 0; k < count; ++k) {
        const torch::Tensor term = probabilities[int64_t(k)] * candidate(k);
        sum = sum.defined() ? sum + term : term;
    }
    return sum;
}

class MixedPrecisionLayer final : public LearnedLayerQuantizer {
public:
    MixedPrecisionLayer(const MixedPrecisionQuantizer& owner, const ActivationRange& range,
                        torch::Tensor weightStrengths, torch::Tensor activationStrengths) :
        owner_(owner),
        range_(range), alphaW_(std::move(weightStrengths)), alphaA_(std::move(activationStrengths))
    {
    }

    torch::Tensor weight(const torch::Tensor& weight, bool training) override
    {
        const std::vector<int>& bits = owner_.candidates().weight;
        const Quantizer& base = owner_.base();
        const torch::Tensor meta = weight.detach();
        const torch::Tensor mixed = mixture(alphaW_, bits.size(), [&](size_t k) {
            const torch::Tensor q = base.quantizeWeight(meta, bits[k]);
            return training ? (q - meta) + weight : q; // straight through to the meta weight
        });
        return training ? mixed : mixed.detach();
    }

    torch::Tensor activation(const torch::Tensor& input, bool training) override
    {
        const std::vector<int>& bits = owner_.candidates().activations();
        const Quantizer& base = owner_.base();
        const torch::Tensor value = input.detach();
        const torch::Tensor mixed =
            mixture(owner_.candidates().coupled ? alphaW_ : alphaA_, bits.size(), [&](size_t k) {
                const torch::Tensor q = base.quantizeActivation(value, bits[k], range_);
                if (!training)
                    return q;
                const torch::Tensor mask = base.activationGradientMask(value, bits[k], range_);
                const torch::Tensor through = mask.defined() ? input * mask : input;
                return (q - through.detach()) + through;
            });
        return training ? mixed : mixed.detach();
    }

    std::vector<torch::Tensor> parameters() const override
    {
        if (owner_.candidates().coupled)
            return {alphaW_};
        return {alphaW_, alphaA_};
    }

    void setTrainingEpochs(double) override {}

    std::unique_ptr<LearnedLayerQuantizer> clone() const override
    {
        return std::make_unique<MixedPrecisionLayer>(owner_, range_, alphaW_.detach().clone().requires_grad_(true),
                                                     alphaA_.detach().clone().requires_grad_(true));
    }

    std::optional<LearnedStaircase> inputStaircase() const override { return std::nullopt; }

private:
    const MixedPrecisionQuantizer& owner_;
    ActivationRange range_;
    torch::Tensor alphaW_;
    torch::Tensor alphaA_;
};

} // namespace

MixedPrecisionQuantizer::MixedPrecisionQuantizer(std::shared_ptr<const Quantizer> base, BitCandidates candidates) :
    base_(std::move(base)), candidates_(std::move(candidates))
{
    if (!base_)
        throw ConfigError("EBS needs a base quantizer");
    candidates_.validate();
}

torch::Tensor MixedPrecisionQuantizer::quantizeWeight(const torch::Tensor& weight, int bits) const
{
    return base_->quantizeWeight(weight, bits);
}

torch::Tensor MixedPrecisionQuantizer::quantizeActivation(const torch::Tensor& input, int bits,
                                                          const ActivationRange& range) const
{
    return base_->quantizeActivation(input, bits, range);
}

torch::Tensor MixedPrecisionQuantizer::activationGradientMask(const torch::Tensor& input, int bits,
                                                              const ActivationRange& range) const
{
    return base_->activationGradientMask(input, bits, range);
}

std::unique_ptr<LearnedLayerQuantizer>
MixedPrecisionQuantizer::learnedLayer(const torch::Tensor& weight, LayerBits bits, const ActivationRange& input) const
{
    if (bits.weight != kSearched)
        return nullptr;
    const auto zeros = [&](size_t n) {
        return torch::zeros({int64_t(n)}, torch::TensorOptions().dtype(torch::kFloat32).device(weight.device()))
            .requires_grad_(true);
    };
    return std::make_unique<MixedPrecisionLayer>(*this, input, zeros(candidates_.weight.size()),
                                                 zeros(candidates_.activations().size()));
}

} // namespace quantscope
