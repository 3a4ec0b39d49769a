// The one vector operation Swift's SIMD types do not expose: gathering the top bit of each byte of a 16-byte
// vector into a 16-bit mask (SSE2 `pmovmskb`, part of every x86-64 CPU). The JSON validator compares bytes with
// Swift's SIMD types and turns the comparisons into bit masks with this; without it each mask costs a multiply
// chain. Other architectures get a portable loop (correct, slower).
#ifndef TALLY_SIMD_H
#define TALLY_SIMD_H

#include <stdint.h>

/// Imported into Swift as `SIMD16<UInt8>`.
typedef uint8_t tally_u8x16 __attribute__((ext_vector_type(16)));

#if defined(__SSE2__)
#include <emmintrin.h>
static inline uint16_t tally_movemask_u8x16(tally_u8x16 bytes) {
    return (uint16_t)_mm_movemask_epi8((__m128i)bytes);
}
#else
static inline uint16_t tally_movemask_u8x16(tally_u8x16 bytes) {
    uint16_t mask = 0;
    for (int lane = 0; lane < 16; lane++) mask |= (uint16_t)((bytes[lane] >> 7) & 1) << lane;
    return mask;
}
#endif

#endif
