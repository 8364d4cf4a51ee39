//===- engine/Import.cpp - load `.pt` archives ----------------------------===//
//
// Loading follows torch.jit.load (reference §6.2): the extra files, then
// `constants.pkl` (what code names `CONSTANTS.cN`), then `data.pkl`, the
// module object. Classes are compiled lazily: a GLOBAL `__torch__.a.b.C`
// in the pickle, or a name `__torch__.a.b.f` in code, makes the resolver
// read `code/__torch__/a/b.py`, whose definitions are registered under
// their qualified names (`a.b.C`), as the code printer names them.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"
#include "engine/ScriptProgram.h"

#include "frontend/Annotations.h"
#include "frontend/DefaultValues.h"
#include "frontend/Parser.h"
#include "ir/Constants.h"
#include "serialization/Archive.h"

#include <ATen/core/class_type.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <sstream>

namespace ember {
namespace {

constexpr const char *kTorchPrefix = "__torch__.";

/// `code/__torch__/a/b.py` for qualifier `a.b`; `code/__torch__.py` for "".
std::string codePath(const std::string &qualifier) {
  std::string path = "code/__torch__";
  if (!qualifier.empty()) {
    path += "/";
    for (char c : qualifier)
      path += c == '.' ? '/' : c;
  }
  return path + ".py";
}

/// The code files and constants of an archive: the program compiles
/// methods on first call, long after loading, so its resolver keeps them.
struct ArchiveCode {
  std::string archiveName;
  std::map<std::string, std::string> files; // code/... records
  std::set<std::string> filesRead;
  std::vector<c10::IValue> constants;
  /// For an archive imported into a program with code of its own: the new
  /// name of each class and function it defines (`a.C` -> `a.___ember_
  /// import_N.C`), the way back, and `___ember_import_N`, which also
  /// prefixes its constants (`CONSTANTS.___ember_import_N_c0`).
  std::map<std::string, std::string> renamed, original;
  std::string tag;

  /// The code file defining `name` (`a.b.f` lives in `code/__torch__/a/b.py`),
  /// the first time it is asked for.
  std::shared_ptr<const frontend::Module> codeFile(const std::string &name) {
    if (!tag.empty() && !original.count(name))
      return nullptr; // none of this archive's names
    std::string old = tag.empty() ? name : original.at(name);
    size_t dot = old.rfind('.');
    std::string qualifier = dot == std::string::npos ? "" : old.substr(0, dot);
    std::string path = codePath(qualifier);
    auto it = files.find(path);
    if (filesRead.count(path) || it == files.end())
      return nullptr;
    filesRead.insert(path);
    auto buffer = std::make_shared<SourceBuffer>(
        SourceBuffer{archiveName + "/" + path, withNewNames(it->second)});
    auto module = std::make_shared<frontend::Module>(frontend::parseSource(buffer));
    for (auto &s : module->body)
      if (s->kind == frontend::StmtKind::FunctionDef || s->kind == frontend::StmtKind::ClassDef) {
        s->name = qualifier.empty() ? s->name : qualifier + "." + s->name;
        if (auto r = renamed.find(s->name); r != renamed.end())
          s->name = r->second;
      }
    return module;
  }

  std::shared_ptr<const c10::IValue> constant(const std::string &name) const {
    // `c<N>` (after the tag)
    std::string prefix = tag.empty() ? "" : tag + "_";
    if (name.compare(0, prefix.size(), prefix) != 0)
      return nullptr;
    std::string key = name.substr(prefix.size());
    if (key.size() < 2 || key.size() > 10 || key[0] != 'c' ||
        key.find_first_not_of("0123456789", 1) != std::string::npos)
      return nullptr;
    size_t i = std::stoul(key.substr(1));
    return i < constants.size() ? std::make_shared<c10::IValue>(constants[i]) : nullptr;
  }

  /// Renames every class and function the code files define (see `tag`).
  void renameDefinitions(const std::string &newTag) {
    tag = newTag;
    for (const auto &[path, text] : files) {
      // `code/__torch__/a/b.py` defines `a.b.<name>`; `code/__torch__.py` `<name>`.
      std::string qualifier = path.size() > 18 ? path.substr(15, path.size() - 18) : "";
      std::replace(qualifier.begin(), qualifier.end(), '/', '.');
      std::istringstream lines(text);
      for (std::string line; std::getline(lines, line);) {
        size_t start = line.rfind("class ", 0) == 0 ? 6 : line.rfind("def ", 0) == 0 ? 4 : 0;
        if (!start)
          continue;
        std::string name = line.substr(start, line.find_first_of("(:", start) - start);
        std::string old = qualifier.empty() ? name : qualifier + "." + name;
        std::string fresh = (qualifier.empty() ? "" : qualifier + ".") + tag + "." + name;
        renamed[old] = fresh;
        original[fresh] = old;
      }
    }
  }

