//===- engine/Export.cpp - write `.pt` archives ---------------------------===//
//
// Saving follows torch.jit.save (reference §6.2), so torch.jit.load reads
// what ember writes:
//  1. Find the classes of every object reachable from the module and
//     compile what the archive must hold of each.
//  2. Close over dependencies: the classes and NamedTuples named by
//     attribute types and by any value type in a method's graph, and the
//     functions the graphs call. As torch.jit.save, the classes of the
//     pickled objects come first, then what their code names, breadth
//     first, which is the order the code files list them in.
//  3. Print each qualifier's classes and functions into one code file
//     (`__torch__.a.b.C` -> `code/__torch__/a/b.py`), with tensors and
//     objects moved into the constants table as `CONSTANTS.cN`.
//  4. Pickle the module into `data.pkl` (tensors' storages to `data/`) and
//     the constants table into `constants.pkl` (storages to `constants/`).
//  5. The format version is 3 unless a versioned operator needs more.
//
//===----------------------------------------------------------------------===//
#include "engine/Module.h"
#include "engine/ScriptProgram.h"

#include "ir/CustomClasses.h"
#include "ir/Symbol.h"
#include "serialization/Pickle.h"

#include <ATen/ATen.h>
#include <ATen/core/class_type.h>
#include <caffe2/serialize/inline_container.h>
#include <torch/version.h>

#include <functional>
#include <map>
#include <set>

