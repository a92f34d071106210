#include "common/error.h"
#include "quant/bit_config.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

const std::vector<std::string> kNames = {"conv0", "conv1", "conv2", "fc"};

std::string errorOf(const std::string& text, const LayerPolicy& policy = {})
{
    try {
        BitConfig::parse(text, kNames, policy);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(BitConfig, ParsesCoupledSeparateAndFloatEntries)
{
    const BitConfig config = BitConfig::parse("8, 4/6,f,2", kNames);
    ASSERT_EQ(config.size(), 4u);
    EXPECT_EQ(config[0], (LayerBits{8, 8}));
    EXPECT_EQ(config[1], (LayerBits{4, 6}));
    EXPECT_TRUE(config[2].isFloat());
    EXPECT_EQ(config[3], (LayerBits{2, 2}));
    EXPECT_EQ(config.toString(), "8,4/6,f,2");
    EXPECT_EQ(BitConfig::parse(config.toString(), kNames), config);
}

TEST(BitConfig, OneValueAppliesToEveryLayer)
{
    EXPECT_EQ(BitConfig::parse("3", kNames), BitConfig::uniform(3, 4));
}

TEST(BitConfig, RejectsBadEntriesWithTheirPosition)
{
    EXPECT_EQ(errorOf("8,8,8"), "bit configuration has 3 entries but the network has 4 quantizable layers");
    EXPECT_EQ(errorOf("8,0,8,8"), "entry 2 ('0'): bits must be 1..8 (or f for float)");
    EXPECT_EQ(errorOf("8,8,9,8"), "entry 3 ('9'): bits must be 1..8 (or f for float)");
    EXPECT_EQ(errorOf("x,8,8,8"), "entry 1 ('x'): not a bit width; expected 1..8 or f for float");
    EXPECT_EQ(errorOf("8,8,-1,8"), "entry 3 ('-1'): not a bit width; expected 1..8 or f for float");
    EXPECT_EQ(errorOf("8,8,8,"), "entry 4 (''): not a bit width; expected 1..8 or f for float");
    EXPECT_EQ(errorOf(""), "empty bit configuration");
}

TEST(BitConfig, LastLayerPolicyPinsOrRejects)
{
    LayerPolicy policy;
    policy.lastLayerBits = 0;
    const BitConfig config = BitConfig::parse("8,6,4", kNames, policy);
    EXPECT_TRUE(config[3].isFloat());
    EXPECT_EQ(BitConfig::parse("8,6,4,f", kNames, policy), config);
    EXPECT_NE(errorOf("8,6,4,4", policy).find("pinned"), std::string::npos);
}

TEST(BitConfig, JsonKeyedByLayerNameRoundTrips)
{
    const BitConfig config = BitConfig::parse("8,4/6,f,2", kNames);
    const std::string json = config.toJson(kNames);
    EXPECT_EQ(BitConfig::fromJson(json, kNames), config);
    EXPECT_EQ(BitConfig::fromJson(R"({"fc": 2, "conv2": "float", "conv1": {"weight": 4, "activation": 6}, "conv0": 8})",
                                  kNames),
              config);
}

TEST(BitConfig, JsonErrorsNameTheLayer)
{
    auto error = [](const std::string& json) {
        try {
            BitConfig::fromJson(json, kNames);
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(error(R"({"conv0": 8, "conv1": 8, "conv2": 8})"), "bit configuration has no entry for layer 'fc'");
    EXPECT_EQ(error(R"({"conv0": 8, "conv1": 8, "conv2": 8, "fc": 8, "extra": 8})"),
              "bit configuration names unknown layer 'extra'");
    EXPECT_EQ(error(R"({"conv0": 9, "conv1": 8, "conv2": 8, "fc": 8})"),
              "layer conv0 ('9'): bits must be 1..8 (or f for float)");
    EXPECT_NE(error("{not json").find("not valid JSON"), std::string::npos);
    EXPECT_EQ(error("[8, 8]"), "bit configuration JSON must be an object keyed by layer name");
}

} // namespace
} // namespace quantscope
