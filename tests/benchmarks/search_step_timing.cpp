// Median time of one search step (the search's MAP refit on logit accuracies, task-specific
// kernel included, warm-started from the previous step's fit after one new observation, + NUQ's
// acquisition over 1,000 candidates and every task) at 100, 300 and 1,000 observations over 4
// tasks, and the GFLOP/s that represents; and the time of the default strategy's acquisition
// (ehvi: EHVI of every candidate and the cheaper budgets' look-ahead) in the same state; and the
// refit with the 8 hyperparameter samples of a Laplace approximation (laplace: what a study's fit
// costs past StudySurrogate::kSampleUpTo trials).
// Usage: search_step_timing [repeats]
#include "gp/mtgp_fit.h"
#include "search/acquisition.h"
#include "search/candidates.h"
#include "search/front_strategy.h"
#include "search/strategies.h"
#include "search/synthetic_problem.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace quantscope;

namespace {

double seconds(std::chrono::steady_clock::time_point since)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    const int repeats = argc > 1 ? std::atoi(argv[1]) : 5;
    const size_t layers = 9;
    const int tasks = 4;
    const SyntheticProblem problem = SyntheticProblem::standard(layers, 0);
    const auto encoding = makeEncoding("per-layer", layers);
    CandidatePool pool(*encoding);
    fillHalton(pool, 1000, 1, 8);
    std::mt19937_64 rng(1);
    fillRandom(pool, int(1000 - pool.size()), 1, 8, rng);
    NuqStrategy strategy;
    FrontStrategy frontStrategy;
    const AccuracyTransform transform; // logit, the search's default

    std::printf("per-layer encoding (d = %zu), %d tasks, %zu candidates, |G| = 64, median of %d steps\n\n", layers,
                tasks, pool.size(), repeats);
    std::printf("%6s %10s %10s %10s %11s %10s %10s %10s %10s\n", "obs", "refit s", "acquire s", "step s", "likelihood",
                "GFLOP", "GFLOP/s", "ehvi s", "laplace s");
    for (int n : {100, 300, 1000}) {
        MtgpData data;
        data.inputs.resize(0, Eigen::Index(layers));
        std::mt19937_64 noise(2);
        std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
        for (int j = 0; j < n; ++j) {
            const size_t c = pick(noise);
            const int task = j % 5 == 4 ? 3 : j % 3; // mostly cheap tasks, as a multi-task search gathers them
            data.append(pool.input(c), task, transform.toLatent(problem.observe(pool.bits(c), task, noise)));
        }
        // The state a search step starts from: hyperparameters fitted (and refitted once, as the
        // step before would have) on all but the newest observation.
        MtgpData previous = data;
        previous.inputs.conservativeResize(n - 1, Eigen::Index(layers));
        previous.targets.conservativeResize(n - 1);
        previous.tasks.pop_back();
        MtgpFitOptions cold = accuracyFitOptions(transform); // as SearchLoop fits
        cold.restarts = 2;
        MtgpFitOptions settle = cold;
        settle.restarts = 0;
        settle.warmStart = fitMtgp(previous, int(layers), tasks, cold).hyperparameters;
        const MtgpHyperparameters fitted = fitMtgp(previous, int(layers), tasks, settle).hyperparameters;

        std::vector<double> refitTimes, acquireTimes, frontTimes, laplaceTimes;
        int evaluations = 0;
        for (int r = 0; r < repeats; ++r) {
            MtgpFitOptions warm = cold;
            warm.restarts = 0;
            warm.warmStart = fitted;
            auto start = std::chrono::steady_clock::now();
            const MtgpFitReport report = fitMtgp(data, int(layers), tasks, warm);
            const MultiTaskGP model(report.hyperparameters, data);
            refitTimes.push_back(seconds(start));
            evaluations = report.evaluations;
            MtgpFitOptions laplace = warm; // a study's fit past StudySurrogate::kSampleUpTo trials
            laplace.posteriorSamples = 8;
            laplace.sampleUpTo = 0;
            laplace.laplaceBeyondSampling = true;
            start = std::chrono::steady_clock::now();
            fitMtgp(data, int(layers), tasks, laplace);
            laplaceTimes.push_back(seconds(start));

            AcquisitionContext context;
            context.model = &model;
            context.pool = &pool;
            context.layerCount = layers;
            context.taskCosts = {0.25, 1.25, 2.25, 15.25};
            context.targetTask = 3;
            context.iteration = 1 + r; // not a multiple of 5: the information-gain step
            context.excluded.assign(size_t(tasks), std::vector<char>(pool.size(), 0));
            for (size_t c = 0; c < pool.size(); ++c)
                context.bitSums.push_back(double(layers) * 4);
            for (size_t c = 0; c < 64; ++c)
                context.referenceSet.push_back(c * (pool.size() / 64));
            start = std::chrono::steady_clock::now();
            strategy.proposeOne(context, rng);
            acquireTimes.push_back(seconds(start));
            for (size_t c = 0; c < pool.size(); ++c)
                context.candidateCosts.push_back(problem.memoryMB(pool.bits(c)));
            start = std::chrono::steady_clock::now();
            frontStrategy.proposeOne(context, rng);
            frontTimes.push_back(seconds(start));
        }
        // Floating-point work: per likelihood-and-gradient evaluation, Cholesky (n^3/3), K^-1 from
        // it (2 n^3 / 3) and the n^2 d gradient products; per acquisition, whitening the reference
        // set (n^2 |G|) and S_GG (2 n |G|^2) once, and per task whitening the candidates (n^2 m),
        // the cross-covariance (2 n |G| m) and its whitening by S_GG (|G|^2 m).
        const double nn = n, m = double(pool.size()), g = 64, d = double(layers);
        const double likelihoodFlops = nn * nn * nn + 6 * nn * nn * d;
        const double acquisitionFlops =
            nn * nn * g + 2 * nn * g * g + tasks * (nn * nn * m + 2 * nn * g * m + g * g * m);
        const double flops = evaluations * likelihoodFlops + acquisitionFlops;
        const double step = median(refitTimes) + median(acquireTimes);
        std::printf("%6d %10.3f %10.3f %10.3f %11d %10.2f %10.2f %10.3f %10.3f\n", n, median(refitTimes),
                    median(acquireTimes), step, evaluations, flops / 1e9, flops / 1e9 / step, median(frontTimes),
                    median(laplaceTimes));
        std::fflush(stdout);
    }
    return 0;
}
