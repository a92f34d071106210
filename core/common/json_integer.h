#pragma once

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace quantscope {

/// `value` as an integer of type Int, or ConfigError "<what> must be an integer in lo..hi, got X".
/// nlohmann's get<Int>() converts a float such as 1e61 (or an integer out of Int's range) by a cast
/// whose result is undefined; documents from outside go through this instead.
template <typename Int>
Int jsonInteger(const nlohmann::json& value, const std::string& what, Int lo = std::numeric_limits<Int>::min(),
                Int hi = std::numeric_limits<Int>::max())
{
    // Every 64-bit value, signed or not, fits in 128 bits (GCC and clang have them).
    using Wide = __int128;
    bool fits = false;
    if (value.is_number_integer()) {
        const Wide v = value.is_number_unsigned() ? Wide(value.get<uint64_t>()) : Wide(value.get<int64_t>());
        fits = v >= Wide(lo) && v <= Wide(hi);
    }
    if (!fits)
        throw ConfigError(what + " must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got "
                          + value.dump());
    return value.is_number_unsigned() ? Int(value.get<uint64_t>()) : Int(value.get<int64_t>());
}

} // namespace quantscope
