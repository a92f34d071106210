// What an external evaluator command prints (a result) and what `study evaluate` reads (a request).
#include "common/error.h"
#include "study/evaluator_protocol.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        quantscope::parseTrialResult(text);
    } catch (const quantscope::Error&) {
    }
    try {
        quantscope::parseTrialRequest(text, {"conv1", "conv2", "fc1", "fc2"});
    } catch (const quantscope::Error&) {
    }
    return 0;
}
