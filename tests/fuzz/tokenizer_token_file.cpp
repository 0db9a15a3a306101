// Fuzz target: token files (token_file.h), the ids `aprender train` reads.
//
// Feeds in: the input as the contents of a uint16 file (f.bin) and of a uint32 file
// (f.u32.bin); and the same bytes as ids to write, with a vocabulary size taken from them.
//
// Checks, for any bytes: read_token_file succeeds exactly when the size is a multiple of
// the width and (uint32) every id fits int32, gives one id per 2 or 4 bytes, and writing
// those ids back gives the same bytes; write_token_file refuses exactly the ids outside
// [0, vocab_size), and what it writes reads back as the same ids.
#include "tests/fuzz/fuzz.h"

#include "tokenizer/token_file.h"

#include <cstring>

using namespace aprender::tokenizer;

namespace {

void check_read(const std::string& dir, const std::string& name, const std::string& bytes, size_t width) {
    const std::string path = dir + "/" + name;
    fuzz::write_file(path, bytes);
    bool fits = bytes.size() % width == 0;
    for (size_t i = 0; fits && width == 4 && i < bytes.size(); i += 4) fits = static_cast<unsigned char>(bytes[i + 3]) < 0x80;
    std::vector<int32_t> ids;
    if (fuzz::expect_clean_error([&] { ids = read_token_file(path); }) != fits)
        fuzz::fail(fits ? "read_token_file refused a well-formed file" : "read_token_file accepted a malformed file");
    if (!fits) return;
    if (ids.size() != bytes.size() / width) fuzz::fail("read_token_file gave not one id per " + std::to_string(width) + " bytes");
    int32_t top = 0;
    for (int32_t id : ids) top = std::max(top, id);
    const std::string again = dir + "/again" + (width == 4 ? ".u32.bin" : ".bin");
    write_token_file(again, ids, int64_t{top} + 1);
    if (fuzz::read_file(again) != bytes) fuzz::fail("writing the ids read back does not give the same bytes");
}

}  // namespace

FUZZ_SEEDS(const std::string& dir) {
    fuzz::write_seed(dir, "u16", std::string("\x01\x00\xFF\xFF\x00\x01", 6));
    fuzz::write_seed(dir, "u32", std::string("\x01\x00\x00\x00\xFF\xFF\xFF\x7F\x00\x00\x01\x00", 12));
    fuzz::write_seed(dir, "odd", std::string("\x01\x00\x02", 3));
}

FUZZ_TARGET(const std::string& bytes) {
    const std::string dir = fuzz::write_folder({});
    check_read(dir, "f.bin", bytes, 2);
    check_read(dir, "f.u32.bin", bytes, 4);

    // Writing: ids from the bytes (signed, so negative ones too), vocab_size from the first four.
    if (bytes.size() < 4) return;
    int32_t vocab_size;
    std::memcpy(&vocab_size, bytes.data(), 4);
    std::vector<int32_t> ids((bytes.size() - 4) / 4);
    if (!ids.empty()) std::memcpy(ids.data(), bytes.data() + 4, ids.size() * 4);
    for (const char* name : {"w.bin", "w.u32.bin"}) {
        const std::string path = dir + "/" + name;
        bool ok = vocab_size > 0 && (is_u32_token_file(path) || vocab_size <= 65536);
        for (int32_t id : ids) ok &= id >= 0 && id < vocab_size;
        if (fuzz::expect_clean_error([&] { write_token_file(path, ids, vocab_size); }) != ok)
            fuzz::fail(ok ? "write_token_file refused valid ids" : "write_token_file accepted an id outside the vocabulary");
        if (ok && read_token_file(path) != ids) fuzz::fail("a token file written does not read back as the same ids");
    }
}
