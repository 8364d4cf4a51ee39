//===- tools/ember-opt/ember-opt.cpp - IR -> passes -> IR -----------------===//
//
// Reads graphs in TorchScript's text format from a file or stdin, runs the
// passes given with `-p a,b,c` or `--pipeline=NAME`, verifies after each
// pass, and prints the result. A thin main: everything lives in ir/ and
// passes/.
//
//===----------------------------------------------------------------------===//
#include "ir/Diagnostic.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "passes/Passes.h"
#include "runtime/OperatorImport.h"

#include <iostream>
#include <sstream>

using namespace ember;

static int usage(int code) {
  std::cerr << "usage: ember-opt [FILE|-] [-p pass1,pass2] [--pipeline=NAME] [--print-after-all]\n"
               "                 [--verify-each=0|1] [--stats] [--list-passes]\n";
  return code;
}

static std::vector<std::string> splitCommas(const std::string &s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty())
      out.push_back(item);
  return out;
}

int main(int argc, char **argv) {
  std::string file = "-";
  std::vector<std::string> passes;
  PassManagerOptions opts;
  bool stats = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-p" && i + 1 < argc) {
      for (auto &p : splitCommas(argv[++i]))
        passes.push_back(p);
    } else if (a.rfind("-p=", 0) == 0 || a.rfind("--passes=", 0) == 0) {
      for (auto &p : splitCommas(a.substr(a.find('=') + 1)))
        passes.push_back(p);
    } else if (a.rfind("--pipeline=", 0) == 0) {
      auto names = pipelineNamed(a.substr(11));
      if (names.empty()) {
        std::cerr << "ember-opt: error: unknown pipeline '" << a.substr(11) << "'\n";
        return 1;
      }
      passes.insert(passes.end(), names.begin(), names.end());
    } else if (a == "--print-after-all") {
      opts.printAfterAll = true;
    } else if (a == "--verify-each=0" || a == "--no-verify-each") {
      opts.verifyEach = false;
    } else if (a == "--verify-each" || a == "--verify-each=1") {
      opts.verifyEach = true;
    } else if (a == "--stats") {
      stats = true;
    } else if (a == "--list-passes") {
      for (const auto &p : allPasses())
        std::cout << p.name << "\t" << p.description << "\n";
      return 0;
    } else if (a == "-h" || a == "--help") {
      return usage(0);
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      std::cerr << "ember-opt: error: unknown option '" << a << "'\n";
      return usage(1);
    } else {
      file = a;
    }
  }

  auto source = loadSource(file);
  if (!source) {
    std::cerr << "ember-opt: error: cannot open '" << file << "'\n";
    return 1;
  }

  try {
    initializeRuntime();
    auto unit = parseIR(source->text, source->name);
    verify(*unit);
    Statistics counters;
    opts.printer = [](const std::string &pass, const std::string &ir) {
      std::cerr << "// -----// IR after " << pass << " //----- //\n" << ir;
    };
    runPasses(*unit, passes, opts, &counters);
    printCompilationUnit(std::cout, *unit);
    if (stats)
      for (const auto &[name, value] : counters.counters())
        std::cerr << value << " " << name << "\n";
  } catch (const CompileError &e) {
    std::cerr << e.rendered();
    return 1;
  } catch (const VerificationError &e) {
    if (e.hasSpan())
      std::cerr << e.what();
    else
      std::cerr << (file == "-" ? "<stdin>" : file) << ": error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception &e) {
    std::cerr << (file == "-" ? "<stdin>" : file) << ": error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
