//===- tools/ember-translate/ember-translate.cpp - between representations ===//
//
// Translates between ember's representations. Today: `--dump-ast FILE.py`
// prints the syntax tree the frontend parser builds, with source positions.
// The IR emitter adds `--import-python`, `--import-code` and `--emit-code`.
//
//===----------------------------------------------------------------------===//
#include "frontend/Parser.h"
#include "ir/Diagnostic.h"

#include <fstream>
#include <iostream>
#include <sstream>

using namespace ember;

int main(int argc, char **argv) {
  std::string mode, file = "-";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dump-ast") {
      mode = a;
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: ember-translate --dump-ast [FILE.py|-]\n";
      return 0;
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::cerr << "ember-translate: error: unknown option '" << a << "'\n";
      return 1;
    } else {
      file = a;
    }
  }
  if (mode.empty()) {
    std::cerr << "ember-translate: error: no translation given (try --dump-ast)\n";
    return 1;
  }
  std::stringstream text;
  if (file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::cerr << "ember-translate: error: cannot open '" << file << "'\n";
      return 1;
    }
    text << in.rdbuf();
  }
  try {
    auto buffer = std::make_shared<SourceBuffer>(
        SourceBuffer{file == "-" ? "<stdin>" : file, text.str()});
    frontend::Module m = frontend::parseSource(buffer);
    std::cout << frontend::dumpAST(m);
  } catch (const CompileError &e) {
    std::cerr << e.rendered();
    return 1;
  }
  return 0;
}
