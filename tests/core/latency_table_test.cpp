// The bit-serial latency table: measured on the shipped model (a small batch, to stay fast), it
// holds a time for every layer and bit pair, grows with the bits where the work does, survives its
// JSON form and the cache, and predicts configurations as the sum of their layers.
#include "bitserial/latency_table.h"
#include "common/error.h"
#include "data/dataset.h"
#include "model/default_model.h"
#include "train/device.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace quantscope::bitserial {
namespace {

TEST(LatencyTable, MeasuredOnTheShippedModelAndCached)
{
    test::TempDir dir;
    ASSERT_EQ(setenv("XDG_CACHE_HOME", dir.path().c_str(), 1), 0);
    const Network network = Network::load(defaultModelPath());
    const DataSplits splits = splitDataset(loadDataset(DatasetKind::FashionMnist));
    LatencyOptions options;
    options.path = fastestKernelPath();
    options.batch = 4;
    // One thread and the fastest of three runs: on a loaded CI machine two threads waited for each
    // other at every kernel's barrier (1 bit took 64 ms against 8 bits' 0.5 in two runs of three),
    // and load only ever adds time, so it cannot decide the comparison below.
    setComputeThreads(1);
    options.repeats = 3;
    const LatencyTable table = cachedLatencyTable(network, splits.calibration.head(64), options);
    unsetenv("XDG_CACHE_HOME");

    ASSERT_EQ(table.layers.size(), network.layers().size());
    EXPECT_EQ(table.batch, 4);
    EXPECT_TRUE(table.layers.front().takesImage);
    for (const LayerLatency& layer : table.layers) {
        EXPECT_GT(layer.floatMs, 0.0) << layer.name;
        for (double ms : layer.bitSerialMs)
            EXPECT_GT(ms, 0.0) << layer.name;
    }
    // conv5 (96 x 96 x 3 x 3): W8A8 is 64 plane pairs, W1A1 one; far apart whatever the noise.
    EXPECT_GT(table.layers[5].ms(8, 8), 4 * table.layers[5].ms(1, 1));

    // A configuration costs its layers plus the rest; the image layer stays float by default.
    const BitConfig mixed = BitConfig::parse("8,4,4,3,2,2,3,4,8", network.layerNames());
    double sum = table.otherMs + table.layers[0].floatMs;
    for (size_t i = 1; i < table.layers.size(); ++i)
        sum += table.layers[i].ms(mixed[i].weight, mixed[i].activation);
    EXPECT_DOUBLE_EQ(table.perImageMs(mixed), sum / 4);
    EXPECT_GT(table.perImageMs(mixed, true), 0.0);
    EXPECT_THROW(table.perImageMs(BitConfig::uniform(8, 3)), ConfigError);

    const LatencyTable again = LatencyTable::fromJson(table.toJson());
    EXPECT_EQ(again.machine, table.machine);
    EXPECT_DOUBLE_EQ(again.perImageMs(mixed), table.perImageMs(mixed));

    // The cache answers the same options with the stored table (no new measurement: equal times).
    ASSERT_EQ(setenv("XDG_CACHE_HOME", dir.path().c_str(), 1), 0);
    const LatencyTable cached = cachedLatencyTable(network, splits.calibration.head(64), options);
    unsetenv("XDG_CACHE_HOME");
    EXPECT_DOUBLE_EQ(cached.perImageMs(mixed), table.perImageMs(mixed));
}

TEST(LatencyTable, RefusesForeignJson)
{
    EXPECT_THROW(LatencyTable::fromJson("{}"), ConfigError);
    EXPECT_THROW(LatencyTable::fromJson("not json"), ConfigError);
    EXPECT_THROW(LatencyTable::fromJson(R"({"format": 99})"), ConfigError);
}

} // namespace
} // namespace quantscope::bitserial