namespace ember {
namespace {

constexpr const char *kTorchPrefix = "__torch__.";

/// Operators whose semantics changed with a file format version: an
/// archive using one must say at least that version, or loaders would
/// run the old semantics on it (caffe2/serialize/versions.h).
uint64_t versionFor(const std::string &op) {
  static const std::map<std::string, uint64_t> versions = {
      {"aten::div", 4}, {"aten::div_", 4}, {"aten::full", 5},
      {"aten::linspace", 8}, {"aten::logspace", 9}, {"aten::gelu", 10}, {"aten::gelu_", 10},
  };
  auto it = versions.find(op);
  return it == versions.end() ? 3 : it->second;
}

std::string keyOf(const std::string &qualifiedName) {
  return qualifiedName.rfind(kTorchPrefix, 0) == 0 ? qualifiedName.substr(strlen(kTorchPrefix))
                                                    : qualifiedName;
}

std::string qualifierOf(const std::string &key) {
  size_t dot = key.rfind('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

/// The storages of one pickle's tensors, by identity, with their keys.
struct StorageTable {
  std::vector<at::Tensor> tensors; // one per storage, in key order
  std::map<const void *, std::string> keys;

  std::string keyOf(const at::Tensor &t) {
    const void *impl = t.storage().unsafeGetStorageImpl();
    auto it = keys.find(impl);
    if (it != keys.end())
      return it->second;
    std::string key = std::to_string(tensors.size());
    keys[impl] = key;
    tensors.push_back(t);
    return key;
  }
};

class Exporter {
public:
  explicit Exporter(const Module &module) : module_(module), program_(*module.program()) {}

  void write(caffe2::serialize::PyTorchStreamWriter &writer, const ExtraFiles &extraFiles) {
    std::vector<std::string> roots;
    collectClasses(module_.object(), roots);
    for (const auto &key : roots)
      program_.compileForExport(key);
    for (const auto &key : roots)
      requireClass(key);
    for (size_t i = 0; i < order_.size(); ++i) // scanning may append
      order_[i].isFunction ? scanFunction(order_[i].name) : scanClass(order_[i].name);
    std::map<std::string, std::string> files = printCode();

    for (const auto &[name, content] : extraFiles)
      writer.writeRecord("extra/" + name, content.data(), content.size());
    writePickle(writer, "data.pkl", "data/", module_.object());
    for (const auto &[path, text] : files)
      writer.writeRecord(path, text.data(), text.size(), /*compress=*/text.size() > 200);
    writePickle(writer, "constants.pkl", "constants/",
                c10::ivalue::Tuple::create(std::vector<c10::IValue>(constants_)));
#if TORCH_VERSION_MAJOR < 2
    // torch 2 writes the byte order itself at the end.
    writer.writeRecord("byteorder", "little", 6);
#endif
    writer.setMinVersion(version_);
    writer.writeEndOfFile();
  }

private:
  /// A class or function the code files hold.
  struct Definition {
    bool isFunction;
    std::string name;
  };

  const Module &module_;
  ScriptProgram &program_;
  // In torch.jit.save's order: the classes of the pickled objects as the
  // pickle meets them, then what their code names, breadth first, in the
  // order the printer meets it.
  std::vector<Definition> order_;
  std::set<std::string> classesSeen_;
  std::set<std::string> functionsSeen_;
  std::map<std::string, std::string> functionPaths_; // name -> qualified path
  std::vector<c10::IValue> constants_;
  uint64_t version_ = 3;

  /// The classes of the objects reachable from `root`, in the order the
  /// pickle writes them (each object before its attributes), without
  /// recursion (a module tree can be deep).
  void collectClasses(const c10::IValue &root, std::vector<std::string> &out) {
    std::vector<c10::IValue> work{root};
    std::set<const void *> visited;
    std::set<std::string> found;
    auto pushInOrder = [&work](std::vector<c10::IValue> children) {
      work.insert(work.end(), children.rbegin(), children.rend());
    };
    while (!work.empty()) {
      c10::IValue v = std::move(work.back());
      work.pop_back();
      if (!v.isPtrType() || !visited.insert(v.internalToPointer()).second)
        continue;
      if (v.isObject()) {
        const auto &o = v.toObjectRef();
        // A C++ custom class has no code; its __getstate__ gives its state.
        if (isCustomClassName(o.type()->name()->qualifiedName()))
          continue;
        std::string key = keyOf(o.type()->name()->qualifiedName());
        if (found.insert(key).second)
          out.push_back(key);
        pushInOrder(o.slots());
      } else if (v.isList()) {
        pushInOrder(v.toList().vec());
      } else if (v.isGenericDict()) {
        std::vector<c10::IValue> items;
        for (const auto &e : v.toGenericDict()) {
          items.push_back(e.key());
          items.push_back(e.value());
        }
        pushInOrder(std::move(items));
      } else if (v.isTuple()) {
        pushInOrder(v.toTupleRef().elements().vec());
      } else if (v.isFuture() || v.isCapsule() || v.isPyObject()) {
        throw SaveError("cannot save a value of type " + v.type()->repr_str());
      }
    }
  }

  void addType(const TypePtr &t) {
    if (t->kind() == TypeKind::Class || t->kind() == TypeKind::Interface ||
        t->kind() == TypeKind::Enum || t->isNamedTuple()) {
      if (t->name().rfind(kTorchPrefix, 0) == 0 && !isCustomClassName(t->name()))
        requireClass(keyOf(t->name()));
    }
    for (const auto &c : t->contained())
      addType(c);
  }

  /// The definitions a graph's code names, in the order the printer
  /// meets them: the signature, then each node's operands and results.
  void scanGraph(const Graph &g) {
    for (const Value *v : g.inputs())
      addType(v->type());
    for (const Value *v : g.outputs())
      addType(v->type());
    scanBlock(*g.block());
  }

  void scanBlock(const Block &b) {
    for (const Node *n : b.nodes()) {
      const std::string &kind = n->kind().qualString();
      if (kind == "prim::PythonOp")
        throw SaveError("cannot save a module whose code calls Python ('" +
                        (n->hasAttribute(Symbol::attr("name")) ? n->s(Symbol::attr("name"))
                                                                : std::string("?")) +
                        "' is @ignore'd); use @unused to leave it out of the saved code");
      version_ = std::max(version_, versionFor(kind));
      for (const Value *v : n->inputs())
        addType(v->type());
      for (const Value *v : n->outputs()) {
        addType(v->type());
        if (v->type()->kind() == TypeKind::Function && kind == "prim::Constant")
          requireFunction(n->s(Symbol::attr("name")), v->type()->name());
      }
      for (const Block *sub : n->blocks())
        scanBlock(*sub);
    }
  }

  /// Function `name`, defined in the file of its qualified `path` (what
  /// printed calls name after `__torch__.`).
  void requireFunction(const std::string &name, const std::string &path) {
    if (!functionsSeen_.insert(name).second)
      return;
    functionPaths_[name] = path.empty() ? name : path;
    order_.push_back({/*isFunction=*/true, name});
  }

  void scanFunction(const std::string &name) {
    Graph *g = program_.compiler().unit().find(name);
    if (!g)
      throw SaveError("cannot save: function '" + name + "' is not compiled");
    scanGraph(*g);
  }

  void requireClass(const std::string &key) {
    if (classesSeen_.insert(key).second)
      order_.push_back({/*isFunction=*/false, key});
  }

  void scanClass(const std::string &key) {
    program_.compileForExport(key);
    auto info = program_.compiler().classToPrint(key);
    if (!info)
      throw SaveError("cannot save: class '" + key + "' has no code");
    for (const auto &[name, type] : info->attributes)
      addType(type);
    for (const auto &t : info->type->contained())
      addType(t);
    for (const auto &[graph, schema] : info->methods) {
      if (graph)
        scanGraph(*graph);
      // The declaration, an interface's only part; a method's printed
      // signature may name types its graph does not (`-> Optional[P]`
      // returning None).
      if (!schema)
        continue;
      for (const auto &a : schema->arguments)
        addType(a.type);
      for (const auto &r : schema->returns)
        addType(r.type);
    }
  }

  std::map<std::string, std::string> printCode() {
    std::map<std::string, frontend::CodePrinter> printers;
    auto printerFor = [&](const std::string &key) -> frontend::CodePrinter & {
      std::string q = qualifierOf(key);
      std::string path = "code/__torch__";
      for (char c : q.empty() ? std::string() : "/" + q)
        path += c == '.' ? '/' : c;
      auto [it, fresh] = printers.try_emplace(path + ".py");
      if (fresh)
        it->second.setConstantTable(&constants_);
      return it->second;
    };
    for (const Definition &d : order_) {
      if (!d.isFunction) {
        printerFor(d.name).printClass(*program_.compiler().classToPrint(d.name));
        continue;
      }
      const FunctionSchema *schema = program_.schema(d.name);
      Graph *g = program_.compiler().unit().find(d.name);
      const std::string &path = functionPaths_.at(d.name);
      printerFor(path).printFunction(path.substr(path.rfind('.') + 1), *g, *schema);
    }
    std::map<std::string, std::string> files;
    for (const auto &[path, printer] : printers)
      files[path] = printer.str();
    return files;
  }

  void writePickle(caffe2::serialize::PyTorchStreamWriter &writer, const std::string &record,
                   const std::string &tensorDir, const c10::IValue &value) {
    StorageTable storages;
    serialization::PickleWriteEnvironment env;
    env.storageKey = [&](const at::Tensor &t) { return storages.keyOf(t); };
    env.getState = [this](const c10::IValue &obj) -> std::optional<c10::IValue> {
      std::string key = keyOf(obj.toObjectRef().type()->name()->qualifiedName());
      if (!program_.compiler().hasMethod(key, "__getstate__"))
        return std::nullopt;
      runtime::Stack out = program_.function(key + ".__getstate__")->run({obj});
      return out.empty() ? c10::IValue() : out[0];
    };
    std::string bytes;
    try {
      bytes = serialization::writePickle(value, env);
    } catch (const serialization::FormatError &e) {
      throw SaveError(std::string("cannot save: ") + e.what());
    }
    writer.writeRecord(record, bytes.data(), bytes.size());
    for (size_t i = 0; i < storages.tensors.size(); ++i) {
      const at::Tensor &t = storages.tensors[i];
      if (t.is_meta()) { // no data: the pickle's location says 'meta'
        writer.writeRecord(tensorDir + std::to_string(i), nullptr, 0);
        continue;
      }
      size_t nbytes = t.storage().nbytes();
      at::Tensor flat = at::empty({0}, t.options().dtype(at::kByte))
                            .set_(t.storage(), 0, {int64_t(nbytes)}, {1})
                            .cpu();
      writer.writeRecord(tensorDir + std::to_string(i), flat.data_ptr(), nbytes);
    }
  }
};

void exportTo(const Module &module, caffe2::serialize::PyTorchStreamWriter &writer,
              const ExtraFiles &extraFiles) {
  try {
    Exporter(module).write(writer, extraFiles);
  } catch (const CompileError &e) {
    throw SaveError(std::string("cannot save: a method does not compile:\n") + e.rendered());
  } catch (const c10::Error &e) {
    std::string msg = e.what_without_backtrace();
    throw SaveError("cannot save: " + msg.substr(0, msg.find('\n')));
  }
}

} // namespace

void save(const Module &module, const std::string &path, const ExtraFiles &extraFiles) {
  std::unique_ptr<caffe2::serialize::PyTorchStreamWriter> writer;
  try {
    writer = std::make_unique<caffe2::serialize::PyTorchStreamWriter>(path);
  } catch (const c10::Error &) {
    throw SaveError("cannot open '" + path + "' for writing");
  }
  exportTo(module, *writer, extraFiles);
}

std::string saveToBytes(const Module &module, const ExtraFiles &extraFiles) {
  std::string out;
  caffe2::serialize::PyTorchStreamWriter writer([&out](const void *data, size_t n) {
    out.append(static_cast<const char *>(data), n);
    return n;
  });
  exportTo(module, writer, extraFiles);
  return out;
}

} // namespace ember
