//===- frontend/LibraryClasses.cpp - torch classes TorchScript compiles ---===//
//
// The source of each class is the code TorchScript prints for it into an
// archive (torch/autograd/grad_mode.py compiled with is_scripting() true).
//
//===----------------------------------------------------------------------===//
#include "frontend/LibraryClasses.h"

#include "frontend/Parser.h"

#include <map>

namespace ember::frontend {
namespace {

struct LibraryClass {
  std::vector<std::string> paths; // how Python code names it
  const char *source;
};

const std::map<std::string, LibraryClass> &libraryClasses() {
  static const std::map<std::string, LibraryClass> table = {
      {"torch.autograd.grad_mode.no_grad",
       {{"torch.no_grad", "torch.autograd.no_grad", "torch.autograd.grad_mode.no_grad"},
        "class no_grad:\n"
        "  prev : bool\n"
        "  def __enter__(self) -> None:\n"
        "    self.prev = torch.is_grad_enabled()\n"
        "    torch.set_grad_enabled(False)\n"
        "  def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:\n"
        "    torch.set_grad_enabled(self.prev)\n"
        "  def __init__(self) -> None:\n"
        "    self.prev = False\n"}},
  };
  return table;
}

} // namespace

std::optional<std::string> libraryClassNamed(const std::string &path) {
  for (const auto &[name, cls] : libraryClasses())
    for (const std::string &p : cls.paths)
      if (p == path)
        return name;
  return std::nullopt;
}

std::shared_ptr<Module> libraryClassModule(const std::string &qualifiedName) {
  auto it = libraryClasses().find(qualifiedName);
  if (it == libraryClasses().end())
    return nullptr;
  auto buffer = std::make_shared<SourceBuffer>(
      SourceBuffer{"<torch library: " + qualifiedName + ">", it->second.source});
  auto module = std::make_shared<Module>(parseSource(buffer));
  for (auto &s : module->body)
    if (s->kind == StmtKind::ClassDef)
      s->name = qualifiedName;
  return module;
}

} // namespace ember::frontend
