//===- tools/ember-translate/ember-translate.cpp - between representations ===//
//
// Translates between ember's representations: `--import-python FILE.py`
// prints the IR of every function in the file (after the `frontend`
// pipeline; `--no-cleanup` shows the emitter's raw output), `--dump-ast`
// the syntax tree with source positions, and `--dump-signatures` the schema
// of every function and method as annotations and `# type:` comments give
// it; `--import-ir FILE.ir` reads graphs in TorchScript's text format.
// `--emit-code` prints TorchScript's `.code` instead of IR; `--emit-llvm`
// prints the LLVM IR the JIT makes of each function (`--llvm-opt N`
// optimises it at level N first; 0, as lowered, by default).
//
//===----------------------------------------------------------------------===//
#include "frontend/Annotations.h"
#include "frontend/Emitter.h"
#include "frontend/Parser.h"
#include "ir/Diagnostic.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Schema.h"
#include "passes/Passes.h"
#include "runtime/Code.h"
#include "runtime/OperatorImport.h"
#include "runtime/ScriptUnit.h"

#ifdef EMBER_HAVE_JIT
#include "codegen/Lowering.h"
#endif

#include <cstdlib>
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

/// Prints every function and class of the file that was compiled (all of
/// them, or those `--function` asked for) as TorchScript's code.
static void emitCode(frontend::Compiler &compiler, const frontend::Module &m) {
  frontend::CodePrinter printer;
  for (const auto &s : m.body) {
    if (s->kind == frontend::StmtKind::FunctionDef) {
      Graph *g = compiler.unit().find(s->name);
      const FunctionSchema *schema = compiler.schema(s->name);
      if (g && schema)
        printer.printFunction(s->name, *g, *schema);
    } else if (s->kind == frontend::StmtKind::ClassDef) {
      if (auto c = compiler.classToPrint(s->name))
        printer.printClass(*c);
    }
  }
  std::cout << printer.str();
}

struct Options {
  bool cleanup = true, code = false;
  int llvmOpt = -1; // >= 0: print LLVM IR optimised at this level
  std::vector<std::string> passes, only;
};

/// Prints the LLVM IR of every graph, in the order given.
static void emitLLVM(const CompilationUnit &functions, unsigned optLevel) {
#ifdef EMBER_HAVE_JIT
  runtime::ScriptUnit unit;
  for (const auto &g : functions.functions()) {
    runtime::Function *fn = unit.addFunction(g->name(), g);
    std::cout << codegen::emitLLVM(fn->code(), codegen::CompileOptions{optLevel});
  }
#else
  (void)functions;
  (void)optLevel;
  throw std::runtime_error("--emit-llvm needs ember built with LLVM");
#endif
}

/// Prints each graph as IR under its function's name.
static void printFunctions(const CompilationUnit &unit) {
  PrintOptions opts;
  opts.useFunctionName = true;
  printCompilationUnit(std::cout, unit, opts);
}

static void importPython(std::shared_ptr<const frontend::Module> m, const Options &o) {
  initializeRuntime();
  frontend::Compiler compiler;
  compiler.addModule(m);
  if (o.only.empty())
    compiler.compileAll();
  for (const auto &name : o.only)
    compiler.compileFunction(name);
  if (o.cleanup)
    runPasses(compiler.unit(), pipelineNamed("frontend"), PassManagerOptions{});
  if (!o.passes.empty())
    runPasses(compiler.unit(), o.passes, PassManagerOptions{});
  if (o.code)
    return emitCode(compiler, *m);
  const auto &only = o.only;
  // Print in source order, not in the order compilation finished.
  CompilationUnit ordered;
  auto add = [&](const std::string &name) {
    for (const auto &g : compiler.unit().functions())
      if (g->name() == name)
        ordered.add(g);
  };
  if (!only.empty()) {
    // The functions asked for and everything they called.
    for (const auto &g : compiler.unit().functions())
      ordered.add(g);
    if (o.llvmOpt >= 0)
      return emitLLVM(ordered, unsigned(o.llvmOpt));
    return printFunctions(ordered);
  }
  for (const auto &s : m->body) {
    if (s->kind == frontend::StmtKind::FunctionDef)
      add(s->name);
    if (s->kind == frontend::StmtKind::ClassDef)
      for (const auto &method : s->body)
        if (method->kind == frontend::StmtKind::FunctionDef)
          add(s->name + "." + frontend::methodNameOf(*method));
  }
  if (o.llvmOpt >= 0)
    return emitLLVM(ordered, unsigned(o.llvmOpt));
  printFunctions(ordered);
}

/// `--import-ir`: graphs in TorchScript's text format, after any `-p`
/// passes, printed back, as `.code` (each with its default schema, as
/// TorchScript prints a function made from a graph) or as LLVM IR.
static void importIR(const SourceBuffer &source, const Options &o) {
  initializeRuntime();
  std::unique_ptr<CompilationUnit> unit = parseIR(source.text, source.name);
  if (!o.passes.empty())
    runPasses(*unit, o.passes, PassManagerOptions{});
  if (o.llvmOpt >= 0)
    return emitLLVM(*unit, unsigned(o.llvmOpt));
  if (!o.code)
    return printFunctions(*unit);
  frontend::CodePrinter printer;
  for (const auto &g : unit->functions())
    printer.printFunction(g->name(), *g, defaultSchemaFor(*g, g->name()));
  std::cout << printer.str();
}

int main(int argc, char **argv) {
  std::string mode, file = "-";
  Options o;
  bool llvm = false;
  int llvmOpt = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--no-cleanup") {
      o.cleanup = false;
    } else if (a == "-p" && i + 1 < argc) {
      std::string list = argv[++i];
      for (size_t start = 0, end; start <= list.size(); start = end + 1) {
        end = list.find(',', start);
        if (end == std::string::npos)
          end = list.size();
        if (end > start)
          o.passes.push_back(list.substr(start, end - start));
      }
    } else if (a == "--function" && i + 1 < argc) {
      o.only.push_back(argv[++i]);
    } else if (a == "--emit-code") {
      o.code = true;
    } else if (a == "--emit-llvm") {
      llvm = true;
    } else if (a == "--llvm-opt" && i + 1 < argc) {
      llvmOpt = std::atoi(argv[++i]);
      if (llvmOpt < 0 || llvmOpt > 3) {
        std::cerr << "ember-translate: error: --llvm-opt takes 0 to 3\n";
        return 1;
      }
    } else if (a == "--dump-ast" || a == "--dump-signatures" || a == "--import-python" ||
               a == "--import-code" || a == "--import-ir") {
      mode = a;
    } else if (a == "-h" || a == "--help") {
      std::cout << "usage: ember-translate --import-python|--import-code|--import-ir [--emit-code]\n"
                   "                       [--no-cleanup]\n"
                   "                       [--emit-llvm [--llvm-opt N]]\n"
                   "                       [-p pass,...] [--function NAME]... [FILE|-]\n"
                   "       ember-translate --dump-ast|--dump-signatures [FILE.py|-]\n";
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
    if (llvm)
      o.llvmOpt = llvmOpt;
    if (mode == "--import-ir")
      return importIR(*source, o), 0;
    auto m = std::make_shared<frontend::Module>(frontend::parseSource(source));
    if (mode == "--import-python" || mode == "--import-code")
      importPython(m, o);
    else if (mode == "--dump-ast")
      std::cout << frontend::dumpAST(*m);
    else
      dumpSignatures(*m);
  } catch (const CompileError &e) {
    std::cerr << e.rendered();
    return 1;
  } catch (const std::exception &e) {
    std::cerr << "ember-translate: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
