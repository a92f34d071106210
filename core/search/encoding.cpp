#include "search/encoding.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr int kMaxBits = 8;

/// b = (1 + 7 w) per layer, w in [0, 1]: every configuration is a point; ARD lengthscales can
/// tell sensitive layers from robust ones.
class PerLayerEncoding final : public Encoding {
public:
    using Encoding::Encoding;
    std::string name() const override { return "per-layer"; }
    int dim() const override { return int(layerCount_); }

    BitConfig decode(const Eigen::VectorXd& w) const override
    {
        std::vector<LayerBits> layers;
        for (Eigen::Index i = 0; i < w.size(); ++i) {
            const int b = std::clamp(int(std::lround(1 + (kMaxBits - 1) * w[i])), 1, kMaxBits);
            layers.push_back({b, b});
        }
        return BitConfig(std::move(layers));
    }

    Eigen::VectorXd encode(const BitConfig& config) const override
    {
        Eigen::VectorXd w(dim());
        for (int i = 0; i < dim(); ++i)
            w[i] = (entryBits(config[size_t(i)]) - 1) / (kMaxBits - 1);
        return w;
    }
};

/// A curve p(t) over depth t_i = i / (n - 1) with coefficients w; layer i gets
/// b_i = round(clamp(8 p(t_i) + 1, 1, 8)) (NUQ eq. 5).
class CurveEncoding : public Encoding {
public:
    CurveEncoding(size_t layerCount, int coefficients) : Encoding(layerCount), coefficients_(coefficients)
    {
        basis_.resize(Eigen::Index(layerCount), coefficients);
    }

    int dim() const override { return coefficients_; }

    BitConfig decode(const Eigen::VectorXd& w) const override
    {
        const Eigen::VectorXd p = curve(w);
        std::vector<LayerBits> layers;
        for (Eigen::Index i = 0; i < p.size(); ++i) {
            const int b = int(std::lround(std::clamp(kMaxBits * p[i] + 1, 1.0, double(kMaxBits))));
            layers.push_back({b, b});
        }
        return BitConfig(std::move(layers));
    }

    Eigen::VectorXd encode(const BitConfig& config) const override
    {
        Eigen::VectorXd target(static_cast<Eigen::Index>(layerCount_));
        for (size_t i = 0; i < layerCount_; ++i)
            target[Eigen::Index(i)] = (entryBits(config[i]) - 1) / kMaxBits; // inverse of b = 8 p + 1
        const Eigen::VectorXd w = leastSquares(target);
        return w.cwiseMax(0.0).cwiseMin(1.0);
    }

protected:
    static double depth(size_t i, size_t n) { return n > 1 ? double(i) / double(n - 1) : 0.0; }
    virtual Eigen::VectorXd curve(const Eigen::VectorXd& w) const { return basis_ * w; }
    virtual Eigen::VectorXd leastSquares(const Eigen::VectorXd& target) const
    {
        return basis_.colPivHouseholderQr().solve(target);
    }

    int coefficients_;
    Eigen::MatrixXd basis_; ///< layers x coefficients: phi_j(t_i)
};

class BezierEncoding final : public CurveEncoding {
public:
    BezierEncoding(size_t layerCount, int degree) : CurveEncoding(layerCount, degree + 1), degree_(degree)
    {
        for (size_t i = 0; i < layerCount; ++i) {
            const double t = depth(i, layerCount);
            if (degree == 1)
                basis_.row(Eigen::Index(i)) << 1 - t, t;
            else
                basis_.row(Eigen::Index(i)) << (1 - t) * (1 - t), 2 * (1 - t) * t, t * t;
        }
    }
    std::string name() const override { return "bezier" + std::to_string(degree_); }

private:
    int degree_;
};

/// NUQ eq. 7: T(x; w) = ((w - 1/2)^T phi(x) + 1) / 2 with Chebyshev polynomials on x in [-1, 1].
/// (The public code normalises with x + 1/2 instead of (x + 1) / 2; we follow the paper.)
class ChebyshevEncoding final : public CurveEncoding {
public:
    ChebyshevEncoding(size_t layerCount, int coefficients) : CurveEncoding(layerCount, coefficients)
    {
        for (size_t i = 0; i < layerCount; ++i) {
            const double x = 2 * depth(i, layerCount) - 1;
            // T0 = 1, T1 = x, T(k+1) = 2 x T(k) - T(k-1)
            for (int k = 0; k < coefficients; ++k) {
                const Eigen::Index row = Eigen::Index(i);
                basis_(row, k) = k == 0 ? 1.0 : k == 1 ? x : 2 * x * basis_(row, k - 1) - basis_(row, k - 2);
            }
        }
    }
    std::string name() const override { return "chebyshev" + std::to_string(coefficients_); }

protected:
    Eigen::VectorXd curve(const Eigen::VectorXd& w) const override
    {
        return ((basis_ * (w.array() - 0.5).matrix()).array() + 1) / 2;
    }
    Eigen::VectorXd leastSquares(const Eigen::VectorXd& target) const override
    {
        // ((w - 1/2) phi + 1) / 2 = p  <=>  phi (w - 1/2) = 2 p - 1
        const Eigen::VectorXd shifted = basis_.colPivHouseholderQr().solve((2 * target.array() - 1).matrix());
        return (shifted.array() + 0.5).matrix();
    }
};

} // namespace

double bitSum(const BitConfig& config)
{
    double sum = 0;
    for (const LayerBits& b : config.layers())
        sum += entryBits(b);
    return sum;
}

double entryBits(const LayerBits& bits)
{
    if (bits.isFloat())
        return kMaxBits;
    const int w = bits.weight == 0 ? kMaxBits : bits.weight;
    const int a = bits.activation == 0 ? kMaxBits : bits.activation;
    return 0.5 * (w + a);
}

std::unique_ptr<Encoding> makeEncoding(const std::string& name, size_t layerCount)
{
    if (layerCount < 1)
        throw ConfigError("an encoding needs at least one layer");
    if (name == "per-layer")
        return std::make_unique<PerLayerEncoding>(layerCount);
    if (name == "bezier1" || name == "bezier-linear")
        return std::make_unique<BezierEncoding>(layerCount, 1);
    if (name == "bezier2" || name == "bezier-quadratic")
        return std::make_unique<BezierEncoding>(layerCount, 2);
    if (name.rfind("chebyshev", 0) == 0) {
        const std::string digits = name.substr(9);
        const int coefficients = digits.empty() ? 4 : std::atoi(digits.c_str());
        if (coefficients < 1 || coefficients > 12)
            throw ConfigError("chebyshev encoding takes 1..12 coefficients, got '" + digits + "'");
        return std::make_unique<ChebyshevEncoding>(layerCount, coefficients);
    }
    throw ConfigError("unknown encoding '" + name + "': expected per-layer, bezier1, bezier2 or chebyshevD");
}

} // namespace quantscope
