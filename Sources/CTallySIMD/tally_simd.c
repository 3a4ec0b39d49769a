#include "tally_simd.h"

#include <stdlib.h>

int tally_simd_limit(void) {
    const char *choice = getenv("TALLY_SIMD");
    if (choice == NULL) return 2;
    if (strcmp(choice, "sse2") == 0) return 0;
    if (strcmp(choice, "avx2") == 0) return 1;
    return 2;
}

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
    // Escape letters and hex digits by two table lookups, on the low and the high half of each byte, instead of
    // eleven comparisons: a byte is in a set when both its entries have a bit of that set. Bits: 1 `/`; 2 `0`-`9`;
    // 4 `A`-`F` and `a`-`f`; 8 `b f n`; 16 `r t u`. Bytes from 0x80 up have no high-half entry, so are in neither.
    const __m256i low = _mm256_setr_epi8(2, 6, 30, 6, 22, 22, 14, 2, 2, 2, 0, 0, 0, 0, 8, 1,
                                         2, 6, 30, 6, 22, 22, 14, 2, 2, 2, 0, 0, 0, 0, 8, 1);
    const __m256i high = _mm256_setr_epi8(0, 0, 1, 2, 4, 0, 12, 16, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 1, 2, 4, 0, 12, 16, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i sets = _mm256_and_si256(_mm256_shuffle_epi8(low, _mm256_and_si256(v, nibble)),
                                          _mm256_shuffle_epi8(high, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble)));
    const __m256i zero = _mm256_setzero_si256();
    const __m256i notEscapable = _mm256_cmpeq_epi8(_mm256_and_si256(sets, _mm256_set1_epi8(1 | 8 | 16)), zero);
    const __m256i notHex = _mm256_cmpeq_epi8(_mm256_and_si256(sets, _mm256_set1_epi8(2 | 4)), zero);

    out->backslashes |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))) << shift;
    out->quotes |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"'))) << shift;
    out->controls |= tally_bits(controls) << shift;
    out->spaces |= tally_bits(spaces) << shift;
    out->opens |= tally_bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('{'))) << shift;
    out->closes |= tally_bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('}'))) << shift;
    out->curly |= tally_bits(_mm256_slli_epi16(v, 2)) << shift; // bit 0x20 moved to the top of each byte
    out->colons |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(':'))) << shift;
    out->commas |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(','))) << shift;
    out->escapable |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(notEscapable) << shift;
    out->unicode |= tally_bits(u) << shift;
    out->hex |= (uint64_t)(uint32_t)~_mm256_movemask_epi8(notHex) << shift;
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

TALLY_AVX2 void tally_structural_avx2(const uint8_t *block, tally_structural_classes *out) {
    const __m256i x20 = _mm256_set1_epi8(0x20);
    tally_structural_classes classes = {0};
    for (int half = 0; half < 2; half++) {
        const __m256i v = _mm256_loadu_si256((const __m256i *)(block + half * 32));
        const __m256i folded = _mm256_or_si256(v, x20);
        const int shift = half * 32;
        classes.quotes |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('"'))) << shift;
        classes.backslashes |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\\'))) << shift;
        classes.opens |= tally_bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('{'))) << shift;
        classes.closes |= tally_bits(_mm256_cmpeq_epi8(folded, _mm256_set1_epi8('}'))) << shift;
        classes.colons |= tally_bits(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(':'))) << shift;
    }
    *out = classes;
}

int tally_has_avx512(void) {
    __builtin_cpu_init();
    // VBMI2 too, as simdjson's AVX-512 kernel asks: it marks Ice Lake and later (and AMD Zen 4), where 512-bit
    // instructions do not lower the clock as on Skylake-SP, which would slow the whole program more than the kernel
    // gains.
    return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi2");
}

#define TALLY_AVX512 __attribute__((target("avx512f,avx512bw")))

/// The same classes as the AVX2 kernel, a whole block per comparison: AVX-512 compares straight into a 64-bit mask.
TALLY_AVX512 void tally_classify_blocks_avx512(const uint8_t *bytes, size_t count, tally_byte_classes *out) {
    const __m512i x20 = _mm512_set1_epi8(0x20);
    for (size_t block = 0; block < count; block++) {
        const __m512i v = _mm512_loadu_si512((const void *)(bytes + block * 64));
        const __m512i folded = _mm512_or_si512(v, x20);
        tally_byte_classes classes;
        classes.backslashes = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
        classes.quotes = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
        classes.controls = _mm512_cmplt_epu8_mask(v, x20);
        classes.spaces = _mm512_cmple_epu8_mask(v, x20);
        classes.opens = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('{'));
        classes.closes = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('}'));
        classes.curly = _mm512_test_epi8_mask(v, x20);
        classes.colons = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(':'));
        classes.commas = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(','));
        classes.unicode = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('u'));
        classes.escapable = classes.unicode | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('/'))
            | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('b')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('f'))
            | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('n')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('r'))
            | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('t'));
        classes.hex = _mm512_cmple_epu8_mask(_mm512_sub_epi8(v, _mm512_set1_epi8('0')), _mm512_set1_epi8(9))
            | _mm512_cmple_epu8_mask(_mm512_sub_epi8(folded, _mm512_set1_epi8('a')), _mm512_set1_epi8(5));
        out[block] = classes;
    }
}

TALLY_AVX512 void tally_structural_avx512(const uint8_t *block, tally_structural_classes *out) {
    const __m512i v = _mm512_loadu_si512((const void *)block);
    const __m512i folded = _mm512_or_si512(v, _mm512_set1_epi8(0x20));
    out->quotes = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
    out->backslashes = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\\'));
    out->opens = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('{'));
    out->closes = _mm512_cmpeq_epi8_mask(folded, _mm512_set1_epi8('}'));
    out->colons = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(':'));
}

#else

int tally_has_avx2(void) { return 0; }

void tally_structural_avx2(const uint8_t *block, tally_structural_classes *out) {
    (void)block;
    (void)out;
}

void tally_structural_avx512(const uint8_t *block, tally_structural_classes *out) {
    (void)block;
    (void)out;
}

int tally_has_avx512(void) { return 0; }

void tally_classify_blocks_avx512(const uint8_t *bytes, size_t count, tally_byte_classes *out) {
    (void)bytes;
    (void)count;
    (void)out;
}

void tally_classify_blocks_avx2(const uint8_t *bytes, size_t count, tally_byte_classes *out) {
    (void)bytes;
    (void)count;
    (void)out;
}

#endif
