// Bit configurations as people type them (--bits, the GUI) and as bits-json files hold them.
#include "common/error.h"
#include "quant/bit_config.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    static const std::vector<std::string> names = {"conv1", "conv2", "fc1", "fc2"};
    try {
        const quantscope::BitConfig bits = quantscope::BitConfig::parse(text, names);
        // What parse accepts, toString writes back in a form parse reads the same way.
        if (quantscope::BitConfig::parse(bits.toString(), names).toString() != bits.toString())
            __builtin_trap();
    } catch (const quantscope::Error&) {
    }
    try {
        quantscope::BitConfig::fromJson(text, names);
    } catch (const quantscope::Error&) {
    }
    return 0;
}
