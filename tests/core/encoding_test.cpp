#include "common/error.h"
#include "search/encoding.h"

#include <gtest/gtest.h>

namespace quantscope {
namespace {

std::vector<int> levels(const BitConfig& config)
{
    std::vector<int> out;
    for (const LayerBits& b : config.layers())
        out.push_back(b.weight);
    return out;
}

TEST(Encoding, LinearBezierFollowsNuqFormula)
{
    const auto encoding = makeEncoding("bezier1", 5);
    EXPECT_EQ(encoding->dim(), 2);
    // p(t) = (1 - t) w0 + t w1; b = round(clamp(8 p + 1, 1, 8)); t = 0, .25, .5, .75, 1
    EXPECT_EQ(levels(encoding->decode(Eigen::Vector2d(1.0, 0.0))), (std::vector<int>{8, 7, 5, 3, 1}));
    EXPECT_EQ(levels(encoding->decode(Eigen::Vector2d(0.5, 0.5))), (std::vector<int>{5, 5, 5, 5, 5}));
}

TEST(Encoding, QuadraticBezierAndChebyshev)
{
    const auto bezier = makeEncoding("bezier2", 3);
    EXPECT_EQ(bezier->dim(), 3);
    // t = 0, .5, 1: p = w0, (w0 + 2 w1 + w2) / 4, w2
    EXPECT_EQ(levels(bezier->decode(Eigen::Vector3d(0.0, 1.0, 0.0))), (std::vector<int>{1, 5, 1}));
    const auto chebyshev = makeEncoding("chebyshev4", 3);
    EXPECT_EQ(chebyshev->dim(), 4);
    // w = 1/2 everywhere is the flat curve T = 1/2: 8 * 0.5 + 1 = 5 bits.
    EXPECT_EQ(levels(chebyshev->decode(Eigen::Vector4d::Constant(0.5))), (std::vector<int>{5, 5, 5}));
    // Raising w1 tilts the curve: x = -1, 0, 1 -> T = (0.5 x + 1) / 2 -> bits 3, 5, 7.
    EXPECT_EQ(levels(chebyshev->decode(Eigen::Vector4d(0.5, 1.0, 0.5, 0.5))), (std::vector<int>{3, 5, 7}));
}

TEST(Encoding, PerLayerRepresentsEveryConfiguration)
{
    const auto encoding = makeEncoding("per-layer", 4);
    const BitConfig config = BitConfig::parse("1,8,3,5", {"a", "b", "c", "d"});
    EXPECT_TRUE(encoding->represents(config));
    EXPECT_NEAR(encoding->encode(config)[1], 1.0, 1e-12);
    EXPECT_NEAR(encoding->encode(config)[0], 0.0, 1e-12);
}

TEST(Encoding, CurvesProjectOffCurveConfigurations)
{
    const auto encoding = makeEncoding("bezier1", 5);
    const std::vector<std::string> names = {"a", "b", "c", "d", "e"};
    const BitConfig onCurve = encoding->decode(Eigen::Vector2d(0.75, 0.25));
    EXPECT_TRUE(encoding->represents(onCurve));
    const BitConfig zigzag = BitConfig::parse("8,1,8,1,8", names);
    EXPECT_FALSE(encoding->represents(zigzag));
    const Eigen::VectorXd w = encoding->encode(zigzag);
    EXPECT_TRUE((w.array() >= 0).all() && (w.array() <= 1).all());
}

TEST(Encoding, UnknownNamesAreErrors)
{
    EXPECT_THROW(makeEncoding("spline", 4), ConfigError);
    EXPECT_THROW(makeEncoding("chebyshev0", 4), ConfigError);
    EXPECT_THROW(makeEncoding("per-layer", 0), ConfigError);
}

} // namespace
} // namespace quantscope
