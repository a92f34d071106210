#include "idx_fixture.h"

#include <zlib.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace quantscope::test {
namespace {

void appendBigEndian(std::vector<uint8_t>& out, uint32_t value)
{
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(uint8_t(value >> shift));
}

bool endsWith(const std::string& s, const std::string& suffix)
{
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void writeMaybeGzip(const std::string& path, const std::vector<uint8_t>& bytes)
{
    if (!endsWith(path, ".gz")) {
        writeBytes(path, bytes);
        return;
    }
    gzFile file = gzopen(path.c_str(), "wb");
    if (!file || gzwrite(file, bytes.data(), unsigned(bytes.size())) != int(bytes.size()))
        throw std::runtime_error("cannot write fixture " + path);
    gzclose(file);
}

} // namespace

void writeIdxImages(const std::string& path, uint32_t count, uint32_t rows, uint32_t cols,
                    const std::vector<uint8_t>& pixels)
{
    std::vector<uint8_t> bytes;
    appendBigEndian(bytes, 0x00000803);
    appendBigEndian(bytes, count);
    appendBigEndian(bytes, rows);
    appendBigEndian(bytes, cols);
    bytes.insert(bytes.end(), pixels.begin(), pixels.end());
    writeMaybeGzip(path, bytes);
}

void writeIdxLabels(const std::string& path, const std::vector<uint8_t>& labels)
{
    std::vector<uint8_t> bytes;
    appendBigEndian(bytes, 0x00000801);
    appendBigEndian(bytes, uint32_t(labels.size()));
    bytes.insert(bytes.end(), labels.begin(), labels.end());
    writeMaybeGzip(path, bytes);
}

void writeBytes(const std::string& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

std::vector<uint8_t> readBytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace quantscope::test
