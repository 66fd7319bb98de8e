/* ISA-L igzip (2.30.0 .. HEAD) levels 1/2: the bytes isal_deflate_stateless produces depend on the
 * ADDRESS of the isal_zstream.
 *
 * igzip/igzip_icf_body_h1_gr_bt.asm, label .write_first_byte (taken on every call whose history is
 * empty, i.e. every stateless call):
 *         mov   hash, hash2
 *         shr   tmp2, 16            ; tmp2 = rcx was never loaded with curr_data on this path:
 *         compute_hash hash2, tmp2  ; it still holds the stream pointer (elf64 entry: mov rcx, rdi)
 * so input position 2 is inserted into hash bucket H = crc32c((uint32)(stream >> 16)) & hash_mask
 * instead of the bucket of its own 4 bytes. (igzip_body.asm, level 0, does `mov tmp6, curr_data`
 * before its `je .write_first_byte`; the icf body lacks the equivalent `mov tmp2, curr_data`.)
 *
 * Input built here: 2 bytes, an 8-byte pattern P at offset 2, filler (16 letters, compressible) with no hash collisions
 * with P, P again at offset 1000. P's second copy is found as a match only when H happens to be P's
 * bucket, so the member's bytes change with the 64 KiB window the isal_zstream lives in.
 *
 * Build (stock Debian libisal):   gcc -O2 -msse4.2 -o repro repro.c -lisal
 * Build (patched static ISA-L):   gcc -O2 -msse4.2 -I$ISAL/include -o repro_fixed repro.c $ISAL/bin/isa-l.a
 *                                 (ISAL: an ISA-L tree with fix.patch applied, built with make -f Makefile.unx)
 */
#define _GNU_SOURCE
#include <isa-l.h>
#include <nmmintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define N 4096
static uint8_t in[N], out[2 * N + 1024], lvl[ISAL_DEF_LVL1_DEFAULT];
static unsigned bucket(const uint8_t* p) { uint32_t v; memcpy(&v, p, 4); return _mm_crc32_u32(0, v) & 0x1fff; }
static unsigned window_hash(unsigned long w) { return _mm_crc32_u32(0, (uint32_t)w) & 0x1fff; }

/* Compress `in` with the isal_zstream placed at address w << 16; returns the member size. */
static unsigned compress_at(unsigned long w, uint64_t* digest) {
    void* p = mmap((void*)(w << 16), sizeof(struct isal_zstream), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p != (void*)(w << 16)) { perror("mmap"); _exit(3); }
    struct isal_zstream* s = p;             /* fresh zero page: every field is 0 */
    memset(lvl, 0, sizeof lvl);
    isal_deflate_stateless_init(s);
    s->level = 1; s->level_buf = lvl; s->level_buf_size = sizeof lvl;
    s->gzip_flag = IGZIP_GZIP; s->end_of_stream = 1; s->flush = NO_FLUSH;
    s->next_in = in; s->avail_in = N; s->next_out = out; s->avail_out = sizeof out;
    if (isal_deflate_stateless(s) != COMP_OK) _exit(2);
    unsigned n = s->total_out; uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < n; i++) { h ^= out[i]; h *= 1099511628211ull; }
    *digest = h; munmap(p, sizeof *s); return n;
}

int main(void) {
    const uint8_t P[8] = {'I', 'S', 'A', '-', 'L', '!', '!', '?'};
    in[0] = 'x'; in[1] = 'y'; memcpy(in + 2, P, 8);
    uint32_t r = 12345;                      /* filler: LCG letters a-p, regenerated where a position
                                                would share P's hash bucket */
    unsigned B = bucket(in + 2);
    for (int i = 10; i < N; i++) {
        if (i >= 1000 && i < 1008) { in[i] = P[i - 1000]; continue; }
        do { r = r * 1103515245u + 12345u; in[i] = (uint8_t)('a' + ((r >> 16) & 15)); }
        while (i >= 13 && i < 1000 && bucket(in + i - 3) == B);
    }
    /* Two stream addresses: one in a window whose H is P's bucket, one whose H is not. */
    unsigned long w_hit = 0x50000000UL, w_miss = 0x50000000UL;
    while (window_hash(w_hit) != B) w_hit++;
    while (window_hash(w_miss) == B) w_miss++;
    uint64_t d1, d2;
    unsigned n1 = compress_at(w_hit, &d1), n2 = compress_at(w_miss, &d2);
    printf("ISA-L %d.%d.%d, P's bucket %04x\n", ISAL_MAJOR_VERSION, ISAL_MINOR_VERSION, ISAL_PATCH_VERSION, B);
    printf("stream at %#lx (H=%04x): %u bytes, digest %016llx\n", w_hit << 16, window_hash(w_hit), n1, (unsigned long long)d1);
    printf("stream at %#lx (H=%04x): %u bytes, digest %016llx\n", w_miss << 16, window_hash(w_miss), n2, (unsigned long long)d2);
    /* One stream address per H value: how many different members for the same input? */
    int distinct = 1, at_d1 = 0; uint64_t first = 0, other = 0;
    for (unsigned H = 0, w = 0x50000000UL; H < 8192; H++, w++) {
        while (window_hash(w) != H) w++;
        uint64_t d; compress_at(w, &d);
        if (H == 0) first = d;
        else if (d != first && d != other) { if (!other) other = d; distinct += (d == other); }
        at_d1 += (d == d1);
    }
    printf("8192 stream addresses (one per H): %d distinct member(s); %d equal the first one above\n", distinct, at_d1);
    printf(d1 == d2 ? "DETERMINISTIC\n" : "ADDRESS-DEPENDENT OUTPUT\n");
    return 0;
}
