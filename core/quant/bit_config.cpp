#include "quant/bit_config.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <sstream>

namespace quantscope {
namespace {

constexpr int kMinBits = 1;
constexpr int kMaxBits = 8;

std::string trim(const std::string& s)
{
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return {};
    const auto end = s.find_last_not_of(" \t\r\n");
    return s.substr(begin, end - begin + 1);
}

bool isFloatWord(const std::string& s)
{
    return s == "f" || s == "float" || s == "fp32" || s == "32";
}

/// Bits from one number or float word; `where` names the entry in messages.
int parseBits(const std::string& raw, const std::string& where)
{
    const std::string s = trim(raw);
    if (isFloatWord(s))
        return 0;
    if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }) || s.size() > 3)
        throw ConfigError(where + " ('" + s + "'): not a bit width; expected 1..8 or f for float");
    const int bits = std::stoi(s);
    if (bits < kMinBits || bits > kMaxBits)
        throw ConfigError(where + " ('" + s + "'): bits must be 1..8 (or f for float)");
    return bits;
}

LayerBits parseEntry(const std::string& entry, const std::string& where)
{
    const auto slash = entry.find('/');
    if (slash == std::string::npos) {
        const int bits = parseBits(entry, where);
        return LayerBits{bits, bits};
    }
    return LayerBits{parseBits(entry.substr(0, slash), where + " weight"),
                     parseBits(entry.substr(slash + 1), where + " activation")};
}

std::string formatBits(int bits)
{
    return bits == 0 ? "f" : std::to_string(bits);
}

/// Applies the last-layer pin: appends it when the entry is omitted, rejects a conflicting entry.
void applyLastLayerPolicy(std::vector<LayerBits>& layers, const std::vector<std::string>& names,
                          const LayerPolicy& policy)
{
    if (!policy.lastLayerBits || names.empty())
        return;
    const LayerBits pinned{*policy.lastLayerBits, *policy.lastLayerBits};
    if (layers.size() + 1 == names.size()) {
        layers.push_back(pinned);
    } else if (layers.size() == names.size() && layers.back() != pinned) {
        throw ConfigError("layer " + names.back() + " is pinned to " + formatBits(pinned.weight)
                          + " bits by the last-layer policy, but the configuration gives it "
                          + formatBits(layers.back().weight));
    }
}

void requireCount(size_t given, const std::vector<std::string>& names)
{
    if (given != names.size())
        throw ConfigError("bit configuration has " + std::to_string(given) + " entries but the network has "
                          + std::to_string(names.size()) + " quantizable layers");
}

LayerBits jsonEntry(const nlohmann::json& value, const std::string& where)
{
    if (value.is_number_integer())
        return parseEntry(std::to_string(value.get<long long>()), where);
    if (value.is_string())
        return parseEntry(value.get<std::string>(), where);
    if (value.is_object()) {
        auto field = [&](const char* key) {
            if (!value.contains(key))
                throw ConfigError(where + ": missing \"" + key + "\"");
            const auto& v = value.at(key);
            return parseBits(v.is_string() ? v.get<std::string>() : v.dump(), where + " " + key);
        };
        return LayerBits{field("weight"), field("activation")};
    }
    throw ConfigError(where + ": expected a bit width, \"float\" or {\"weight\": .., \"activation\": ..}");
}

} // namespace

BitConfig BitConfig::uniform(int bits, size_t layerCount)
{
    if (bits != 0 && (bits < kMinBits || bits > kMaxBits))
        throw ConfigError("uniform bit width " + std::to_string(bits) + " out of range 1..8");
    return BitConfig(std::vector<LayerBits>(layerCount, LayerBits{bits, bits}));
}

BitConfig BitConfig::parse(const std::string& text, const std::vector<std::string>& layerNames,
                           const LayerPolicy& policy)
{
    std::vector<std::string> entries;
    std::stringstream stream(text);
    for (std::string entry; std::getline(stream, entry, ',');)
        entries.push_back(entry);
    if (!text.empty() && text.back() == ',')
        entries.push_back({});
    if (entries.empty())
        throw ConfigError("empty bit configuration");

    std::vector<LayerBits> layers;
    for (size_t i = 0; i < entries.size(); ++i)
        layers.push_back(parseEntry(entries[i], "entry " + std::to_string(i + 1)));
    if (layers.size() == 1 && layerNames.size() > 1)
        layers.assign(layerNames.size(), layers.front());
    applyLastLayerPolicy(layers, layerNames, policy);
    requireCount(layers.size(), layerNames);
    return BitConfig(std::move(layers));
}

BitConfig BitConfig::fromJson(const std::string& text, const std::vector<std::string>& layerNames,
                              const LayerPolicy& policy)
{
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) { // parse errors, and numbers out of range (1e999)
        throw ConfigError(std::string("bit configuration is not valid JSON: ") + e.what());
    }
    if (j.is_object() && j.contains("layers"))
        j = j.at("layers");
    if (!j.is_object())
        throw ConfigError("bit configuration JSON must be an object keyed by layer name");

    std::map<std::string, LayerBits> byName;
    for (const auto& [name, value] : j.items()) {
        if (std::find(layerNames.begin(), layerNames.end(), name) == layerNames.end())
            throw ConfigError("bit configuration names unknown layer '" + name + "'");
        byName[name] = jsonEntry(value, "layer " + name);
    }
    std::vector<LayerBits> layers;
    for (size_t i = 0; i < layerNames.size(); ++i) {
        const auto found = byName.find(layerNames[i]);
        if (found != byName.end()) {
            layers.push_back(found->second);
        } else if (!(i + 1 == layerNames.size() && policy.lastLayerBits)) {
            throw ConfigError("bit configuration has no entry for layer '" + layerNames[i] + "'");
        }
    }
    applyLastLayerPolicy(layers, layerNames, policy);
    requireCount(layers.size(), layerNames);
    return BitConfig(std::move(layers));
}

std::string BitConfig::toString() const
{
    std::string out;
    for (const LayerBits& layer : layers_) {
        if (!out.empty())
            out += ',';
        out +=
            layer.coupled() ? formatBits(layer.weight) : formatBits(layer.weight) + "/" + formatBits(layer.activation);
    }
    return out;
}

std::string BitConfig::toJson(const std::vector<std::string>& layerNames) const
{
    requireCount(layers_.size(), layerNames);
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (size_t i = 0; i < layers_.size(); ++i) {
        const LayerBits& b = layers_[i];
        auto value = [](int bits) {
            return bits == 0 ? nlohmann::ordered_json("float") : nlohmann::ordered_json(bits);
        };
        if (b.coupled())
            layers[layerNames[i]] = value(b.weight);
        else
            layers[layerNames[i]] = {{"weight", value(b.weight)}, {"activation", value(b.activation)}};
    }
    return nlohmann::ordered_json{{"layers", layers}}.dump(2);
}

} // namespace quantscope
