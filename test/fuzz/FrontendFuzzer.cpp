// libFuzzer target for the frontend: lexer and parser on arbitrary bytes.
// Any input must end in a tree or a CompileError; a crash, a hang, a leak or
// any other exception is a bug.
#include "frontend/Parser.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  auto buffer = std::make_shared<ember::SourceBuffer>(
      ember::SourceBuffer{"fuzz.py", std::string(reinterpret_cast<const char *>(data), size)});
  try {
    ember::frontend::Module m = ember::frontend::parseSource(buffer);
    (void)ember::frontend::dumpAST(m);
  } catch (const ember::CompileError &) {
  }
  return 0;
}
