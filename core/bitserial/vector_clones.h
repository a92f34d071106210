#pragma once

// Loops written as plain C++ that compilers vectorise: with this attribute GCC builds them for the
// CPU's widest vectors too and picks one at load time, while the rest of the build stays baseline
// x86-64. Not under AddressSanitizer (its start-up precedes the resolvers) nor other compilers.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define QUANTSCOPE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define QUANTSCOPE_VECTOR_CLONES
#endif