  /// Code text (or a type annotation) with the new names: `__torch__.a.C`
  /// written `__torch__.a.___ember_import_N.C`, `CONSTANTS.cK` with the tag.
  std::string withNewNames(std::string text) const {
    if (tag.empty())
      return text;
    std::string out;
    size_t i = 0;
    auto isNameChar = [](char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    while (i < text.size()) {
      bool boundary = i == 0 || !isNameChar(text[i - 1]);
      if (boundary && text.compare(i, 10, "CONSTANTS.") == 0) {
        out += "CONSTANTS." + tag + "_";
        i += 10;
        continue;
      }
      if (boundary && text.compare(i, 10, kTorchPrefix) == 0) {
        // The longest defined name the dotted path starts with.
        size_t end = i + 10;
        while (end < text.size() && (isNameChar(text[end]) || text[end] == '.'))
          ++end;
        std::string path = text.substr(i + 10, end - i - 10);
        for (std::string prefix = path; !prefix.empty();) {
          if (auto r = renamed.find(prefix); r != renamed.end()) {
            path = r->second + path.substr(prefix.size());
            break;
          }
          size_t dot = prefix.rfind('.');
          prefix = dot == std::string::npos ? "" : prefix.substr(0, dot);
        }
        out += kTorchPrefix + path;
        i = end;
        continue;
      }
      out += text[i++];
    }
    return out;
  }
};

class Importer {
public:
  /// Into a new program, or into `into` with every name the archive
  /// defines renamed with `tag` (ArchiveCode::renameDefinitions).
  Importer(serialization::ArchiveReader &archive, std::optional<c10::Device> mapLocation,
           std::shared_ptr<ScriptProgram> into = nullptr, const std::string &tag = "")
      : archive_(archive), mapLocation_(mapLocation), code_(std::make_shared<ArchiveCode>()) {
    code_->archiveName = archive.name();
    for (const std::string &r : archive.records())
      if (r.rfind("code/", 0) == 0 && r.size() > 3 && r.compare(r.size() - 3, 3, ".py") == 0)
        code_->files[r] = archive.text(r);
    frontend::GlobalResolver resolver;
    resolver.function = [code = code_](const std::string &name) { return code->codeFile(name); };
    resolver.constant = [code = code_](const std::string &name) { return code->constant(name); };
    if (into) {
      code_->renameDefinitions(tag);
      program_ = std::move(into);
      program_->addResolver(std::move(resolver));
      return;
    }
    program_ = std::make_shared<ScriptProgram>(std::move(resolver));
    program_->setArchiveVersion(archive.version());
  }

  Module run(ExtraFiles *extraFiles) {
    if (archive_.has("model.json"))
      throw serialization::FormatError("'" + archive_.name() +
                                       "' uses the legacy (model.json) format of torch 1.0, which "
                                       "ember does not read; re-save it with a newer torch");
    if (extraFiles)
      for (auto it = extraFiles->begin(); it != extraFiles->end();) {
        if (archive_.has("extra/" + it->first)) {
          it->second = archive_.text("extra/" + it->first);
          ++it;
        } else {
          it = extraFiles->erase(it);
        }
      }
    if (archive_.has("constants.pkl")) {
      c10::IValue table = readPickle("constants.pkl", "constants/");
      if (!table.isTuple())
        throw serialization::FormatError("constants.pkl must hold a tuple");
      code_->constants = table.toTupleRef().elements().vec();
    }
    c10::IValue root = readPickle("data.pkl", "data/");
    if (!root.isObject() || !root.toObjectRef().type()->is_module())
      throw serialization::FormatError("data.pkl of '" + archive_.name() +
                                       "' does not hold a module");
    return Module(program_, root);
  }

private:
  serialization::ArchiveReader &archive_;
  std::optional<c10::Device> mapLocation_;
  std::shared_ptr<ArchiveCode> code_;
  std::shared_ptr<ScriptProgram> program_;

  /// A class name of the archive's pickles as the program knows it.
  std::string programName(const std::string &qualifiedName) const {
    return code_->withNewNames(qualifiedName);
  }

