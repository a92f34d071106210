// Fashion-MNIST's IDX files, gzip-compressed or not: the first byte splits the input into an
// images file and a labels file.
#include "common/error.h"
#include "data/idx_reader.h"
#include "fuzz_file.h"

#include <algorithm>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 1)
        return 0;
    const size_t split = 1 + std::min<size_t>(size - 1, size_t(data[0]) * size / 256);
    try {
        quantscope::readIdx(quantscope::fuzz::writeScratch(data + 1, split - 1, "-images"),
                            quantscope::fuzz::writeScratch(data + split, size - split, "-labels"));
    } catch (const quantscope::Error&) {
    }
    return 0;
}
