#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace quantscope::test {

/// A fresh directory under the system temp folder, removed with its content at scope exit.
class TempDir {
public:
    TempDir()
    {
        std::random_device device;
        path_ = std::filesystem::temp_directory_path() / ("quantscope-test-" + std::to_string(device()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const { return path_; }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

} // namespace quantscope::test