  c10::ClassTypePtr classType(const std::string &archiveName) {
    std::string qualifiedName = programName(archiveName);
    if (qualifiedName.rfind(kTorchPrefix, 0) != 0)
      throw serialization::FormatError("'" + qualifiedName + "' is not a class of the archive");
    runtime::ScriptClass *cls = program_->loadClass(qualifiedName.substr(strlen(kTorchPrefix)));
    if (!cls)
      throw serialization::FormatError("the archive's code does not define class '" +
                                       qualifiedName + "'");
    return cls->c10Type;
  }

  c10::TypePtr enumType(const std::string &archiveName) {
    std::string qualifiedName = programName(archiveName);
    if (qualifiedName.rfind(kTorchPrefix, 0) != 0)
      return nullptr;
    std::string key = qualifiedName.substr(strlen(kTorchPrefix));
    if (!program_->compiler().loadClass(key))
      return nullptr;
    auto info = program_->compiler().classToPrint(key);
    return info && info->type->kind() == TypeKind::Enum ? c10EnumType(info->type) : nullptr;
  }

  c10::TypePtr parseType(const std::string &annotation) {
    auto buffer =
        std::make_shared<SourceBuffer>(SourceBuffer{"<type tag>", code_->withNewNames(annotation)});
    frontend::ExprPtr e = frontend::parseExpression(buffer);
    TypePtr t = frontend::resolveType(*e, [this](const std::string &n) -> TypePtr {
      if (n.rfind(kTorchPrefix, 0) != 0)
        return nullptr;
      runtime::ScriptClass *cls = program_->loadClass(n.substr(strlen(kTorchPrefix)));
      return cls ? cls->type : nullptr;
    });
    return program_->unit().c10Type(t);
  }

  bool setState(const c10::IValue &object, const c10::IValue &state) {
    const std::string qual = object.toObjectRef().type()->name()->qualifiedName();
    std::string key = qual.substr(strlen(kTorchPrefix));
    if (!program_->compiler().hasMethod(key, "__setstate__"))
      return false;
    runtime::Function *fn = program_->function(key + ".__setstate__");
    fn->run({object, state});
    return true;
  }

  c10::IValue readPickle(const std::string &record, const std::string &tensorDir) {
    serialization::PickleEnvironment env;
    env.classType = [this](const std::string &n) { return classType(n); };
    env.enumType = [this](const std::string &n) { return enumType(n); };
    env.parseType = [this](const std::string &a) { return parseType(a); };
    env.setState = [this](const c10::IValue &o, const c10::IValue &s) { return setState(o, s); };
    env.storage = [this, tensorDir](const std::string &key) {
      if (key.find('/') != std::string::npos || key.find("..") != std::string::npos)
        throw serialization::FormatError("storage key '" + key + "' is not a record name");
      return archive_.record(tensorDir + key);
    };
    env.mapLocation = mapLocation_;
    auto [data, size] = archive_.record(record);
    try {
      return serialization::readPickle(static_cast<const char *>(data.get()), size, env);
    } catch (const serialization::FormatError &e) {
      throw serialization::FormatError(record + ": " + e.what());
    }
  }
};

Module importArchive(serialization::ArchiveReader &archive, std::optional<c10::Device> mapLocation,
                     ExtraFiles *extraFiles) {
  try {
    return Importer(archive, mapLocation).run(extraFiles);
  } catch (const serialization::FormatError &e) {
    throw LoadError(std::string("cannot load '") + archive.name() + "': " + e.what());
  } catch (const CompileError &e) {
    throw LoadError(std::string("cannot load '") + archive.name() +
                    "': its code does not compile:\n" + e.rendered());
  }
}

std::vector<c10::IValue> withDefaults(const FunctionSchema &schema, std::vector<c10::IValue> inputs,
                                      const c10::IValue &self, const std::string &name) {
  const auto &params = schema.arguments;
  if (inputs.size() + 1 > params.size())
    throw std::invalid_argument(name + "() takes " + std::to_string(params.size() - 1) +
                                " arguments but " + std::to_string(inputs.size()) + " were given");
  std::vector<c10::IValue> stack;
  stack.reserve(params.size());
  stack.push_back(self);
  for (auto &v : inputs)
    stack.push_back(std::move(v));
  for (size_t i = stack.size(); i < params.size(); ++i) {
    if (!params[i].defaultValue)
      throw std::invalid_argument(name + "() is missing a value for argument '" + params[i].name + "'");
    stack.push_back(frontend::defaultOf(params[i]));
  }
  return stack;
}

std::string classKey(const c10::IValue &object) {
  return object.toObjectRef().type()->name()->qualifiedName().substr(strlen(kTorchPrefix));
}

void collect(const c10::IValue &object, const std::string &prefix, bool recurse, bool buffers,
             std::vector<std::pair<std::string, at::Tensor>> &out) {
  const auto &o = object.toObjectRef();
  const auto &type = o.type();
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    const c10::IValue &v = o.getSlot(i);
    bool wanted = buffers ? type->is_buffer(i) : type->is_parameter(i);
    if (wanted && v.isTensor())
      out.push_back({prefix + type->getAttributeName(i), v.toTensor()});
  }
  if (!recurse)
    return;
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    const c10::IValue &v = o.getSlot(i);
    if (v.isObject() && v.toObjectRef().type()->is_module())
      collect(v, prefix + type->getAttributeName(i) + ".", true, buffers, out);
  }
}

} // namespace

