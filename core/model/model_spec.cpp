#include "model/model_spec.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <cmath>

namespace quantscope {

std::string ModelSpec::inputShapeText() const
{
    return std::to_string(channels) + "x" + std::to_string(height) + "x" + std::to_string(width);
}

std::string ModelSpec::toJson() const
{
    const nlohmann::json j = {
        {"architecture", architecture}, {"channels", channels}, {"height", height}, {"width", width},
        {"classes", classes},           {"mean", mean},         {"std", stddev}};
    return j.dump();
}

ModelSpec ModelSpec::fromJson(const std::string& text)
{
    try {
        const nlohmann::json j = nlohmann::json::parse(text);
        ModelSpec spec;
        spec.architecture = j.at("architecture").get<std::string>();
        spec.channels = j.at("channels").get<int>();
        spec.height = j.at("height").get<int>();
        spec.width = j.at("width").get<int>();
        spec.classes = j.at("classes").get<int>();
        spec.mean = j.value("mean", std::vector<float>{});
        spec.stddev = j.value("std", std::vector<float>{});
        return spec;
    } catch (const nlohmann::json::exception& e) {
        throw ModelError(std::string("malformed model description: ") + e.what());
    }
}

void ModelSpec::validateNormalisation() const
{
    if (mean.empty() && stddev.empty())
        return;
    if (mean.size() != size_t(channels) || stddev.size() != size_t(channels))
        throw ModelError("input normalisation needs one mean and one std per channel (" + std::to_string(channels)
                         + "), got " + std::to_string(mean.size()) + " and " + std::to_string(stddev.size()));
    for (float m : mean)
        if (!std::isfinite(m))
            throw ModelError("input normalisation: every mean must be a finite number");
    for (float s : stddev)
        if (!(s > 0) || !std::isfinite(s))
            throw ModelError("input normalisation: every std must be a positive finite number");
}

} // namespace quantscope
