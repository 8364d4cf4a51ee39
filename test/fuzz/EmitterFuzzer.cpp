// libFuzzer target for the IR emitter and the code printer: arbitrary bytes
// are parsed, every function and class is compiled, every graph must pass
// the verifier, and the printed code must compile again. A CompileError is
// an accepted outcome; a crash, a hang, an invalid graph or any other
// exception is a bug.
#include "frontend/Emitter.h"
#include "frontend/Parser.h"
#include "ir/Verifier.h"
#include "runtime/OperatorImport.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace ember;

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  initializeRuntime();
  return 0;
}

static std::string compileAndPrint(const std::string &text, const char *name) {
  auto buffer = std::make_shared<SourceBuffer>(SourceBuffer{name, text});
  auto module = std::make_shared<frontend::Module>(frontend::parseSource(buffer));
  frontend::Compiler compiler;
  compiler.addModule(module);
  compiler.compileAll();
  verify(compiler.unit()); // throws VerificationError: not caught below
  frontend::CodePrinter printer;
  for (const auto &s : module->body) {
    if (s->kind == frontend::StmtKind::FunctionDef)
      printer.printFunction(s->name, *compiler.unit().find(s->name), *compiler.schema(s->name));
    else if (s->kind == frontend::StmtKind::ClassDef)
      printer.printClass(*compiler.classToPrint(s->name));
  }
  return printer.str();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  std::string code;
  try {
    code = compileAndPrint(text, "fuzz.py");
  } catch (const CompileError &) {
    return 0;
  }
  // What compiled must print as code that compiles again.
  try {
    compileAndPrint(code, "printed.py");
  } catch (const CompileError &e) {
    fprintf(stderr, "printed code does not compile:\n%s\n%s", code.c_str(), e.what());
    abort();
  }
  return 0;
}
