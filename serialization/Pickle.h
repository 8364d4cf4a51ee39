//===- serialization/Pickle.h - TorchScript's pickle subset ---------------===//
//
// The pickles of a `.pt` archive (`data.pkl`, `constants.pkl`): protocol 2,
// restricted to what torch.jit.save writes (reference §6.3). Reading never
// runs code: a GLOBAL may only name one of the few functions TorchScript
// pickles use (tensor rebuilding, typed lists, type tags, devices) or a
// class of the archive's own code, which the caller resolves.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <ATen/core/ivalue.h>
#include <c10/core/Device.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

namespace ember::serialization {

/// An archive or pickle ember refuses, with what is wrong with it.
class FormatError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// What a pickle refers to outside itself.
struct PickleEnvironment {
  /// The class named by a GLOBAL `__torch__...` (its qualified name),
  /// compiled from the archive's code; throws FormatError if unknown.
  std::function<c10::ClassTypePtr(const std::string &qualifiedName)> classType;
  /// The enum type named by a GLOBAL `__torch__...`, or null if it names a
  /// class (enum values are pickled as the class REDUCEd on their value).
  std::function<c10::TypePtr(const std::string &qualifiedName)> enumType;
  /// Runs `obj.__setstate__(state)` and returns true if the object's class
  /// defines `__setstate__`; returns false (and does nothing) otherwise.
  std::function<bool(const c10::IValue &object, const c10::IValue &state)> setState;
  /// The type a container's type tag spells (`Dict[str, Tensor]`).
  std::function<c10::TypePtr(const std::string &annotation)> parseType;
  /// The bytes of storage `key` (the `data/<key>` record).
  std::function<std::pair<at::DataPtr, size_t>(const std::string &key)> storage;
  /// Where tensors go (`map_location`); their saved device if empty.
  std::optional<c10::Device> mapLocation;
};

/// Reads a pickle; throws FormatError naming the offset and the problem.
c10::IValue readPickle(const char *data, size_t size, const PickleEnvironment &env);

/// What writing a pickle needs from the archive being written.
struct PickleWriteEnvironment {
  /// The record key of a tensor's storage (the caller writes its bytes to
  /// `data/<key>`); the same storage must get the same key.
  std::function<std::string(const at::Tensor &tensor)> storageKey;
  /// An object's `__getstate__()` if its class defines one, else nothing
  /// (the state is then the dict of every attribute).
  std::function<std::optional<c10::IValue>(const c10::IValue &object)> getState;
};

/// Writes `value` as torch.jit.save does (protocol 2, typed lists, type
/// tags on generic containers); throws FormatError for values TorchScript
/// cannot save (futures, Python objects, cycles).
std::string writePickle(const c10::IValue &value, const PickleWriteEnvironment &env);

} // namespace ember::serialization
