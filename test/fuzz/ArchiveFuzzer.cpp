// libFuzzer target for the archive reader: the zip directory check, caffe2's
// container and ember's pickle reader on arbitrary bytes. The first byte
// picks the input's form: 0, a pickle on its own; otherwise a whole `.pt`
// file whose data.pkl is read. Classes the pickle names are stand-ins with
// a few typed attributes. Any input must give a value or a FormatError; a
// crash, a hang, a leak or any other exception is a bug.
#include "serialization/Archive.h"
#include "serialization/Pickle.h"

#include <ATen/ATen.h>
#include <ATen/core/class_type.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

namespace {

using namespace ember::serialization;

c10::ClassTypePtr standIn(const std::string &name) {
  static std::map<std::string, c10::ClassTypePtr> *classes = new std::map<std::string, c10::ClassTypePtr>();
  auto &cls = (*classes)[name];
  if (!cls && classes->size() < 64) {
    cls = c10::ClassType::create(c10::QualifiedName(name), {}, /*is_module=*/true);
    cls->addAttribute("training", c10::BoolType::get());
    cls->addAttribute("weight", c10::TensorType::get(), /*is_parameter=*/true);
    cls->addAttribute("n", c10::IntType::get());
    cls->addAttribute("names", c10::ListType::create(c10::StringType::get()));
    cls->addAttribute("maybe", c10::OptionalType::create(c10::TensorType::get()));
  }
  if (!cls)
    throw FormatError("too many classes");
  return cls;
}

c10::TypePtr tagType(const std::string &text) {
  if (text.rfind("List[", 0) == 0)
    return c10::ListType::create(c10::AnyType::get());
  if (text.rfind("Dict[str", 0) == 0)
    return c10::DictType::create(c10::StringType::get(), c10::AnyType::get());
  if (text.rfind("Dict[int", 0) == 0)
    return c10::DictType::create(c10::IntType::get(), c10::AnyType::get());
  throw FormatError("unknown type tag");
}

PickleEnvironment environment(ArchiveReader *archive) {
  PickleEnvironment env;
  env.classType = standIn;
  env.parseType = tagType;
  env.setState = [](const c10::IValue &, const c10::IValue &) { return false; };
  env.storage = [archive](const std::string &key) -> std::pair<at::DataPtr, size_t> {
    if (archive)
      return archive->record("data/" + key);
    constexpr size_t kBytes = 256;
    void *p = calloc(kBytes, 1);
    return {at::DataPtr(p, p, free, at::kCPU), kBytes};
  };
  return env;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  const char *bytes = reinterpret_cast<const char *>(data) + 1;
  try {
    if (data[0] == 0) {
      (void)readPickle(bytes, size - 1, environment(nullptr));
    } else {
      ArchiveReader archive(std::string(bytes, size - 1), "fuzz.pt");
      (void)archive.records();
      auto [pkl, n] = archive.record("data.pkl");
      (void)readPickle(static_cast<const char *>(pkl.get()), n, environment(&archive));
    }
  } catch (const FormatError &) {
  }
  return 0;
}
