//===- tools/ember-translate/ember-translate.cpp - between representations ===//
//
// Translates between ember's representations. Today: `--dump-ast FILE.py`
// prints the syntax tree the frontend parser builds, with source positions,
// and `--dump-signatures FILE.py` the schema of every function and method as
// the annotations and `# type:` comments give it. The IR emitter adds
// `--import-python`, `--import-code` and `--emit-code`.
//
//===----------------------------------------------------------------------===//
#include "frontend/Annotations.h"
#include "frontend/Parser.h"
#include "ir/Diagnostic.h"

#include <iostream>

using namespace ember;

static void dumpSignatures(const frontend::Module &m) {
  // Classes defined in the file are the user types annotations may name.
  std::vector<std::string> classes;
  for (const auto &s : m.body)
    if (s->kind == frontend::StmtKind::ClassDef)
      classes.push_back(s->name);
  frontend::TypeNameResolver resolver = [&](const std::string &name) -> TypePtr {
    for (const auto &c : classes)
      if (c == name)
        return Type::classType("__torch__." + name, /*isModule=*/false);
    return nullptr;
  };
  auto print = [&](const frontend::Stmt &def, const std::string &prefix, bool isMethod) {
    frontend::FunctionSignature sig = frontend::signatureOf(def, isMethod, resolver);
    sig.schema.name = prefix + def.name;
    std::string text = sig.schema.str();
    if (sig.returnInferred)
      text = text.substr(0, text.rfind("-> ")) + "-> <inferred>";
    std::cout << text << "\n";
  };
  for (const auto &s : m.body) {
    if (s->kind == frontend::StmtKind::FunctionDef)
      print(*s, "", false);
    if (s->kind == frontend::StmtKind::ClassDef)
      for (const auto &inner : s->body)
        if (inner->kind == frontend::StmtKind::FunctionDef) {
          bool isStatic = false;
          for (const auto &d : inner->decorators)
            isStatic |= d->kind == frontend::ExprKind::Name && d->text == "staticmethod";
          print(*inner, s->name + ".", !isStatic);
        }
  }
}

int main(int argc, char **argv) {
  std::string mode, file = "-";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dump-ast" || a == "--dump-signatures") {
      mode = a;
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: ember-translate --dump-ast|--dump-signatures [FILE.py|-]\n";
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
  auto source = loadSource(file);
  if (!source) {
    std::cerr << "ember-translate: error: cannot open '" << file << "'\n";
    return 1;
  }
  try {
    frontend::Module m = frontend::parseSource(source);
    if (mode == "--dump-ast")
      std::cout << frontend::dumpAST(m);
    else
      dumpSignatures(m);
  } catch (const CompileError &e) {
    std::cerr << e.rendered();
    return 1;
  }
  return 0;
}
