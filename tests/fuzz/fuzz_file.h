#pragma once

// For harnesses of parsers that read files: the input written to one scratch file per process.

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <unistd.h>

namespace quantscope::fuzz {

inline std::string scratchFile(const std::string& suffix = "")
{
    return "/tmp/quantscope-fuzz-" + std::to_string(getpid()) + suffix;
}

inline std::string writeScratch(const uint8_t* data, size_t size, const std::string& suffix = "")
{
    const std::string path = scratchFile(suffix);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), std::streamsize(size));
    return path;
}

} // namespace quantscope::fuzz
