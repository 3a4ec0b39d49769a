// Vector operations Swift's SIMD types do not expose, for the JSON validator's first stage.
//
// - Gathering the top bit of each byte of a 16-byte vector into a 16-bit mask (SSE2 `pmovmskb`, part of every
//   x86-64 CPU): the Swift classifier compares bytes with SIMD16 and turns the comparisons into masks with this.
// - Classifying whole 64-byte blocks with AVX2 or AVX-512BW, chosen at run time: Swift compiles for the baseline
//   x86-64 (SSE2) and cannot compile one function for AVX2 and choose it at run time; these kernels do only the byte
//   comparisons, the validator's logic stays in Swift and is the same for every path.
//
// Other architectures get a portable loop for the mask (correct, slower) and no AVX2 kernel.
#ifndef TALLY_SIMD_H
#define TALLY_SIMD_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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

/// Per 64-byte block, bit k for byte k: the byte classes the validator starts from.
typedef struct {
    uint64_t backslashes, quotes, controls, spaces;  // `\`, `"`, below 0x20, up to 0x20
    uint64_t opens, closes, curly, colons, commas;   // `{[`, `}]`, bit 0x20 set, `:`, `,`
    uint64_t escapable, unicode, hex;                // `/ b f n r t u`, `u`, hex digits
} tally_byte_classes;

/// The widest kernel the environment allows, for measurements and for a CPU that misreports what it has (as simdjson's
/// `SIMDJSON_FORCE_IMPLEMENTATION`): `TALLY_SIMD=sse2` 0 (Swift's code), `avx2` 1, unset or anything else 2.
int tally_simd_limit(void);

/// 1 when this CPU runs `tally_classify_blocks_avx2` (x86-64 with AVX2), else 0.
int tally_has_avx2(void);

/// Classifies `count` consecutive 64-byte blocks at `bytes` into `out`. Only call when `tally_has_avx2()`.
void tally_classify_blocks_avx2(const uint8_t *bytes, size_t count, tally_byte_classes *out);

/// 1 when this CPU runs `tally_classify_blocks_avx512` well: x86-64 with AVX-512BW and VBMI2 (Ice Lake or later,
/// Zen 4), else 0.
int tally_has_avx512(void);

/// As `tally_classify_blocks_avx2`, with AVX-512BW. Only call when `tally_has_avx512()`.
void tally_classify_blocks_avx512(const uint8_t *bytes, size_t count, tally_byte_classes *out);

/// Per 64-byte block, the classes the structural search for a frame's root members needs (`RootMemberFinder`).
typedef struct {
    uint64_t quotes, backslashes, opens, closes, colons;  // `"`, `\`, `{[`, `}]`, `:`
} tally_structural_classes;

/// The structural classes of the 64 bytes at `block`. Only call when `tally_has_avx2()`.
void tally_structural_avx2(const uint8_t *block, tally_structural_classes *out);

/// As `tally_structural_avx2`, with AVX-512BW. Only call when `tally_has_avx512()`.
void tally_structural_avx512(const uint8_t *block, tally_structural_classes *out);

/// The first `byte` in `count` bytes at `bytes`, or NULL: the C library's `memchr`, which the C library vectorizes for
/// the CPU it runs on (AVX2 or EVEX on current x86-64), where Swift code is compiled for the baseline.
static inline const uint8_t *tally_find_byte(const uint8_t *bytes, uint8_t byte, size_t count) {
    return (const uint8_t *)memchr(bytes, byte, count);
}

#endif
