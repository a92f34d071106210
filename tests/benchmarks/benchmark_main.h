#pragma once

#include <cstdio>
#include <exception>

/// Runs a benchmark program's `body`, turning an exception (an unreadable file, a missing model,
/// an unknown option value) into one line naming it and exit status 1, not an abort.
inline int runReportingErrors(const char* program, int (*body)(int, char**), int argc, char** argv)
{
    try {
        return body(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", program, e.what());
        return 1;
    }
}
