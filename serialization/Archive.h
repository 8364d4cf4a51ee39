//===- serialization/Archive.h - the zip container of `.pt` files --------===//
//
// Reading the records of a TorchScript archive (reference §6.1) through
// caffe2's zip container, after checking the zip's directory ourselves:
// every record must be stored or deflated, and no record may claim to
// expand beyond what deflate can produce from its bytes, so a hostile zip
// cannot make the reader allocate without bound.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "serialization/Pickle.h"

#include <memory>
#include <string>
#include <vector>

namespace caffe2::serialize {
class PyTorchStreamReader;
class ReadAdapterInterface;
} // namespace caffe2::serialize

namespace ember::serialization {

class ArchiveReader {
public:
  /// Opens the archive at `path`; throws FormatError if it is not one.
  explicit ArchiveReader(const std::string &path);
  /// Reads an archive held in memory (`name` is used in messages).
  ArchiveReader(std::string bytes, const std::string &name);
  ~ArchiveReader();

  /// The record `name` relative to the archive's folder (`data.pkl`).
  bool has(const std::string &name);
  std::pair<at::DataPtr, size_t> record(const std::string &name);
  std::string text(const std::string &name);
  /// Every record, relative to the archive's folder.
  std::vector<std::string> records();
  /// The file format version (`version` or `.data/version`).
  uint64_t version() const;
  const std::string &name() const { return name_; }

private:
  void open(std::shared_ptr<caffe2::serialize::ReadAdapterInterface> in);
  std::string name_;
  std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader_;
};

} // namespace ember::serialization