Module::Module(std::shared_ptr<ScriptProgram> program, c10::IValue object)
    : program_(std::move(program)), object_(std::move(object)) {}

bool Module::has_method(const std::string &name) const {
  return program_->compiler().hasMethod(classKey(object_), name);
}

c10::IValue Module::run_method(const std::string &name, std::vector<c10::IValue> inputs) const {
  std::string key = classKey(object_);
  if (!program_->compiler().hasMethod(key, name))
    throw std::invalid_argument("'" + type_name() + "' has no method '" + name + "'");
  runtime::Function *fn = program_->function(key + "." + name);
  const FunctionSchema *schema = program_->schema(fn->name());
  runtime::Stack out = fn->run(withDefaults(*schema, std::move(inputs), object_, name));
  return out.size() == 1 ? out[0] : c10::IValue();
}

c10::IValue Module::forward(std::vector<c10::IValue> inputs) const {
  return run_method("forward", std::move(inputs));
}

bool Module::has_attr(const std::string &name) const {
  return object_.toObjectRef().type()->hasAttribute(name);
}

c10::IValue Module::attr(const std::string &name) const {
  const auto &o = object_.toObjectRef();
  auto slot = o.type()->findAttributeSlot(name);
  if (!slot)
    throw std::out_of_range("'" + type_name() + "' has no attribute '" + name + "'");
  return o.getSlot(*slot);
}

Module Module::submodule(const std::string &name) const {
  c10::IValue v = attr(name);
  if (!v.isObject() || !v.toObjectRef().type()->is_module())
    throw std::out_of_range("'" + name + "' is not a submodule of '" + type_name() + "'");
  return Module(program_, v);
}

std::vector<std::pair<std::string, at::Tensor>> Module::named_parameters(bool recurse) const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  collect(object_, "", recurse, /*buffers=*/false, out);
  return out;
}

std::vector<std::pair<std::string, at::Tensor>> Module::named_buffers(bool recurse) const {
  std::vector<std::pair<std::string, at::Tensor>> out;
  collect(object_, "", recurse, /*buffers=*/true, out);
  return out;
}

std::string Module::type_name() const {
  return object_.toObjectRef().type()->name()->qualifiedName();
}

Module load(const std::string &path, std::optional<c10::Device> mapLocation,
            ExtraFiles *extraFiles) {
  std::unique_ptr<serialization::ArchiveReader> archive;
  try {
    archive = std::make_unique<serialization::ArchiveReader>(path);
  } catch (const serialization::FormatError &e) {
    throw LoadError(e.what());
  }
  return importArchive(*archive, mapLocation, extraFiles);
}

Module importInto(const std::shared_ptr<ScriptProgram> &program, std::string bytes) {
  static std::atomic<int> imports{0};
  std::string tag = "___ember_import_" + std::to_string(imports++);
  try {
    serialization::ArchiveReader archive(std::move(bytes), "<bytes>");
    return Importer(archive, std::nullopt, program, tag).run(nullptr);
  } catch (const serialization::FormatError &e) {
    throw LoadError(std::string("cannot import an archive: ") + e.what());
  } catch (const CompileError &e) {
    throw LoadError("cannot import an archive: its code does not compile:\n" + e.rendered());
  }
}

Module loadFromBytes(std::string bytes, std::optional<c10::Device> mapLocation,
                     ExtraFiles *extraFiles) {
  std::unique_ptr<serialization::ArchiveReader> archive;
  try {
    archive = std::make_unique<serialization::ArchiveReader>(std::move(bytes), "<bytes>");
  } catch (const serialization::FormatError &e) {
    throw LoadError(e.what());
  }
  return importArchive(*archive, mapLocation, extraFiles);
}

} // namespace ember
