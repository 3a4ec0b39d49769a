#include "tally_simd.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

int tally_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

#define TALLY_AVX2 __attribute__((target("avx2")))

/// 32 comparison lanes to 32 bits.
TALLY_AVX2 static inline uint64_t tally_bits(__m256i lanes) {
    return (uint32_t)_mm256_movemask_epi8(lanes);
}

TALLY_AVX2 static inline void tally_classify_half(__m256i v, int shift, tally_byte_classes *out) {
    const __m256i x20 = _mm256_set1_epi8(0x20);
    const __m256i folded = _mm256_or_si256(v, x20);
    // Unsigned comparisons by minimum: v <= c exactly when min(v, c) == v.
    const __m256i controls = _mm256_cmpeq_epi8(_mm256_min_epu8(v, _mm256_set1_epi8(0x1F)), v);
    const __m256i spaces = _mm256_cmpeq_epi8(_mm256_min_epu8(v, x20), v);
    const __m256i u = _mm256_cmpeq_epi8(v, _mm256_set1_epi8('u'));
    __m256i escapable = _mm256_or_si256(u, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('/')));
    escapable = _mm256_or_si256(escapable, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('b')));
    escapable = _mm256_or_si256(escapable, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('f')));
    escapable = _mm256_or_si256(escapable, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('n')));
    escapable = _mm256_or_si256(escapable, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('r')));
    escapable = _mm256_or_si256(escapable, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('t')));
    const __m256i digit = _mm256_sub_epi8(v, _mm256_set1_epi8('0'));
    const __m256i isDigit = _mm256_cmpeq_epi8(_mm256_min_epu8(digit, _mm256_set1_epi8(9)), digit);
    const __m256i letter = _mm256_sub_epi8(folded, _mm256_set1_epi8('a'));
    const __m256i isLetter = _mm256_cmpeq_epi8(_mm256_min_epu8(letter, _mm256_set1_epi8(5)), letter);

    out->backslashes |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))) << shift;
    out->quotes |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"'))) << shift;
    out->controls |= tally_bits(controls) << shift;
    out->spaces |= tally_bits(spaces) << shift;
    out->opens |= tally_bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('{'))) << shift;
    out->closes |= tally_bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('}'))) << shift;
    out->curly |= tally_bits(_mm256_slli_epi16(v, 2)) << shift; // bit 0x20 moved to the top of each byte
    out->colons |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(':'))) << shift;
    out->commas |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(','))) << shift;
    out->escapable |= tally_bits(escapable) << shift;
    out->unicode |= tally_bits(u) << shift;
    out->hex |= tally_bits(_mm256_or_si256(isDigit, isLetter)) << shift;
}

TALLY_AVX2 void tally_classify_blocks_avx2(const uint8_t *bytes, size_t count, tally_byte_classes *out) {
    for (size_t block = 0; block < count; block++) {
        tally_byte_classes classes = {0};
        const uint8_t *at = bytes + block * 64;
        tally_classify_half(_mm256_loadu_si256((const __m256i *)at), 0, &classes);
        tally_classify_half(_mm256_loadu_si256((const __m256i *)(at + 32)), 32, &classes);
        out[block] = classes;
    }
}

#else

int tally_has_avx2(void) { return 0; }

void tally_classify_blocks_avx2(const uint8_t *bytes, size_t count, tally_byte_classes *out) {
    (void)bytes;
    (void)count;
    (void)out;
}

#endif
