//===- engine/Module.h - loaded TorchScript modules, from C++ ------------===//
//
// The C++ API for running saved models without Python: `ember::load` reads
// a `.pt` archive written by torch.jit.save (or ember.save), compiles its
// code with ember's frontend and rebuilds the module object; Module runs
// its methods. Calls are thread-safe: many threads may call one Module.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <ATen/core/ivalue.h>
#include <c10/core/Device.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ember {

class ScriptProgram;

/// A module object and the program that compiled its class.
class Module {
public:
  Module(std::shared_ptr<ScriptProgram> program, c10::IValue object);

  /// Runs `forward`; missing trailing arguments take their defaults.
  c10::IValue forward(std::vector<c10::IValue> inputs) const;
  /// Runs method `name` (compiled on first call).
  c10::IValue run_method(const std::string &name, std::vector<c10::IValue> inputs) const;
  bool has_method(const std::string &name) const;

  /// The attribute `name` (a parameter, buffer, submodule or attribute);
  /// throws std::out_of_range if there is none.
  c10::IValue attr(const std::string &name) const;
  bool has_attr(const std::string &name) const;
  /// The submodule `name`.
  Module submodule(const std::string &name) const;
  /// Parameters (and buffers) by dotted name, submodules' included.
  std::vector<std::pair<std::string, at::Tensor>> named_parameters(bool recurse = true) const;
  std::vector<std::pair<std::string, at::Tensor>> named_buffers(bool recurse = true) const;
  /// The qualified name of the module's class (`__torch__.Net`).
  std::string type_name() const;

  const c10::IValue &object() const { return object_; }
  const std::shared_ptr<ScriptProgram> &program() const { return program_; }

private:
  std::shared_ptr<ScriptProgram> program_;
  c10::IValue object_;
};

/// The `extra/<name>` records of an archive: on load, the names asked for
/// are filled with their contents and names the archive lacks are removed;
/// on save, each is written.
using ExtraFiles = std::map<std::string, std::string>;

/// Loads an archive from a file, or from its bytes. `mapLocation` moves
/// every tensor to that device. Throws ember::LoadError (a
/// std::runtime_error) with the reason when the archive is not valid.
Module load(const std::string &path, std::optional<c10::Device> mapLocation = std::nullopt,
            ExtraFiles *extraFiles = nullptr);
Module loadFromBytes(std::string bytes, std::optional<c10::Device> mapLocation = std::nullopt,
                     ExtraFiles *extraFiles = nullptr);
/// Loads the module of an archive's bytes into `program`, which holds code
/// of its own (another archive's): each class and function the archive
/// defines takes a name of its own there, `a.___ember_import_N.C` for
/// `a.C`, as torch.jit.load renames what collides in its one compilation
/// unit. So modules of two archives can be parts of one module.
Module importInto(const std::shared_ptr<ScriptProgram> &program, std::string bytes);

/// Saves `module` as torch.jit.save does (reference §6): its object in
/// `data.pkl`, tensors under `data/`, the code of every class and function
/// it uses under `code/`, constants in `constants.pkl`, `extraFiles` under
/// `extra/`. Throws ember::SaveError for modules that cannot be saved (a
/// method that calls Python, a value with no TorchScript type).
void save(const Module &module, const std::string &path, const ExtraFiles &extraFiles = {});
std::string saveToBytes(const Module &module, const ExtraFiles &extraFiles = {});

/// The module torch.jit.save makes of a function to save it: class
/// `PlaceholderModule` (mangled when the program has one), `forward` the
/// function with a `self` input first, `training` true. Each call makes a
/// new class. Throws SaveError if `function` is not compiled in `program`.
Module moduleOfFunction(const std::shared_ptr<ScriptProgram> &program, const std::string &function);

/// torch.jit.freeze: a new module of a new class whose methods (`forward`
/// and the methods named in `preservedAttrs`) read the module's attributes
/// as constants, except attributes the methods set or write and those
/// named in `preservedAttrs`; dropout goes and, with `optimizeNumerics`,
/// batch norms fold into the convolutions and linears before them. The
/// module must be in eval mode. Throws FreezeError.
Module freeze(const Module &module, const std::vector<std::string> &preservedAttrs = {},
              bool optimizeNumerics = true);

/// Why a module could not be frozen.
class FreezeError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Why an archive could not be loaded.
class LoadError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// Why a module could not be saved.
class SaveError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

} // namespace ember
