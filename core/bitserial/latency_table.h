#pragma once

#include "bitserial/popcount_kernels.h"
#include "common/progress.h"
#include "data/image_set.h"
#include "model/network.h"
#include "quant/bit_config.h"

#include <array>
#include <string>
#include <vector>

namespace quantscope::bitserial {

/// One quantizable layer's measured time per batch on this machine.
struct LayerLatency {
    std::string name;
    bool takesImage = false; ///< its input is the image: float unless the policy quantizes it
    double floatMs = 0;      ///< LibTorch's float convolution / linear (a float weight or input)
    /// The bit-serial layer at weight bits w and activation bits a, at [(w - 1) * 8 + (a - 1)]:
    /// quantizing its input, the kernels, the epilogue (rescaling, batch norm and ReLU folded in).
    std::array<double, 64> bitSerialMs{};
    double ms(int weightBits, int activationBits) const;
};

/// The bit-serial engine's latency, measured per layer and bit pair: a configuration's latency is
/// the sum of its layers' times plus the rest of the network (pooling, float operations), which no
/// bit width changes. Measured once per network and machine (CPU model, kernels, threads, batch)
/// and cached, since the measurement takes seconds and the table answers in microseconds.
struct LatencyTable {
    std::string machine; ///< the CPU model, kernel path and threads it was measured with
    int batch = 64;
    std::vector<LayerLatency> layers; ///< in the network's layer order
    double otherMs = 0;               ///< per batch, outside the quantizable layers

    /// Milliseconds per image of `bits` (one entry per layer; a float side costs the float time,
    /// and so does the image-reading layer unless `quantizeImageInput`). ConfigError when `bits`
    /// has another number of layers.
    double perImageMs(const BitConfig& bits, bool quantizeImageInput = false) const;
    std::string toJson() const;
    /// ConfigError naming what is wrong with `text`.
    static LatencyTable fromJson(const std::string& text);
};

struct LatencyOptions {
    KernelPath path = KernelPath::Portable; ///< on LibTorch's threads, as many as it uses now
    int batch = 64;
    int repeats = 3; ///< the fastest of this many runs per entry, after one warm-up
};

/// Measures `network`'s table: its layers' shapes and input signs from the bit-serial engine run
/// at 8 bits (ranges calibrated on `calibrationSet`), then every layer at every bit pair on random
/// inputs of those shapes. Progress is reported per layer. ConfigError for a network the engine
/// cannot run (no inference graph).
LatencyTable measureLatencyTable(const Network& network, const ImageSet& calibrationSet, const LatencyOptions& options,
                                 const WorkControl& control = {});

/// The table from the cache (`$XDG_CACHE_HOME/quantscope/latency`, else `~/.cache/...`) when it
/// holds one for this network, machine and options; else measured and stored there (a cache that
/// cannot be written is skipped). `refresh`: measure again anyway.
LatencyTable cachedLatencyTable(const Network& network, const ImageSet& calibrationSet, const LatencyOptions& options,
                                bool refresh = false, const WorkControl& control = {});

/// "<CPU model name>, <kernel path>, <threads> threads" (LibTorch's count now): what a table's
/// times depend on.
std::string latencyMachine(const LatencyOptions& options);

} // namespace quantscope::bitserial
