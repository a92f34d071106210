#include "data/gzip_file.h"

#include "common/error.h"

#include <zlib.h>

#include <algorithm>
#include <filesystem>

namespace quantscope {

std::vector<uint8_t> readMaybeGzipFile(const std::string& path, size_t limit)
{
    if (!std::filesystem::exists(path))
        throw DataError("data file not found: " + path);
    gzFile file = gzopen(path.c_str(), "rb");
    if (!file)
        throw DataError("cannot open data file: " + path);

    std::vector<uint8_t> content;
    std::vector<uint8_t> chunk(1 << 20);
    bool stopped = false;
    for (;;) {
        const size_t wanted = std::min(chunk.size(), limit + 1 - content.size());
        if (wanted == 0) {
            stopped = true;
            break;
        }
        const int n = gzread(file, chunk.data(), unsigned(wanted));
        if (n < 0) {
            int code = 0;
            const std::string reason = gzerror(file, &code);
            gzclose(file);
            throw DataError("corrupt compressed data in " + path + ": " + reason);
        }
        if (n == 0)
            break;
        content.insert(content.end(), chunk.begin(), chunk.begin() + n);
    }
    // A gzip stream cut short reads as a clean end of file; gzclose reports it.
    const int closeCode = gzclose(file);
    if (stopped)
        return content; // the caller asked for no more; the rest was never inflated
    if (closeCode == Z_BUF_ERROR)
        throw DataError("truncated compressed data in " + path);
    if (closeCode != Z_OK)
        throw DataError("cannot read data file: " + path);
    return content;
}

} // namespace quantscope
