//===- runtime/OperatorImport.cpp - ATen schemas into ember's registry ----===//
//
// Listens to c10::Dispatcher's registrations, those made before ember loads
// and those of libraries loaded later (torchvision's ops), and converts each
// c10::FunctionSchema into ember's own FunctionSchema, structurally: names, overload, arguments
// with types (through their printed form and ember's schema type parser),
// fixed list sizes, defaults, keyword-only markers and alias annotations.
// `SymInt` becomes `int`, as TorchScript graphs show it.
//
//===----------------------------------------------------------------------===//
#include "runtime/OperatorImport.h"

#include "ir/CustomClasses.h"
#include "ir/Log.h"

#include "ir/Schema.h"
#include "ir/TypeParser.h"
#include "runtime/ConstantEvaluator.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/custom_class.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <mutex>
#include <sstream>

namespace ember {
namespace {

std::vector<std::string> setNames(const std::unordered_set<c10::Symbol> &sets) {
  std::vector<std::string> names;
  for (const auto &s : sets)
    names.push_back(s.toUnqualString());
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<AliasInfo> convertAlias(const c10::AliasInfo *info) {
  if (!info)
    return std::nullopt;
  AliasInfo a;
  a.beforeSets = setNames(info->beforeSets());
  a.afterSets = setNames(info->afterSets());
  a.isWrite = info->isWrite();
  if (!info->containedTypes().empty())
    a.contained = std::make_shared<AliasInfo>(*convertAlias(&info->containedTypes()[0]));
  return a;
}

/// True for default values a schema can spell: numbers, strings, None,
/// devices and lists of these. Operators registered from Python can carry
/// other payloads (Python objects), which cannot be printed without Python.
bool spellable(const c10::IValue &v) {
  if (v.isNone() || v.isInt() || v.isDouble() || v.isBool() || v.isString() || v.isDevice() ||
      v.isComplexDouble())
    return true;
  if (v.isIntList() || v.isDoubleList() || v.isBoolList())
    return true;
  if (v.isList()) {
    for (const c10::IValue &e : v.toListRef())
      if (!spellable(e))
        return false;
    return true;
  }
  return false;
}

Argument convertArgument(const c10::Argument &arg) {
  Argument a;
  a.name = arg.name();
  a.type = parseTypeString(arg.type()->str(), TypeSyntax::Schema);
  if (arg.N())
    a.N = *arg.N();
  if (arg.default_value() && !spellable(*arg.default_value()))
    throw std::invalid_argument("default value of '" + arg.name() + "' has no schema spelling");
  if (arg.default_value()) {
    std::ostringstream ss;
    arg.default_value()->repr(ss, [](std::ostream &, const c10::IValue &) { return false; });
    a.defaultValue = ss.str();
  }
  a.kwargOnly = arg.kwarg_only();
  a.alias = convertAlias(arg.alias_info());
  return a;
}

/// ember's form of a c10 schema; null when it has a type ember cannot spell.
std::shared_ptr<FunctionSchema> convertSchema(const c10::FunctionSchema &s) {
  auto schema = std::make_shared<FunctionSchema>();
  schema->name = s.name();
  schema->overload = s.overload_name();
  try {
    for (const auto &arg : s.arguments())
      schema->arguments.push_back(convertArgument(arg));
    for (const auto &ret : s.returns())
      schema->returns.push_back(convertArgument(ret));
  } catch (const std::exception &) {
    return nullptr;
  }
  schema->varArgs = s.is_vararg();
  schema->varRets = s.is_varret();
  return schema;
}

/// Adds one dispatcher operator to ember's registry; false when its schema
/// has a type ember cannot spell (none known on torch 1.13 or 2.x): the
/// operator stays unknown, and graphs using it are treated conservatively.
bool importOperator(const c10::FunctionSchema &s) {
  // EMBER_LOG=import names each operator before it is read.
  if (logEnabled("import"))
    std::cerr << "[import] " << s.name() << "." << s.overload_name() << std::endl;
  std::shared_ptr<FunctionSchema> schema = convertSchema(s);
  if (!schema)
    return false;
  schema->conservative = s.aliasAnalysis() == c10::AliasAnalysisKind::CONSERVATIVE;
  OperatorRegistry::global().add(std::move(schema));
  return true;
}

/// The schema of a custom class's method (`unpack`, `__getstate__`), as
/// the frontend binds calls to it.
std::shared_ptr<const FunctionSchema> customMethodSchema(const std::string &cls,
                                                         const std::string &method) {
  c10::ClassTypePtr type = torch::getCustomClass(cls);
  torch::jit::Function *fn = type ? type->findMethod(method) : nullptr;
  return fn ? convertSchema(fn->getSchema()) : nullptr;
}

/// Hears of every operator the dispatcher has, and of those libraries load
/// later (`import torchvision` registers torchvision::nms): scripts can
/// call them as `torch.ops.torchvision.nms`, as in TorchScript.
class ImportListener : public c10::OpRegistrationListener {
public:
  explicit ImportListener(std::atomic<size_t> &count) : count_(count) {}
  void onOperatorRegistered(const c10::OperatorHandle &op) override {
    if (op.hasSchema() && importOperator(op.schema()))
      ++count_;
  }
  void onOperatorDeregistered(const c10::OperatorHandle &) override {
    // Kept: graphs compiled against it may still name it.
  }

private:
  std::atomic<size_t> &count_;
};

size_t importAll() {
  static std::atomic<size_t> count{0};
  // The dispatcher calls the listener for each operator it has now, then
  // for each one registered later; the handle is never released.
  static auto *handle = new c10::RegistrationHandleRAII(
      c10::Dispatcher::singleton().addRegistrationListener(std::make_unique<ImportListener>(count)));
  (void)handle;
  OperatorRegistry::global().markComplete();
  return count.load();
}

} // namespace

size_t registerATenOperators() {
  static size_t count = importAll();
  return count;
}

void initializeRuntime() {
  registerATenOperators();
  installConstantEvaluator();
  static bool lookupInstalled = [] {
    setCustomClassLookup(
        [](const std::string &name) { return torch::getCustomClass(name) != nullptr; });
    setCustomMethodLookup(customMethodSchema);
    return true;
  }();
  (void)lookupInstalled;
}

} // namespace ember
