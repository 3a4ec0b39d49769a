// The comparison for `tally count --validate`'s validator: simdjson (the fastest JSON parser we know of) parsing each
// line of a frames file, as `dom::parser::parse` per line and as its own newline-delimited `parse_many`.
// simdjson builds a DOM (numbers converted, strings unescaped), more work than a yes/no check: the figure is the
// bar, not a like-for-like. Build and run (Debian: apt-get install libsimdjson-dev):
//
//   g++ -O3 -std=c++17 Benchmarks/simdjson/parse-lines.cpp -lsimdjson -o /tmp/parse-lines
//   tally generate frames -c 200000 -r 1000 -n 100000 -s 1 -o /tmp/frames-200k.jsonl
//   /tmp/parse-lines /tmp/frames-200k.jsonl
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#define STRINGIFY_VALUE(x) STRINGIFY(x)
#define STRINGIFY(x) #x

int main(int argc, char **argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s FRAMES.jsonl\n", argv[0]);
        return 2;
    }
    std::ifstream file(argv[1], std::ios::binary);
    std::stringstream contents;
    contents << file.rdbuf();
    const std::string data = contents.str();
    std::vector<std::pair<size_t, size_t>> lines;
    for (size_t start = 0, i = 0; i < data.size(); i++) {
        if (data[i] == '\n') {
            lines.emplace_back(start, i - start);
            start = i + 1;
        }
    }
    std::printf("simdjson %s, kernel %s, %zu lines\n", STRINGIFY_VALUE(SIMDJSON_VERSION),
                simdjson::get_active_implementation()->name().c_str(), lines.size());
    simdjson::dom::parser parser;
    for (const char *mode : {"parse per line", "parse_many"}) {
        for (int round = 0; round < 3; round++) {
            size_t valid = 0;
            const auto started = std::chrono::steady_clock::now();
            if (std::string(mode) == "parse_many") {
                simdjson::dom::document_stream documents;
                if (parser.parse_many(data.data(), data.size(), 1 << 20).get(documents)) return 1;
                for (auto document : documents) valid += document.error() ? 0 : 1;
            } else {
                for (const auto &[offset, length] : lines) {
                    // `realloc_if_needed`: the line is not followed by simdjson's padding in place.
                    valid += parser.parse(data.data() + offset, length, true).error() ? 0 : 1;
                }
            }
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::printf("%s: %zu valid, %.0f frames/s, %.0f MB/s\n", mode, valid, lines.size() / seconds,
                        data.size() / seconds / 1e6);
        }
    }
}
