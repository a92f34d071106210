#include "quant/gaussian_steps.h"

#include "common/error.h"

#include <array>
#include <cmath>
#include <limits>
#include <string>

namespace quantscope {
namespace {

double density(double x)
{
    return std::isinf(x) ? 0.0 : std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI);
}

double cumulative(double x)
{
    return 0.5 * std::erfc(-x / std::sqrt(2.0));
}

/// Integral of (x - level)^2 phi(x) over [a, b], from the antiderivatives of x^2 phi (Phi - x phi),
/// x phi (-phi) and phi (Phi).
double cellError(double a, double b, double level)
{
    const auto xPhi = [](double x) { return std::isinf(x) ? 0.0 : x * density(x); };
    const double mass = cumulative(b) - cumulative(a);
    const double second = mass - (xPhi(b) - xPhi(a));
    const double first = density(a) - density(b);
    return second - 2 * level * first + level * level * mass;
}

/// Squared error of the quantizer with `levels` (ascending) and midpoint thresholds over [lo, inf).
template <typename Levels> double quantizerError(const Levels& levelAt, int count, double lo)
{
    double error = 0;
    double from = lo;
    for (int i = 0; i < count; ++i) {
        const double to = i + 1 < count ? 0.5 * (levelAt(i) + levelAt(i + 1)) : std::numeric_limits<double>::infinity();
        error += cellError(from, to, levelAt(i));
        from = to;
    }
    return error;
}

template <typename Error> double goldenSectionMinimum(const Error& error, double lo, double hi)
{
    const double ratio = (std::sqrt(5.0) - 1) / 2;
    double a = lo, b = hi;
    double c = b - ratio * (b - a), d = a + ratio * (b - a);
    double fc = error(c), fd = error(d);
    while (b - a > 1e-10) {
        if (fc < fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - ratio * (b - a);
            fc = error(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + ratio * (b - a);
            fd = error(d);
        }
    }
    return 0.5 * (a + b);
}

void requireBits(int bits)
{
    if (bits < 1 || bits > 8)
        throw ConfigError("Gaussian quantizer step: " + std::to_string(bits) + " bits, expected 1..8");
}

} // namespace

double halfGaussianOptimalStep(int bits)
{
    requireBits(bits);
    static const std::array<double, 8> steps = [] {
        std::array<double, 8> out{};
        for (int b = 1; b <= 8; ++b) {
            const int count = (1 << b) - 1;
            out[size_t(b - 1)] = goldenSectionMinimum(
                [&](double step) { return quantizerError([&](int i) { return step * (i + 1); }, count, 0.0); }, 1e-4,
                2.0);
        }
        return out;
    }();
    return steps[size_t(bits - 1)];
}

double gaussianMidRiseOptimalStep(int bits)
{
    requireBits(bits);
    static const std::array<double, 8> steps = [] {
        std::array<double, 8> out{};
        for (int b = 1; b <= 8; ++b) {
            const int half = 1 << (b - 1);
            // Symmetric: twice the error over [0, inf) of the positive levels step * (i + 1/2).
            out[size_t(b - 1)] = goldenSectionMinimum(
                [&](double step) { return quantizerError([&](int i) { return step * (i + 0.5); }, half, 0.0); }, 1e-4,
                4.0);
        }
        return out;
    }();
    return steps[size_t(bits - 1)];
}

} // namespace quantscope
