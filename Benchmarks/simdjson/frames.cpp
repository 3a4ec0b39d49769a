// The comparisons for `tally count`: simdjson 3 reading every frame of a file. Modes:
//   fields  On-Demand reads uid and ts of each line (ts as a number or a string of digits), stopping there, and
//           folds them into a checksum: the work of `tally count`'s early-stopping scanner
//   exact   the same, and each uid into an exact set (std::unordered_set<std::string>): `tally count --exact`
//   dom     a DOM parse of each whole line, then uid and ts from it: `tally count --validate`
// Each mode runs twice streamed, as `tally count FILE` reads (read(2) into a reused 4 MiB buffer, lines parsed in
// place, a cut line carried over: the time includes the copies from the page cache), then three times over the
// whole file in memory (loaded before the clock starts). One core: run it under `taskset -c 1`.
//
//   apt-get install libsimdjson-dev
//   g++ -O3 -march=native -std=c++17 Benchmarks/simdjson/frames.cpp -lsimdjson -o /tmp/simdjson-frames
//   taskset -c 1 /tmp/simdjson-frames FRAMES.jsonl [fields|exact|dom] [once]
// `once`: one streamed pass only (for interleaved runs, scripts/bench-count.sh).
#include <simdjson.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#define STRINGIFY_VALUE(x) STRINGIFY(x)
#define STRINGIFY(x) #x

using namespace simdjson;

struct Totals {
    size_t counted = 0, failed = 0;
    uint64_t checksum = 0;
    std::unordered_set<std::string> users;
};

// A DOM parse of the whole line, then uid and ts from the tree; `capacity` bytes from `line` are readable.
static void domFrame(dom::parser &parser, const char *line, size_t length, Totals &totals) {
    dom::element doc;
    std::string_view uid;
    uint64_t ts = 0;
    // The line is followed by readable bytes (the rest of the buffer, or its padding): parsed in place.
    if (parser.parse(line, length, false).get(doc) || doc["uid"].get(uid)) {
        totals.failed++;
        return;
    }
    if (doc["ts"].get(ts)) {
        std::string_view digits;
        if (doc["ts"].get(digits)) {
            totals.failed++;
            return;
        }
        ts = std::strtoull(std::string(digits).c_str(), nullptr, 10);
    }
    totals.counted++;
    totals.checksum += ts ^ std::hash<std::string_view>{}(uid);
}

// Reads uid and ts of one line in place; `capacity` bytes from `line` are readable (On-Demand reads ahead).
static void frame(ondemand::parser &parser, const char *line, size_t length, size_t capacity, bool exact, Totals &totals) {
    ondemand::document doc;
    ondemand::object root;
    if (parser.iterate(line, length, capacity).get(doc) || doc.get_object().get(root)) {
        totals.failed++;
        return;
    }
    std::string_view uid;
    uint64_t ts = 0;
    bool haveUid = false, haveTs = false;
    // Fields in the order they come, stopping once both are read (as `tally count` does).
    for (auto field : root) {
        std::string_view key;
        if (field.unescaped_key().get(key)) break;
        if (!haveUid && key == "uid") {
            if (field.value().get_string().get(uid)) break;
            haveUid = true;
        } else if (!haveTs && key == "ts") {
            auto value = field.value();
            if (value.get_uint64().get(ts)) {
                std::string_view digits;
                if (value.get_string().get(digits)) break;
                ts = std::strtoull(std::string(digits).c_str(), nullptr, 10);
            }
            haveTs = true;
        }
        if (haveUid && haveTs) break;
    }
    if (!(haveUid && haveTs)) {
        totals.failed++;
        return;
    }
    totals.counted++;
    totals.checksum += ts ^ std::hash<std::string_view>{}(uid);
    if (exact) totals.users.emplace(uid);
}

static void report(const char *mode, const char *how, const Totals &totals, size_t bytes, double seconds) {
    const size_t frames = totals.counted + totals.failed;
    std::printf("%s %s: %zu counted, %zu failed, %zu users, checksum %llu, %.0f frames/s, %.0f MB/s\n", mode, how,
                totals.counted, totals.failed, totals.users.size(), (unsigned long long)totals.checksum,
                frames / seconds, bytes / seconds / 1e6);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FRAMES.jsonl [fields|exact]\n", argv[0]);
        return 2;
    }
    std::vector<std::string> modes;
    if (argc > 2) modes.push_back(argv[2]); else modes = {"fields", "exact", "dom"};
    const bool once = argc > 3 && std::string(argv[3]) == "once";
    std::printf("simdjson %s, kernel %s\n", STRINGIFY_VALUE(SIMDJSON_VERSION), get_active_implementation()->name().c_str());
    ondemand::parser parser;
    dom::parser domParser;
    const size_t chunk = 4 << 20;
    std::vector<char> buffer(chunk + (1 << 20) + SIMDJSON_PADDING);
    for (const auto &mode : modes) {
        const bool exact = mode == "exact";
        const bool dom = mode == "dom";
        auto parse = [&](const char *line, size_t length, size_t capacity, Totals &totals) {
            if (dom) domFrame(domParser, line, length, totals); else frame(parser, line, length, capacity, exact, totals);
        };
        for (int round = 0; round < (once ? 1 : 2); round++) {
            Totals totals;
            size_t bytes = 0;
            const auto started = std::chrono::steady_clock::now();
            int fd = open(argv[1], O_RDONLY);
            if (fd < 0) return 1;
            size_t held = 0;  // bytes of a cut line at the start of the buffer
            while (true) {
                if (buffer.size() < held + chunk + SIMDJSON_PADDING) buffer.resize(held + chunk + SIMDJSON_PADDING);
                const ssize_t got = read(fd, buffer.data() + held, chunk);
                if (got < 0) return 1;
                bytes += size_t(got);
                const size_t filled = held + size_t(got);
                const char *start = buffer.data(), *end = buffer.data() + filled;
                while (start < end) {
                    const char *newline = static_cast<const char *>(std::memchr(start, '\n', end - start));
                    if (!newline && got > 0) break;
                    const char *lineEnd = newline ? newline : end;
                    if (lineEnd > start) parse(start, lineEnd - start, buffer.data() + buffer.size() - start, totals);
                    start = lineEnd + 1;
                }
                if (got == 0) break;
                held = end > start ? size_t(end - start) : 0;
                std::memmove(buffer.data(), start, held);
            }
            close(fd);
            report(mode.c_str(), "streamed ", totals, bytes, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        }
        if (once) continue;
        padded_string padded;
        if (padded_string::load(argv[1]).get(padded)) return 1;
        std::vector<std::pair<size_t, size_t>> lines;
        for (const char *start = padded.data(), *end = padded.data() + padded.length(); start < end;) {
            const char *newline = static_cast<const char *>(std::memchr(start, '\n', end - start));
            const char *lineEnd = newline ? newline : end;
            lines.emplace_back(start - padded.data(), lineEnd - start);
            start = lineEnd + 1;
        }
        for (int round = 0; round < 3; round++) {
            Totals totals;
            const auto started = std::chrono::steady_clock::now();
            for (const auto &[offset, length] : lines) {
                parse(padded.data() + offset, length, padded.length() + SIMDJSON_PADDING - offset, totals);
            }
            report(mode.c_str(), "in memory", totals, padded.length(), std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        }
    }
}
