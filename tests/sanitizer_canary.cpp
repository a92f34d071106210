// Reads past a heap block on purpose: asan.canary proves that the sanitizer twins are instrumented
// and that tests/sanitized.sh catches a report, so the asan.* tests passing means something.
#include <cstdio>
#include <vector>

int main(int argc, char**)
{
    const std::vector<int> three(3, 1);
    std::printf("%d\n", three.data()[argc + 2]); // argc is 1: index 3 of 3
    return 0;
}
